package org.loadperf.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;

/**
 * A server that freezes (SIGSTOP of the postmaster and every backend) in the middle of a load, after its first
 * batch was committed, while the loader streams a COPY far larger than the socket buffers, so the loader blocks in
 * a socket write. The load must fail within {@code load_timeout_seconds}, naming the server and the batch, and
 * the table must hold only whole batches once the server runs again. Uses a PostgreSQL of its own (never the
 * shared one): embedded, so as root it needs {@code unshare -U}.
 */
class PostgresFreezeTest {

    private static final int BATCH_ROWS = 80_000;
    /** 80,000 rows of 1 KiB: 80 MB in one COPY, beyond any loopback socket buffers (at most ~36 MB here). */
    private static final String BIG = "x".repeat(1024);
    private static final String PASSWORD = "frozen-pw-93f1";
    private static final Duration HANG_GUARD = Duration.ofSeconds(120);

    private static final TestRows ROWS = new TestRows()
            .column("id", ArrowKinds.integer(64, true))
            .column("payload", ArrowKinds.text(false));

    private static EmbeddedPostgres pg;
    private static Path dataDir;
    private static BufferAllocator allocator;

    @BeforeAll
    static void start() throws IOException {
        assumeFalse(PostgresTestServer.isRoot(), "freezing needs a PostgreSQL server of its own, and embedded"
                + " PostgreSQL cannot run as root: run the tests under `unshare -U`");
        dataDir = Files.createTempDirectory("loadperf-freeze");
        pg = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(true).start();
        allocator = new RootAllocator();
    }

    @AfterAll
    static void stop() throws IOException {
        if (allocator != null) {
            allocator.close();
        }
        if (pg != null) {
            resume();
            pg.close();
        }
    }

