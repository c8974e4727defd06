package org.loadperf.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.postgres.PgTypeMapping.EncoderFactory;

/**
 * Everything one load needs about its target, resolved before the first byte is sent: the quoted table name, the
 * Arrow columns in order with their encoders, the SQL of each step, and the table's size (pg_total_relation_size) when
 * its catalog entry was read. Identifiers are always quoted, so any name (quotes, spaces, mixed case, unicode) is
 * taken literally; nothing is pasted unquoted into SQL.
 */
record TablePlan(String table, String qualifiedName, List<String> columns, List<EncoderFactory> encoders, LoadMode mode,
                 List<String> keyColumns, String ordinalColumn, boolean freeze, long sizeBytesAtPlan) {

    static final String STAGE_TABLE = "pg_temp." + quote("loadperf_upsert_stage");

    /** {@code name} as a quoted identifier: {@code "a""b"} for {@code a"b}. */
    static String quote(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    static String qualify(String schema, String table) {
        return quote(schema) + "." + quote(table);
    }

    String columnList() {
        return columns.stream().map(TablePlan::quote).collect(Collectors.joining(", "));
    }

    /** The COPY of one batch: into the table, or into the session's staging table for UPSERT. */
    String copySql() {
        String target = mode == LoadMode.UPSERT ? STAGE_TABLE : qualifiedName;
        return "COPY " + target + " (" + columnList() + ") FROM STDIN (FORMAT binary" + (freeze ? ", FREEZE" : "") + ")";
    }

    String truncateSql() {
        return "TRUNCATE TABLE " + qualifiedName;
    }

    /**
     * A staging table dropped at commit, with the target's column types (so the same encoders apply) and a row
     * ordinal filled in COPY order, which lets the merge keep the last row of each key.
     */
    List<String> stageSql() {
        return List.of("CREATE TEMP TABLE " + STAGE_TABLE + " ON COMMIT DROP AS SELECT " + columnList() + " FROM "
                        + qualifiedName + " WITH NO DATA",
                "ALTER TABLE " + STAGE_TABLE + " ADD COLUMN " + quote(ordinalColumn)
                        + " bigint GENERATED ALWAYS AS IDENTITY");
    }

    /** Inserts the staged rows, last row per key wins, updating existing rows with the same key. */
    String mergeSql() {
        String keys = keyColumns.stream().map(TablePlan::quote).collect(Collectors.joining(", "));
        List<String> updates = new ArrayList<>();
        for (String c : columns) {
            if (!keyColumns.contains(c)) {
                updates.add(quote(c) + " = EXCLUDED." + quote(c));
            }
        }
        return "INSERT INTO " + qualifiedName + " (" + columnList() + ") SELECT DISTINCT ON (" + keys + ") "
                + columnList() + " FROM " + STAGE_TABLE + " ORDER BY " + keys + ", " + quote(ordinalColumn)
                + " DESC ON CONFLICT (" + keys + ") DO "
                + (updates.isEmpty() ? "NOTHING" : "UPDATE SET " + String.join(", ", updates));
    }
}
