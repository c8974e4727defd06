package org.loadperf.postgres;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.postgres.PgTypeMapping.EncoderFactory;
import org.loadperf.postgres.PgTypeMapping.PgColumn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog and DDL side of a load: checks identifiers, creates a missing table from the Arrow schema, reads an
 * existing table's column types and unique indexes from {@code pg_catalog}, and resolves each column's encoder into a
 * {@link TablePlan} before the first byte of data is sent.
 */
final class TableCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(TableCatalog.class);
    private static final int POSTGRES_MAX_IDENTIFIER_BYTES = 63;

    private final PgConnections db;
    private final PostgresLoaderConfig config;

    TableCatalog(PgConnections db) {
        this.db = db;
        this.config = db.config();
    }

    /**
     * Checks the names, creates the table when it is missing (and {@code create_table} allows), reads its column
     * types and resolves each Arrow column's encoder; fails naming the column before anything is sent.
     */
    TablePlan plan(Schema schema, String table, LoadMode mode) {
        if (table.isEmpty()) {
            throw new LoaderException("Table name is empty");
        }
        checkIdentifier(table, "Table name");
        List<Field> fields = schema.getFields();
        if (fields.isEmpty()) {
            throw new LoaderException("The Arrow schema for table " + table + " has no columns");
        }
        Set<String> names = new HashSet<>();
        for (Field f : fields) {
            checkIdentifier(f.getName(), "Column name");
            if (!names.add(f.getName())) {
                throw new LoaderException("The Arrow schema has two columns named \"" + f.getName() + "\"");
            }
        }
        List<String> keys = config.keyColumns();
        if (mode == LoadMode.UPSERT) {
            if (keys.isEmpty()) {
                throw new LoaderException("UPSERT into " + table + " needs 'key_columns' (the columns of its primary"
                        + " key or a unique constraint)");
            }
            for (String k : keys) {
                if (!names.contains(k)) {
                    throw new LoaderException("Key column \"" + k + "\" (from 'key_columns') is not a column of the"
                            + " Arrow schema " + names);
                }
            }
        }
        String qualified = TablePlan.qualify(config.schema(), table);
        List<EncoderFactory> factories = new ArrayList<>();
        long sizeBytes;
        Watchdog.Watch watch = null;
        try {
            watch = db.watched();
            Connection conn = watch.connection();
            String catalogStep = "reading the catalog entry of " + qualified;
            TableInfo info = watch.call(catalogStep, () -> readTable(conn, table));
            if (info == null) {
                if (!config.createTable()) {
                    throw new LoaderException("Table " + qualified + " does not exist and 'create_table' is false");
                }
                String ddl = createSql(qualified, fields, mode == LoadMode.UPSERT ? keys : List.of(),
                        config.unloggedTable());
                watch.run("creating table " + qualified, () -> PgConnections.execute(conn, ddl));
                LOG.info("Created table {} with {} columns", qualified, fields.size());
                info = watch.call(catalogStep, () -> readTable(conn, table));
                if (info == null) {
                    throw new LoaderException("Table " + qualified + " was created but cannot be found in the catalog");
                }
            }
            for (Field f : fields) {
                PgColumn column = info.columns.get(f.getName());
                if (column == null) {
                    throw new LoaderException("Column \"" + f.getName() + "\" of the Arrow schema does not exist in"
                            + " table " + qualified + " (its columns: " + info.columns.keySet() + ")");
                }
                factories.add(PgTypeMapping.encoderFor(f, column, qualified));
            }
            sizeBytes = info.sizeBytes;
            long oid = info.oid;
            if (mode == LoadMode.UPSERT && !watch.call("reading the unique indexes of " + qualified,
                    () -> hasUniqueIndex(conn, oid, keys))) {
                throw new LoaderException("UPSERT into " + qualified + " needs a primary key or unique constraint on"
                        + " exactly the key_columns " + keys + "; the table has none");
            }
        } catch (SQLException e) {
            throw new LoaderException("Preparing table " + qualified + " failed: " + db.reason(e),
                    db.safeCause(e));
        } finally {
            if (watch != null) {
                db.release(watch);
            }
        }
        String ordinal = "__loadperf_row";
        while (names.contains(ordinal)) {
            ordinal = ordinal + "_";
        }
        return new TablePlan(table, qualified, fields.stream().map(Field::getName).toList(), factories, mode, keys,
                ordinal, config.copyFreeze(), sizeBytes);
    }

    private static void checkIdentifier(String name, String what) {
        if (name.isEmpty()) {
            throw new LoaderException(what + " is empty");
        }
        if (name.indexOf('\0') >= 0) {
            throw new LoaderException(what + " \"" + name.replace("\0", "\\0") + "\" contains a NUL character");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > POSTGRES_MAX_IDENTIFIER_BYTES) {
            throw new LoaderException(what + " \"" + name + "\" is longer than PostgreSQL's "
                    + POSTGRES_MAX_IDENTIFIER_BYTES + "-byte identifier limit and would be truncated");
        }
    }

    private static String createSql(String qualified, List<Field> fields, List<String> keys, boolean unlogged) {
        StringBuilder sql = new StringBuilder(unlogged ? "CREATE UNLOGGED TABLE IF NOT EXISTS " : "CREATE TABLE IF NOT EXISTS ")
                .append(qualified).append(" (");
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            if (i > 0) {
                sql.append(", ");
            }
            sql.append(TablePlan.quote(f.getName())).append(' ').append(PgTypeMapping.ddl(f));
            if (!f.isNullable()) {
                sql.append(" NOT NULL");
            }
        }
        if (!keys.isEmpty()) {
            sql.append(", PRIMARY KEY (");
            sql.append(String.join(", ", keys.stream().map(TablePlan::quote).toList())).append(')');
        }
        return sql.append(')').toString();
    }

    /** A table's catalog entry and its size (pg_total_relation_size) when read. */
    private record TableInfo(long oid, long sizeBytes, Map<String, PgColumn> columns) {
    }

    /**
     * The table's columns and, in the same round trip, its size: a stream of small loads reads both before every load
     * (the columns so that a table changed since the last load is still caught, the size for stored_bytes_added).
     */
    private TableInfo readTable(Connection conn, String table) throws SQLException {
        // The size in a CTE: computed once, not once per column row (it stats every file of the table).
        String sql = "WITH rel AS MATERIALIZED (SELECT c.oid, pg_total_relation_size(c.oid) AS size"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p'))"
                + " SELECT rel.oid, a.attname, a.atttypid, format_type(a.atttypid, a.atttypmod), t.typcategory,"
                + " t.typelem, format_type(t.typelem, NULL), rel.size FROM rel"
                + " LEFT JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped"
                + " LEFT JOIN pg_type t ON t.oid = a.atttypid ORDER BY a.attnum";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, config.schema());
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                Map<String, PgColumn> columns = new LinkedHashMap<>();
                Long oid = null;
                long size = 0;
                while (rs.next()) {
                    oid = rs.getLong(1);
                    size = rs.getLong(8);
                    String name = rs.getString(2);
                    if (name == null) {
                        continue;
                    }
                    boolean array = "A".equals(rs.getString(5));
                    int elem = array ? (int) rs.getLong(6) : 0;
                    columns.put(name, new PgColumn(name, (int) rs.getLong(3), rs.getString(4), elem,
                            array ? rs.getString(7) : null));
                }
                return oid == null ? null : new TableInfo(oid, size, columns);
            }
        }
    }

    private static boolean hasUniqueIndex(Connection conn, long tableOid, List<String> keys) throws SQLException {
        String sql = "SELECT i.indexrelid, a.attname FROM pg_index i"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
                + " WHERE i.indrelid = ? AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL";
        Map<Long, Set<String>> indexes = new LinkedHashMap<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, tableOid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    indexes.computeIfAbsent(rs.getLong(1), k -> new TreeSet<>()).add(rs.getString(2));
                }
            }
        }
        return indexes.values().contains(new TreeSet<>(keys));
    }

    /** The table's size with indexes and TOAST (pg_total_relation_size); 0 when it cannot be read. */
    long tableSizeBytes(TablePlan plan) {
        Watchdog.Watch watch = null;
        try {
            watch = db.watched();
            Connection conn = watch.connection();
            return watch.call("reading the size of " + plan.qualifiedName(), () -> {
                try (PreparedStatement ps = conn.prepareStatement("SELECT pg_total_relation_size(c.oid) FROM"
                        + " pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND"
                        + " c.relname = ?")) {
                    ps.setString(1, config.schema());
                    ps.setString(2, plan.table());
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getLong(1) : 0L;
                    }
                }
            });
        } catch (SQLException e) {
            LOG.warn("Cannot read the size of {}: {}", plan.qualifiedName(), db.reason(e));
            return 0L;
        } finally {
            if (watch != null) {
                db.release(watch);
            }
        }
    }
}