    @ParameterizedTest(name = "{0}, parallelism {1}")
    @CsvSource({"APPEND, 1", "APPEND, 2", "OVERWRITE, 1"})
    void a_server_frozen_mid_copy_fails_the_load_in_bounded_time_keeping_whole_batches(LoadMode mode,
                                                                                        int parallelism)
            throws Exception {
        String table = PostgresTestServer.uniqueName("frozen");
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + TablePlan.quote(table) + " (id bigint, payload text)");
            st.execute("INSERT INTO " + TablePlan.quote(table) + " VALUES (-1, 'old'), (-2, 'old'), (-3, 'old')");
        }
        long before = 3;
        // Batch 1: reader batch 0. Batch 2: one row (which starts its COPY), then the big rows once frozen.
        List<Consumer<VectorSchemaRoot>> fillers = new ArrayList<>();
        fillers.add(ROWS.filler(TestRows.rows(0, BATCH_ROWS, i -> new Object[] {(long) i, "small"})));
        fillers.add(ROWS.filler(TestRows.rows(BATCH_ROWS, BATCH_ROWS + 1, i -> new Object[] {(long) i, "small"})));
        fillers.add(ROWS.filler(TestRows.rows(BATCH_ROWS + 1, 2 * BATCH_ROWS, i -> new Object[] {(long) i, BIG})));
        String app = PostgresTestServer.uniqueName("loadperf_freeze");
        BatchReader.BeforeBatch freezeInBatch2 = b -> {
            if (b == 2) {
                if (mode == LoadMode.APPEND) {
                    awaitRows(table, before + BATCH_ROWS);
                }
                awaitCopy(app);
                freeze();
            }
        };
        LoaderConfig config = loaderConfig().with("batch_size", BATCH_ROWS).with("parallelism", parallelism)
                .with("max_connections", 3).with("connection_params", Map.of("ApplicationName", app))
                .with("load_timeout_seconds", 2).with("connect_timeout_seconds", 2);
        Throwable thrown;
        try {
            thrown = assertTimeoutPreemptively(HANG_GUARD, () -> {
                try (Loader loader = new PostgresLoaderProvider().create(config);
                     BatchReader reader = new BatchReader(allocator, ROWS.schema(), fillers, freezeInBatch2)) {
                    return catchThrowable(() -> loader.loadTable(reader, table, mode));
                }
            }, "the load hung on the frozen server");
        } finally {
            resume();
        }

        String server = "localhost:" + pg.getPort() + "/postgres";
        assertThat(thrown).isInstanceOf(LoaderException.class)
                .hasMessageContaining("Loading batch 2 ")
                .hasMessageContaining("PostgreSQL at " + server)
                .hasMessageContaining("within load_timeout_seconds (2 s)");
        assertThat(thrown.getMessage()).doesNotContain(PASSWORD);
        // Batch 2's COPY had started when the server froze: the loader was blocked writing its rows.
        assertThat(thrown).hasMessageContaining("while sending the rows of batch 2 (COPY data)");
        try (Connection c = connect(); Statement st = c.createStatement()) {
            long expected = mode == LoadMode.APPEND ? before + BATCH_ROWS : before;
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + TablePlan.quote(table))) {
                rs.next();
                assertThat(rs.getLong(1)).as("rows stored: only whole batches").isEqualTo(expected);
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + TablePlan.quote(table)
                    + " WHERE id >= " + BATCH_ROWS)) {
                rs.next();
                assertThat(rs.getLong(1)).as("rows of the frozen batch").isZero();
            }
            st.execute("DROP TABLE " + TablePlan.quote(table));
        }
    }

    @Test
    void a_frozen_server_fails_the_loader_creation_in_bounded_time() throws Exception {
        Throwable thrown;
        try {
            freeze();
            thrown = assertTimeoutPreemptively(HANG_GUARD, () -> catchThrowable(() -> new PostgresLoaderProvider()
                    .create(loaderConfig().with("connect_timeout_seconds", 2)).close()),
                    "connecting hung on the frozen server");
        } finally {
            resume();
        }
        assertThat(thrown).isInstanceOf(LoaderException.class)
                .hasMessageContaining("Cannot connect to PostgreSQL at localhost:" + pg.getPort())
                .hasMessageContaining("database 'postgres'");
        assertThat(thrown.getMessage()).doesNotContain(PASSWORD);
    }

    private static LoaderConfig loaderConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", "localhost");
        m.put("port", pg.getPort());
        m.put("database", "postgres");
        m.put("user", "postgres");
        m.put("password", PASSWORD);
        return LoaderConfig.of(m);
    }

    private static Connection connect() throws SQLException {
        return pg.getPostgresDatabase().getConnection();
    }

    /** Waits until the first batch is committed (the parallel workers commit on their own threads). */
    private static void awaitRows(String table, long rows) throws Exception {
        while (true) {
            try (Connection c = connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM " + TablePlan.quote(table))) {
                rs.next();
                if (rs.getLong(1) >= rows) {
                    return;
                }
            }
            Thread.sleep(20);
        }
    }

    /** Waits until a backend of {@code app} runs a COPY (the parallel workers start theirs on their own threads). */
    private static void awaitCopy(String app) throws Exception {
        while (true) {
            try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM"
                    + " pg_stat_activity WHERE application_name = ? AND query LIKE 'COPY %' AND state = 'active'")) {
                ps.setString(1, app);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return;
                    }
                }
            }
            Thread.sleep(20);
        }
    }

    /** Stops the postmaster first (so it forks nothing new), then every process it started. */
    private static void freeze() throws Exception {
        long postmaster = postmasterPid();
        signal("-STOP", List.of(postmaster));
        signal("-STOP", ProcessHandle.of(postmaster).orElseThrow().descendants().map(ProcessHandle::pid).toList());
    }

    private static void resume() {
        try {
            long postmaster = postmasterPid();
            List<Long> pids = new ArrayList<>(ProcessHandle.of(postmaster).map(p -> p.descendants()
                    .map(ProcessHandle::pid).toList()).orElse(List.of()));
            pids.add(postmaster);
            signal("-CONT", pids);
        } catch (Exception e) {
            throw new IllegalStateException("cannot resume the frozen PostgreSQL", e);
        }
    }

    private static long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    }

    private static void signal(String signal, List<Long> pids) throws Exception {
        if (pids.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of("kill", signal));
        pids.forEach(p -> command.add(String.valueOf(p)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("kill " + signal + " did not finish");
        }
    }
}
