package org.loadperf.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.core.measure.LatencySeries;
import org.loadperf.core.dataset.PerfDatasets;
import org.loadperf.core.PerfRunner;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.dataset.RecordedDataset;

/**
 * The streaming suite for PostgreSQL: consecutive appends of 1,000 rows into one table through one loader
 * ({@code LatencySeries.loads(PERF_TEST_SIZE)} of them; the test name says how many ran), per-load latency
 * percentiles in the store. Anchor in the same run: the same number of {@code \copy} statements of the same 1,000 rows
 * (CSV) in one psql session, each timed by psql's {@code \timing}, when psql is on the PATH.
 */
@Tag("performance")
@Tag("postgresql")
@Tag("streaming")
class PostgresStreamingPerformanceTest {

    static final int ROWS_PER_LOAD = 1_000;
    private static final Pattern TIME = Pattern.compile("^Time: ([0-9.]+) ms", Pattern.MULTILINE);

    @Test
    void streamingAppend() throws Exception {
        PostgresTestServer server = PostgresTestServer.shared();
        int loads = LatencySeries.loads(PerfSettings.load().testSize());
        String name = "streaming_append_" + loads + "x" + ROWS_PER_LOAD;
        String table = PostgresTestServer.uniqueName("perf_stream");
        String anchorTable = PostgresTestServer.uniqueName("perf_stream_psql");
        String warmupTable = PostgresTestServer.uniqueName("perf_stream_warmup");
        LatencySeries latency;
        Path csv = Files.createTempFile("loadperf-stream", ".csv");
        try (PerfRunner runner = PerfRunner.fromEnvironment();
             BufferAllocator allocator = new RootAllocator();
             Loader loader = new PostgresLoaderProvider().create(server.loaderConfig())) {
            RecordedDataset data;
            try (ArrowReader source = PerfDatasets.performance(allocator, ROWS_PER_LOAD, ROWS_PER_LOAD)) {
                data = RecordedDataset.record(source, allocator);
            }
            try (data) {
                try (ArrowReader reader = data.reader(allocator)) {
                    CopyAnchors.writeCsv(reader, csv);
                }
                // Unrecorded loads into a scratch table first: the JIT's first compilations are not the table's age.
                LatencySeries.warmUp(loads, i -> {
                    try (ArrowReader reader = data.reader(allocator)) {
                        loader.loadTable(reader, warmupTable, LoadMode.APPEND);
                    }
                });
                latency = LatencySeries.run(loads, i -> {
                    try (ArrowReader reader = data.reader(allocator)) {
                        loader.loadTable(reader, table, LoadMode.APPEND);
                    }
                });
                // The anchor's table: same columns, made by one empty load.
                try (ArrowReader reader = data.reader(allocator)) {
                    reader.loadNextBatch();
                    var root = reader.getVectorSchemaRoot();
                    root.setRowCount(0);
                    loader.loadBatch(root, anchorTable, LoadMode.APPEND);
                }
            }
            Map<String, Object> extras = new LinkedHashMap<>();
            extras.put("warmup_loads", LatencySeries.warmupLoads(loads));
            Optional<LatencySeries> psql = psqlCopies(server, anchorTable, csv, loads);
            if (psql.isPresent()) {
                extras.put("anchor", "psql \\copy of the same 1,000 rows (CSV), one session, \\timing per statement");
                extras.put("anchor_p50_ms", psql.get().percentileMillis(50));
                extras.put("anchor_p95_ms", psql.get().percentileMillis(95));
                extras.put("anchor_p99_ms", psql.get().percentileMillis(99));
            } else {
                extras.put("anchor", "none: psql is not on the PATH");
            }
            Map<String, Object> figures = latency.record(runner.store(), runner.settings(), name, "postgresql", ROWS_PER_LOAD,
                    latency.peakHeapMb(), extras).extras();
            System.out.printf("%s (postgresql): %s%n", name, LatencySeries.describe(figures));
            assertThat(count(server, table)).isEqualTo((long) loads * ROWS_PER_LOAD);
        } finally {
            Files.deleteIfExists(csv);
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + TablePlan.quote(table));
                st.execute("DROP TABLE IF EXISTS " + TablePlan.quote(anchorTable));
                st.execute("DROP TABLE IF EXISTS " + TablePlan.quote(warmupTable));
            }
        }
    }

    private static long count(PostgresTestServer server, String table) throws Exception {
        try (Connection c = server.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + TablePlan.quote(table))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@code n} timed {@code \copy} statements of {@code csv} into {@code table} in one psql session. */
    private static Optional<LatencySeries> psqlCopies(PostgresTestServer server, String table, Path csv, int n)
            throws Exception {
        Optional<Path> psql = CopyAnchors.onPath("psql");
        if (psql.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder script = new StringBuilder("\\timing on\n");
        for (int i = 0; i < n; i++) {
            script.append("\\copy ").append(TablePlan.quote(table)).append(" FROM '").append(csv)
                    .append("' WITH (FORMAT csv)\n");
        }
        ProcessBuilder pb = new ProcessBuilder(psql.get().toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-h", server.host(), "-p", String.valueOf(server.port()), "-U", server.user(),
                "-d", server.database());
        PerfSettings.load().get("POSTGRES_PASSWORD").filter(p -> !p.isEmpty())
                .ifPresent(p -> pb.environment().put("PGPASSWORD", p));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(script.toString().getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("psql finished").isTrue();
        assertThat(p.exitValue()).as("psql \\copy failed: %s", out).isZero();
        LatencySeries s = new LatencySeries();
        Matcher m = TIME.matcher(out);
        while (m.find()) {
            s.add((long) (Double.parseDouble(m.group(1)) * 1e6));
        }
        assertThat(s.count()).as("psql timings in: %s", out).isEqualTo(n);
        assertThat(count(server, table)).isEqualTo((long) n * ROWS_PER_LOAD);
        return Optional.of(s);
    }
}
