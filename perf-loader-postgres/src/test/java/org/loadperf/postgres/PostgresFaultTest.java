package org.loadperf.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderException;

/**
 * A server that drops the loader's connection in the middle of a COPY (pg_terminate_backend from another
 * connection, while the loader's reader holds the load mid-batch): the load fails naming the batch and the lost
 * connection, and no row of the interrupted batch is stored.
 */
class PostgresFaultTest {

    private static PostgresTestServer server;
    private static BufferAllocator allocator;

    private static final TestRows ROWS = new TestRows()
            .column("id", ArrowKinds.integer(64, true))
            .column("payload", ArrowKinds.text(false))
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

    @ParameterizedTest(name = "batch_size {0}, parallelism {1}")
    @CsvSource({"1000000, 1, 0", "10000, 1, 20000", "10000, 2, -1"})
    void connection_killed_mid_copy_fails_the_batch_without_partial_rows(int batchSize, int parallelism,
                                                                         long expectedRows) throws Exception {
        String table = PostgresTestServer.uniqueName("fault");
        String app = PostgresTestServer.uniqueName("loadperf_fault");
        AtomicInteger killed = new AtomicInteger();
        List<Consumer<VectorSchemaRoot>> fillers = new ArrayList<>();
        for (int b = 0; b < 12; b++) {
            int first = b * 5000;
            fillers.add(ROWS.filler(TestRows.rows(first, first + 5000,
                    i -> new Object[] {(long) i, "payload of row " + i + " ".repeat(i % 50), i * 1.5})));
        }
        BatchReader.BeforeBatch killDuringBatch5 = b -> {
            if (b == 5) {
                killed.set(terminateCopyBackends(app));
            }
        };
        try (Loader loader = new PostgresLoaderProvider().create(server.loaderConfig()
                .with("batch_size", batchSize).with("parallelism", parallelism).with("max_connections", 3)
                .with("connection_params", Map.of("ApplicationName", app)));
             BatchReader reader = new BatchReader(allocator, ROWS.schema(), fillers, killDuringBatch5)) {
            assertThatThrownBy(() -> loader.loadTable(reader, table, LoadMode.APPEND))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("Loading batch ")
                    .hasMessageMatching("(?s).*(connection to PostgreSQL at .* was lost|I/O error talking to"
                            + " PostgreSQL at ).*");
        }
        assertThat(killed.get()).as("backends terminated mid-COPY").isPositive();
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + TablePlan.quote(table))) {
                rs.next();
                long count = rs.getLong(1);
                if (expectedRows >= 0) {
                    assertThat(count).isEqualTo(expectedRows);
                } else {
                    assertThat(count % batchSize).as("only whole batches").isZero();
                    assertThat(count).isLessThan(60_000);
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + TablePlan.quote(table)
                    + " GROUP BY xmin::text HAVING count(*) <> " + Math.min(batchSize, 60_000))) {
                assertThat(rs.next()).as("a partial batch is stored").isFalse();
            }
            st.execute("DROP TABLE " + TablePlan.quote(table));
        }
    }

    /** Terminates the backends of {@code app} that are running a COPY, and waits until they are gone. */
    private static int terminateCopyBackends(String app) throws Exception {
        try (Connection c = server.connect()) {
            List<Integer> pids = new ArrayList<>();
            for (int attempt = 0; attempt < 100 && pids.isEmpty(); attempt++) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pid FROM pg_stat_activity"
                        + " WHERE application_name = ? AND query LIKE 'COPY %' AND state = 'active'")) {
                    ps.setString(1, app);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            pids.add(rs.getInt(1));
                        }
                    }
                }
                if (pids.isEmpty()) {
                    Thread.sleep(50);
                }
            }
            for (int pid : pids) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?, 5000)")) {
                    ps.setInt(1, pid);
                    ps.execute();
                }
            }
            return pids.size();
        }
    }
}
