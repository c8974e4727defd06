package org.loadperf.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;
import org.slf4j.LoggerFactory;

/** The loader's behaviour against a real PostgreSQL: modes, identifiers, types, batches, faults. */
class PostgresLoaderTest {

    private static PostgresTestServer server;
    private static BufferAllocator allocator;
    private final List<String> tables = new ArrayList<>();

    private static final TestRows ID_NAME_VALUE = new TestRows()
            .column(new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
                    ArrowKinds.integer(64, true))
            .column("name", ArrowKinds.text(false))
            .column("value", ArrowKinds.floating(FloatingPointPrecision.DOUBLE));

    @BeforeAll
    static void start() {
        server = PostgresTestServer.shared();
        allocator = new RootAllocator();
    }

    @AfterAll
    static void stop() {
        allocator.close();
    }

    @AfterEach
    void dropTables() throws Exception {
        BatchReader.closeAll();
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            for (String t : tables) {
                st.execute("DROP TABLE IF EXISTS " + TablePlan.quote(t));
            }
        }
    }

    private String table(String prefix) {
        String t = PostgresTestServer.uniqueName(prefix);
        tables.add(t);
        return t;
    }

    private static Loader loader(Object... keyValues) {
        LoaderConfig c = server.loaderConfig().with("max_connections", 3);
        for (int i = 0; i < keyValues.length; i += 2) {
            c = c.with((String) keyValues[i], keyValues[i + 1]);
        }
        return new PostgresLoaderProvider().create(c);
    }

    private static List<Object[]> idRows(int from, int to, String prefix) {
        return TestRows.rows(from, to, i -> new Object[] {(long) i, prefix + i, i * 0.5});
    }

    private static long scalar(String sql) throws SQLException {
        try (Connection c = server.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void exec(String sql) throws SQLException {
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static Map<Long, String> names(String table) throws SQLException {
        Map<Long, String> out = new TreeMap<>();
        try (Connection c = server.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id, name FROM " + TablePlan.quote(table))) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getString(2));
            }
        }
        return out;
    }

    @Test
    void weird_identifiers_are_quoted_everywhere() throws Exception {
        String table = table("Weird \"Tab le\"; DROP");
        TestRows rows = new TestRows()
                .column("id", ArrowKinds.integer(64, true))
                .column("quo\"ted", ArrowKinds.text(false))
                .column("with space", ArrowKinds.integer(32, true))
                .column("MixedCase", ArrowKinds.bool())
                .column("semi;colon -- x", ArrowKinds.floating(FloatingPointPrecision.DOUBLE))
                .column("ünïcødé ✓", ArrowKinds.text(false));
        List<Object[]> data = TestRows.rows(0, 5, i -> new Object[] {(long) i, "q" + i, (long) i * 7, i % 2 == 0,
            i + 0.25, "ü" + i});
        try (Loader loader = loader("key_columns", List.of("id", "MixedCase"))) {
            loader.loadTable(rows.reader(allocator, data), table, LoadMode.APPEND);
            loader.loadTable(rows.reader(allocator, data), table, LoadMode.APPEND);
            loader.loadTable(rows.reader(allocator, TestRows.rows(0, 1, i -> new Object[] {0L, "x", 1L, true, 0.0,
                "y"})), table, LoadMode.OVERWRITE);
            exec("ALTER TABLE " + TablePlan.quote(table) + " ADD PRIMARY KEY (\"id\", \"MixedCase\")");
            loader.loadTable(rows.reader(allocator, data), table, LoadMode.UPSERT);
        }
        try (Connection c = server.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT \"quo\"\"ted\", \"with space\", \"MixedCase\", \"semi;colon -- x\","
                     + " \"ünïcødé ✓\" FROM " + TablePlan.quote(table) + " WHERE id = 3")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("q3");
            assertThat(rs.getInt(2)).isEqualTo(21);
            assertThat(rs.getBoolean(3)).isFalse();
            assertThat(rs.getDouble(4)).isEqualTo(3.25);
            assertThat(rs.getString(5)).isEqualTo("ü3");
        }
        assertThat(scalar("SELECT count(*) FROM " + TablePlan.quote(table))).isEqualTo(5);
    }

    @Test
    void overwrite_replaces_the_rows_in_one_transaction() throws Exception {
        String table = table("overwrite");
        try (Loader loader = loader("batch_size", 10)) {
            loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 100, "old")), table, LoadMode.APPEND);
            LoadResult r = loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 30, "new")), table,
                    LoadMode.OVERWRITE);

            assertThat(r.rowsLoaded()).isEqualTo(30);
            assertThat(r.metadata()).containsEntry("batches_processed", 3);
            assertThat(names(table)).hasSize(30).allSatisfy((id, name) -> assertThat(name).isEqualTo("new" + id));
            assertThat(scalar("SELECT count(DISTINCT xmin::text) FROM " + TablePlan.quote(table)))
                    .as("one transaction").isEqualTo(1);

            List<Object[]> bad = idRows(100, 150, "newer");
            bad.get(45)[1] = "nul\u0000byte";
            assertThatThrownBy(() -> loader.loadTable(ID_NAME_VALUE.reader(allocator, bad), table,
                    LoadMode.OVERWRITE))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("column \"name\", row 45")
                    .hasMessageContaining("NUL")
                    .hasMessageContaining("keeps its previous rows");
            assertThat(names(table)).hasSize(30).allSatisfy((id, name) -> assertThat(name).isEqualTo("new" + id));
        }
    }

    @Test
    void upsert_updates_by_key_and_the_last_duplicate_wins() throws Exception {
        String table = table("upsert");
        try (Loader loader = loader("key_columns", "id", "batch_size", 4)) {
            loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(1, 6, "v1-")), table, LoadMode.UPSERT);
            List<Object[]> second = new ArrayList<>();
            second.add(new Object[] {3L, "first-3", 0.0});
            second.add(new Object[] {6L, "new-6", 0.0});
            second.add(new Object[] {3L, "second-3", 0.0});
            second.add(new Object[] {3L, "third-3", 0.0});
            List<Object[]> third = new ArrayList<>();
            third.add(new Object[] {5L, "a-5", 0.0});
            third.add(new Object[] {5L, "last-5", 0.0});
            third.add(new Object[] {6L, "last-6", 0.0});
            LoadResult r = loader.loadTable(ID_NAME_VALUE.reader(allocator, second, third), table, LoadMode.UPSERT);

            assertThat(r.rowsLoaded()).isEqualTo(7);
            assertThat(names(table)).containsExactlyEntriesOf(new TreeMap<>(Map.of(1L, "v1-1", 2L, "v1-2",
                    3L, "third-3", 4L, "v1-4", 5L, "last-5", 6L, "last-6")));
        }
    }

    @Test
    void upsert_needs_key_columns_and_a_unique_constraint() throws Exception {
        String table = table("upsert_bad");
        try (Loader noKeys = loader(); Loader keys = loader("key_columns", "id")) {
            assertThatThrownBy(() -> noKeys.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 3, "x")), table,
                    LoadMode.UPSERT)).isInstanceOf(LoaderException.class).hasMessageContaining("'key_columns'");
            noKeys.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 3, "x")), table, LoadMode.APPEND);
            assertThatThrownBy(() -> keys.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 3, "y")), table,
                    LoadMode.UPSERT)).isInstanceOf(LoaderException.class)
                    .hasMessageContaining("primary key or unique constraint").hasMessageContaining("[id]");
            assertThatThrownBy(() -> keys.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 3, "y")), table,
                    LoadMode.MERGE)).isInstanceOf(LoaderException.class).hasMessageContaining("MERGE");
            assertThat(names(table)).containsExactlyEntriesOf(new TreeMap<>(Map.of(0L, "x0", 1L, "x1", 2L, "x2")));
        }
    }

    @Test
    void existing_table_types_are_checked_before_anything_is_sent() throws Exception {
        String table = table("mismatch");
        exec("CREATE TABLE " + TablePlan.quote(table) + " (id integer, name varchar(20), value double precision,"
                + " extra text DEFAULT 'd')");
        try (Loader loader = loader()) {
            assertThatThrownBy(() -> loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 3, "x")), table,
                    LoadMode.APPEND))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("Column \"id\"")
                    .hasMessageContaining("integer")
                    .hasMessageContaining("Int(64, true)");
            assertThat(scalar("SELECT count(*) FROM " + TablePlan.quote(table))).isZero();

            TestRows narrow = new TestRows().column("id", ArrowKinds.integer(16, true))
                    .column("name", ArrowKinds.text(false)).column("value", ArrowKinds.integer(32, false));
            loader.loadTable(narrow.reader(allocator, TestRows.rows(0, 3, i -> new Object[] {(long) i, "n" + i,
                4_000_000_000L})), table, LoadMode.APPEND);
            assertThat(scalar("SELECT sum(value)::bigint FROM " + TablePlan.quote(table))).isEqualTo(12_000_000_000L);
            assertThat(names(table)).containsEntry(2L, "n2");

            TestRows unknown = new TestRows().column("id", ArrowKinds.integer(16, true))
                    .column("nope", ArrowKinds.text(false));
            assertThatThrownBy(() -> loader.loadTable(unknown.reader(allocator, TestRows.rows(0, 1,
                    i -> new Object[] {1L, "x"})), table, LoadMode.APPEND))
                    .isInstanceOf(LoaderException.class).hasMessageContaining("Column \"nope\"")
                    .hasMessageContaining("does not exist");
        }
        try (Loader noCreate = loader("create_table", false)) {
            String missing = table("missing");
            assertThatThrownBy(() -> noCreate.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 1, "x")), missing,
                    LoadMode.APPEND)).isInstanceOf(LoaderException.class)
                    .hasMessageContaining("does not exist and 'create_table' is false");
        }
    }

    /**
     * A stream of appends through one loader reads the table's catalog entry at every load: a table altered or dropped
     * between two loads is seen, and the size figures of consecutive loads follow on from each other.
     */
    @Test
    void a_table_changed_between_loads_of_a_stream_is_seen() throws Exception {
        String table = table("stream");
        try (Loader loader = loader()) {
            LoadResult first = loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 500, "a")), table,
                    LoadMode.APPEND);
            LoadResult second = loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(500, 1000, "b")), table,
                    LoadMode.APPEND);
            long before = (Long) first.metadata().get("stored_bytes");
            long after = (Long) second.metadata().get("stored_bytes");
            assertThat(after).isEqualTo(scalar("SELECT pg_total_relation_size('" + TablePlan.quote(table) + "')"));
            assertThat(second.metadata()).containsEntry("stored_bytes_added", Math.max(0L, after - before));

            exec("ALTER TABLE " + TablePlan.quote(table) + " ALTER COLUMN \"id\" TYPE timestamp USING to_timestamp(id)");
            assertThatThrownBy(() -> loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(1000, 1010, "c")), table,
                    LoadMode.APPEND)).isInstanceOf(LoaderException.class).hasMessageContaining("Column \"id\"")
                    .hasMessageContaining("timestamp");

            exec("DROP TABLE " + TablePlan.quote(table));
            exec("CREATE TABLE " + TablePlan.quote(table) + " (id bigint, value double precision)");
            assertThatThrownBy(() -> loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(1000, 1010, "d")), table,
                    LoadMode.APPEND)).isInstanceOf(LoaderException.class).hasMessageContaining("Column \"name\"")
                    .hasMessageContaining("does not exist");

            exec("DROP TABLE " + TablePlan.quote(table));
            LoadResult recreated = loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 10, "e")), table,
                    LoadMode.APPEND);
            assertThat(recreated.rowsLoaded()).isEqualTo(10);
            assertThat(names(table)).hasSize(10);
            // The new table's empty TOAST index was there before the rows: added is what the rows took.
            assertThat((Long) recreated.metadata().get("stored_bytes_added")).isPositive()
                    .isLessThanOrEqualTo((Long) recreated.metadata().get("stored_bytes"));
        }
    }

    @Test
    void nul_byte_in_text_names_column_and_row_and_keeps_earlier_batches() throws Exception {
        String table = table("nul");
        List<Object[]> rows = idRows(0, 35, "r");
        rows.get(27)[1] = "before\u0000after";
        try (Loader loader = loader("batch_size", 10)) {
            assertThatThrownBy(() -> loader.loadTable(ID_NAME_VALUE.reader(allocator, rows.subList(0, 20),
                    rows.subList(20, 35)), table, LoadMode.APPEND))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("batch 3")
                    .hasMessageContaining("column \"name\", row 27 of the load (row 7 of the batch")
                    .hasMessageContaining("NUL byte")
                    .hasMessageContaining("2 batches before it (20 rows) were committed");
        }
        assertThat(scalar("SELECT count(*) FROM " + TablePlan.quote(table))).isEqualTo(20);
    }

    @Test
    void a_batch_rejected_by_the_server_is_rolled_back_whole() throws Exception {
        String table = table("atomic");
        exec("CREATE TABLE " + TablePlan.quote(table) + " (id bigint, name text NOT NULL, value double precision)");
        List<Object[]> rows = idRows(0, 35, "r");
        rows.get(23)[1] = null;
        try (Loader loader = loader("batch_size", 10)) {
            assertThatThrownBy(() -> loader.loadTable(ID_NAME_VALUE.reader(allocator, rows), table, LoadMode.APPEND))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("batch 3 (rows 20..29 of the load)")
                    .hasMessageContaining("null value in column \"name\"")
                    .hasMessageContaining("The batch was rolled back; the 2 batches before it (20 rows) were"
                            + " committed");
            assertThat(scalar("SELECT count(*) FROM " + TablePlan.quote(table))).isEqualTo(20);
            assertThat(scalar("SELECT max(id) FROM " + TablePlan.quote(table))).isEqualTo(19);

            try (VectorSchemaRoot batch = ID_NAME_VALUE.batch(allocator, rows)) {
                assertThatThrownBy(() -> loader.loadBatch(batch, table, LoadMode.APPEND))
                        .isInstanceOf(LoaderException.class).hasMessageContaining("batch 1");
            }
            assertThat(scalar("SELECT count(*) FROM " + TablePlan.quote(table))).isEqualTo(20);
        }
    }

    /**
     * With parallelism 1, a batch's COMMIT runs while the next batch is copied over a second connection; a commit the
     * server refuses (a deferred constraint trigger fires at COMMIT) must still leave exactly the batches before it,
     * never a later one, and the error must name the batch whose commit failed.
     */
    @Test
    void a_commit_refused_by_the_server_keeps_exactly_the_batches_before_it() throws Exception {
        String table = table("commitfail");
        String fn = table + "_fn";
        try {
            tableWithCommitTrigger(table, fn, "IF NEW.id = 45 THEN RAISE EXCEPTION 'refused at commit: id %', NEW.id;"
                    + " END IF;");
            try (Loader loader = loader("batch_size", 10)) {
                assertThatThrownBy(() -> loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 100, "c")), table,
                        LoadMode.APPEND))
                        .isInstanceOf(LoaderException.class)
                        .hasMessageContaining("batch 5 (rows 40..49 of the load)")
                        .hasMessageContaining("refused at commit: id 45")
                        .hasMessageContaining("the 4 batches before it (40 rows) were committed");
            }
            assertThat(scalar("SELECT count(*) FROM " + TablePlan.quote(table))).isEqualTo(40);
            assertThat(scalar("SELECT max(id) FROM " + TablePlan.quote(table))).isEqualTo(39);
        } finally {
            exec("DROP TABLE IF EXISTS " + TablePlan.quote(table));
            exec("DROP FUNCTION IF EXISTS " + TablePlan.quote(fn) + "()");
        }
    }

    /**
     * An APPEND batch's COPY commits as it ends (autocommit): when the connection is lost while the server is still
     * committing (here a deferred trigger that sleeps at commit, so the watchdog aborts the connection), the loader
     * cannot know whether the batch was stored and must say so, not claim a rollback; the batches before it stay.
     */
    @Test
    void a_connection_lost_while_a_batch_commits_is_reported_as_unknown_not_rolled_back() throws Exception {
        String table = table("commitlost");
        String fn = table + "_fn";
        String app = table + "_app";
        try {
            tableWithCommitTrigger(table, fn, "IF NEW.id = 25 THEN PERFORM pg_sleep(60); END IF;");
            try (Loader loader = loader("batch_size", 10, "load_timeout_seconds", 3,
                    "connection_params", Map.of("ApplicationName", app))) {
                assertThatThrownBy(() -> loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 40, "u")), table,
                        LoadMode.APPEND))
                        .isInstanceOf(LoaderException.class)
                        .hasMessageContaining("batch 3 (rows 20..29 of the load)")
                        .hasMessageContaining("was sent but not confirmed: that batch is stored whole or not at all")
                        .hasMessageContaining("the 2 batches before it (20 rows) were committed")
                        .hasMessageNotContaining("rolled back");
            } finally {
                // The server still sleeps in batch 3's commit: cancelling it rolls that batch back.
                exec("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = '" + app + "'");
            }
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app
                    + "' AND state = 'active'") > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long stored = scalar("SELECT count(*) FROM " + TablePlan.quote(table));
            assertThat(stored).as("whole batches only, never batch 4 without batch 3").isIn(20L, 30L);
            assertThat(scalar("SELECT count(*) FROM " + TablePlan.quote(table) + " WHERE id >= 30")).isZero();
        } finally {
            exec("DROP TABLE IF EXISTS " + TablePlan.quote(table));
            exec("DROP FUNCTION IF EXISTS " + TablePlan.quote(fn) + "()");
        }
    }

    /** A table (id, name, value) whose rows run {@code body} (plpgsql) at commit: a deferred constraint trigger. */
    private static void tableWithCommitTrigger(String table, String fn, String body) throws SQLException {
        exec("CREATE TABLE " + TablePlan.quote(table) + " (id bigint, name text, value double precision)");
        exec("CREATE FUNCTION " + TablePlan.quote(fn) + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " + body
                + " RETURN NULL; END $$");
        exec("CREATE CONSTRAINT TRIGGER at_commit AFTER INSERT ON " + TablePlan.quote(table)
                + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION " + TablePlan.quote(fn) + "()");
    }

    @Test
    void unlogged_table_and_copy_freeze_are_the_users_choice() throws Exception {
        String table = table("unlogged");
        try (Loader loader = loader("unlogged_table", true, "copy_freeze", true, "batch_size", 7)) {
            loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 30, "f")), table, LoadMode.OVERWRITE);
            loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 20, "g")), table, LoadMode.OVERWRITE);
            assertThat(names(table)).hasSize(20).containsEntry(19L, "g19");
            assertThat(scalar("SELECT count(*) FROM pg_class WHERE oid = '" + TablePlan.qualify("public", table)
                    + "'::regclass AND relpersistence = 'u'")).isEqualTo(1);
            // FREEZE needs the table truncated in the same transaction: only OVERWRITE; refused before any row is sent.
            assertThatThrownBy(() -> loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 5, "h")), table,
                    LoadMode.APPEND))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("'copy_freeze'").hasMessageContaining("APPEND");
            assertThat(names(table)).hasSize(20);
        }
        String logged = table("logged");
        try (Loader loader = loader()) {
            loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 3, "l")), logged, LoadMode.APPEND);
        }
        assertThat(scalar("SELECT count(*) FROM pg_class WHERE oid = '" + TablePlan.qualify("public", logged)
                + "'::regclass AND relpersistence = 'p'")).isEqualTo(1);
    }

    @Test
    void batch_size_rechunks_large_batches_and_gathers_small_ones() throws Exception {
        String big = table("rechunk_big");
        String small = table("rechunk_small");
        try (Loader loader = loader("batch_size", 1000)) {
            LoadResult r = loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(0, 4500, "b")), big,
                    LoadMode.APPEND);
            assertThat(r.metadata()).containsEntry("batches_processed", 5).containsEntry("avg_batch_size", 900.0);
            assertThat(scalar("SELECT count(DISTINCT xmin::text) FROM " + TablePlan.quote(big))).isEqualTo(5);

            List<List<Object[]>> pieces = new ArrayList<>();
            for (int i = 0; i < 35; i++) {
                pieces.add(idRows(i * 70, i * 70 + 70, "s"));
            }
            List<Consumer<VectorSchemaRoot>> fillers = pieces.stream().map(ID_NAME_VALUE::filler).toList();
            LoadResult s = loader.loadTable(new BatchReader(allocator, ID_NAME_VALUE.schema(), fillers), small,
                    LoadMode.APPEND);
            assertThat(s.rowsLoaded()).isEqualTo(2450);
            assertThat(s.metadata()).containsEntry("batches_processed", 3);
            try (Connection c = server.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM " + TablePlan.quote(small)
                         + " GROUP BY xmin::text ORDER BY 1 DESC")) {
                List<Long> perTransaction = new ArrayList<>();
                while (rs.next()) {
                    perTransaction.add(rs.getLong(1));
                }
                assertThat(perTransaction).containsExactly(1000L, 1000L, 450L);
            }
        }
    }

    @Test
    void load_batch_is_one_transaction_and_reports_the_guide_metadata() throws Exception {
        String table = table("batch");
        try (Loader loader = loader("batch_size", 10);
             VectorSchemaRoot batch = ID_NAME_VALUE.batch(allocator, idRows(0, 55, "b"))) {
            assertThat(loader.type()).isEqualTo("postgresql");
            assertThat(loader.supportedModes()).containsExactlyInAnyOrder(LoadMode.APPEND, LoadMode.OVERWRITE,
                    LoadMode.UPSERT);
            LoadResult r = loader.loadBatch(batch, table, LoadMode.APPEND);
            assertThat(r.rowsLoaded()).isEqualTo(55);
            assertThat(r.bytes()).isPositive();
            assertThat(r.loaderType()).isEqualTo("postgresql");
            assertThat(r.metadata()).containsEntry("operation", "load_batch").containsEntry("batch_size", 55L)
                    .containsEntry("schema_fields", 3).containsKey("throughput_rows_per_sec");
            assertThat(scalar("SELECT count(DISTINCT xmin::text) FROM " + TablePlan.quote(table))).isEqualTo(1);

            LoadResult t = loader.loadTable(ID_NAME_VALUE.reader(allocator, idRows(55, 80, "t")), table,
                    LoadMode.APPEND);
            assertThat(t.metadata()).containsKeys("batches_processed", "rows_loaded", "columns", "avg_batch_size",
                    "table_size_bytes", "throughput_rows_per_sec");
            assertThat((Long) t.metadata().get("table_size_bytes")).isPositive();
            assertThat(names(table)).hasSize(80);
        }
    }

    @Test
    void parallel_append_loads_every_row_once() throws Exception {
        String table = table("parallel");
        List<List<Object[]>> pieces = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            pieces.add(idRows(i * 2500, i * 2500 + 2500, "p"));
        }
        try (Loader loader = loader("batch_size", 1000, "parallelism", 3)) {
            LoadResult r = loader.loadTable(new BatchReader(allocator, ID_NAME_VALUE.schema(),
                    pieces.stream().map(ID_NAME_VALUE::filler).toList()), table, LoadMode.APPEND);
            assertThat(r.rowsLoaded()).isEqualTo(20_000);
            assertThat(r.metadata()).containsEntry("parallelism", 3).containsEntry("batches_processed", 20);
        }
        assertThat(scalar("SELECT count(*) FROM " + TablePlan.quote(table))).isEqualTo(20_000);
        assertThat(scalar("SELECT count(DISTINCT id) FROM " + TablePlan.quote(table))).isEqualTo(20_000);
        assertThat(scalar("SELECT count(DISTINCT xmin::text) FROM " + TablePlan.quote(table))).isEqualTo(20);
    }

    @Test
    void parallel_append_failure_names_the_batch_and_leaves_no_partial_batch() throws Exception {
        String table = table("parallel_bad");
        exec("CREATE TABLE " + TablePlan.quote(table) + " (id bigint, name text NOT NULL, value double precision)");
        List<Object[]> rows = idRows(0, 5000, "p");
        rows.get(2345)[1] = null;
        try (Loader loader = loader("batch_size", 500, "parallelism", 2)) {
            assertThatThrownBy(() -> loader.loadTable(ID_NAME_VALUE.reader(allocator, rows), table, LoadMode.APPEND))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("batch 5 (")
                    .hasMessageContaining("2000")
                    .hasMessageContaining("null value in column \"name\"");
        }
        long count = scalar("SELECT count(*) FROM " + TablePlan.quote(table));
        assertThat(count % 500).as("only whole batches").isZero();
        assertThat(scalar("SELECT count(*) FROM " + TablePlan.quote(table) + " WHERE id BETWEEN 2000 AND 2499"))
                .isZero();
    }

    @Test
    void connection_refused_names_host_and_port_but_never_the_password() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        String password = "S3cret-Pa55word";
        LoaderConfig config = LoaderConfig.of(Map.of("host", "127.0.0.1", "port", port, "database", "db",
                "user", "someone", "password", password));
        try {
            assertThatThrownBy(() -> new PostgresLoaderProvider().create(config))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("refused")
                    .satisfies(e -> assertThat(stackText(e)).doesNotContain(password));
        } finally {
            root.detachAppender(logs);
        }
        assertThat(config.toString()).doesNotContain(password);
        assertThat(logs.list).allSatisfy(ev -> {
            assertThat(ev.getFormattedMessage()).doesNotContain(password);
            if (ev.getThrowableProxy() != null) {
                assertThat(ev.getThrowableProxy().getMessage()).doesNotContain(password);
            }
        });
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"e", "127", "o", "refused"})
    void a_short_password_neither_garbles_the_message_nor_shows_where_it_stands(String password) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LoaderConfig config = LoaderConfig.of(Map.of("host", "127.0.0.1", "port", port, "database", "test",
                "user", "someone", "password", password));
        assertThatThrownBy(() -> new PostgresLoaderProvider().create(config))
                .isInstanceOf(LoaderException.class)
                .hasMessageStartingWith("Cannot connect to PostgreSQL at 127.0.0.1:" + port
                        + " (database 'test', user 'someone'): ")
                .hasMessageNotContaining("***")
                .satisfies(e -> assertThat(e.getMessage().substring(e.getMessage().indexOf("): ")))
                        .doesNotContainPattern("(^|[^A-Za-z0-9])" + java.util.regex.Pattern.quote(password)
                                + "($|[^A-Za-z0-9])"));
    }

    private static String stackText(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    @Test
    void encoder_memory_is_bounded_by_the_flush_size_not_the_table() throws Exception {
        String table = table("memory");
        List<List<Object[]>> pieces = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            pieces.add(idRows(i * 5000, i * 5000 + 5000, "a fairly long text value to make the rows wider "));
        }
        try (Loader loader = loader("batch_size", 100_000)) {
            LoadResult r = loader.loadTable(new BatchReader(allocator, ID_NAME_VALUE.schema(),
                    pieces.stream().map(ID_NAME_VALUE::filler).toList()), table, LoadMode.APPEND);
            assertThat(r.rowsLoaded()).isEqualTo(100_000);
            assertThat((Long) r.metadata().get("copy_bytes")).isGreaterThan(5L * PostgresLoader.FLUSH_BYTES);
            assertThat((Long) r.metadata().get("encoder_buffer_bytes"))
                    .isLessThanOrEqualTo(PostgresLoader.FLUSH_BYTES + PostgresLoader.FLUSH_BYTES / 4);
        }
        assertThat(scalar("SELECT count(*) FROM " + TablePlan.quote(table))).isEqualTo(100_000);
    }

    @Test
    void unsupported_types_and_out_of_range_values_fail_naming_the_column() throws Exception {
        String table = table("unsupported");
        TestRows duration = new TestRows().column("id", ArrowKinds.integer(64, true))
                .column(ArrowKinds.nullable("elapsed", new ArrowType.Duration(
                        org.apache.arrow.vector.types.TimeUnit.SECOND)), ArrowKinds.integer(64, true));
        try (Loader loader = loader()) {
            assertThatThrownBy(() -> loader.loadTable(duration.reader(allocator, List.<Object[]>of()), table,
                    LoadMode.APPEND))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("Column \"elapsed\"")
                    .hasMessageContaining("Duration")
                    .hasMessageContaining("not supported");
            assertThat(scalar("SELECT count(*) FROM pg_class WHERE relname = '" + table + "'")).isZero();

            org.apache.arrow.vector.types.pojo.Schema schema = new org.apache.arrow.vector.types.pojo.Schema(List.of(
                    ArrowKinds.nullable("id", new ArrowType.Int(64, true)),
                    ArrowKinds.nullable("at", new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.SECOND,
                            null))));
            Consumer<VectorSchemaRoot> fill = root -> {
                for (int i = 0; i < 5; i++) {
                    ((org.apache.arrow.vector.BigIntVector) root.getVector(0)).setSafe(i, i);
                    ((org.apache.arrow.vector.TimeStampSecVector) root.getVector(1)).setSafe(i,
                            i == 3 ? Long.MAX_VALUE / 2 : i * 86_400L);
                }
                root.setRowCount(5);
            };
            assertThatThrownBy(() -> loader.loadTable(new BatchReader(allocator, schema, List.of(fill)), table,
                    LoadMode.APPEND))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("column \"at\", row 3")
                    .hasMessageContaining("outside PostgreSQL's timestamp range");
            assertThat(scalar("SELECT count(*) FROM " + TablePlan.quote(table))).isZero();
        }
    }
}
