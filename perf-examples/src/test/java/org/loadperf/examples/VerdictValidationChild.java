package org.loadperf.examples;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkContext;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Reporter;
import org.loadperf.api.Verdict;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.core.PairedComparison;
import org.loadperf.core.PerfRunner;
import org.loadperf.core.dataset.PerfDatasets;
import org.loadperf.core.dataset.RecordedDataset;
import org.loadperf.core.discovery.Loaders;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.InMemoryBaselineStore;
import org.loadperf.postgres.PostgresTestServer;

/**
 * One run of the validation benchmarks in a JVM of its own, as a user runs them: a {@link PerfRunner} with the
 * settings of the environment (and {@code -Dperf.store}) runs the two benchmarks and prints one line per benchmark
 * for {@link VerdictValidationBenchmark} to read. The two benchmarks:
 * <ul>
 *   <li>{@code validation_cpu_memory_workload}: a fixed CPU-and-memory workload (sort, hash map, strings);</li>
 *   <li>{@code postgresql_validation_load}: the guide's dataset loaded by the PostgreSQL loader (binary COPY) into
 *       the server of {@code POSTGRES_HOST} (the parent passes its own, embedded or not), into a table truncated
 *       before each iteration.</li>
 * </ul>
 *
 * <p>A line: key, status, the first look's status (before confirmation), any metric REGRESSION, change, bound,
 * detection limit, the first warm-up's seconds, the throughput samples, warm-ups, the status the throughput
 * verdict would have had without the machine-speed correction, the run's machine speed.
 *
 * <p>Arguments: {@code <slowdown %>} (0 for none), or {@code paired <slowdown %>}. A slowdown of x% is injected as
 * extra arithmetic after the body, run until the iteration has taken {@code 100 / (100 - x)} times what the body
 * took, so that the throughput of every slowed iteration is exactly x% lower than the same iteration would have
 * been; the extra work meets the same machine load as the body.
 */
public final class VerdictValidationChild {

    static final String CPU_KEY = "validation_cpu_memory_workload";
    static final String LOAD_KEY = "postgresql_validation_load";
    private static volatile long sink;

    private VerdictValidationChild() {
    }

    /** The fixed CPU-and-memory workload: about {@code rows} * 10 operations of sorting, hashing and strings. */
    static long cpuMemoryWork(int rows) {
        int n = rows * 10;
        long[] a = new long[n];
        long x = 12345;
        for (int i = 0; i < n; i++) {
            x = x * 2862933555777941757L + 3037000493L;
            a[i] = x >>> 7;
        }
        java.util.Arrays.sort(a);
        Map<String, Long> m = new HashMap<>();
        for (int i = 0; i < n; i += 4) {
            m.merge("k" + (a[i] % 5003), a[i], Long::sum);
        }
        sink = m.size() + a[n / 3];
        return rows;
    }

    /** Extra arithmetic until {@code deadline} ({@link System#nanoTime()}). */
    static void extraWorkUntil(long deadline) {
        long acc = sink;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 200; i++) {
                acc = acc * 6364136223846793005L + (acc >>> 13) + i;
            }
        }
        sink = acc;
    }

    /** Runs {@code work}, then extra work so that the whole takes {@code 100 / (100 - slowdown)} of its time. */
    static long slowed(double slowdown, Benchmark.Body work, BenchmarkContext ctx) throws Exception {
        long t0 = System.nanoTime();
        long rows = work.run(ctx);
        if (slowdown > 0) {
            long took = System.nanoTime() - t0;
            extraWorkUntil(t0 + Math.round(took * 100.0 / (100.0 - slowdown)));
        }
        return rows;
    }

    /** The guide's dataset recorded once, and the table it is loaded into. */
    private static final class PostgresLoad implements AutoCloseable {
        private final String table;
        private RecordedDataset data;
        private Loader loader;

        PostgresLoad(String table) {
            this.table = table;
        }

        void setup(BenchmarkContext ctx, int rows) throws Exception {
            try (ArrowReader source = PerfDatasets.performance(ctx.allocator(), rows,
                    PerfDatasets.DEFAULT_BATCH_SIZE)) {
                data = RecordedDataset.record(source, ctx.allocator());
            }
            loader = Loaders.create("postgresql", PostgresTestServer.shared().loaderConfig());
            try (Connection c = PostgresTestServer.shared().connect(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + table);
            }
        }

        void truncate() throws SQLException {
            PostgresTestServer.shared().truncateIfExists(table);
        }

        long load(BenchmarkContext ctx) throws Exception {
            try (ArrowReader r = data.reader(ctx.allocator())) {
                return loader.loadTable(r, table, LoadMode.APPEND).rowsLoaded();
            }
        }

        @Override
        public void close() {
            if (loader != null) {
                loader.close();
            }
            if (data != null) {
                data.close();
            }
        }
    }

    /** The two benchmarks, slowed by {@code slowdown} percent. */
    static List<Benchmark> benchmarks(int rows, double slowdown, String suffix) {
        return benchmarks(rows, slowdown, suffix, suffix);
    }

    /** The two benchmarks with keys ending in {@code suffix}, the table's name in {@code tableSuffix}. */
    static List<Benchmark> benchmarks(int rows, double slowdown, String suffix, String tableSuffix) {
        Benchmark cpu = Benchmark.builder("cpu_memory_workload" + suffix, "validation").datasetSize(rows)
                .body(ctx -> slowed(slowdown, c -> cpuMemoryWork(rows), ctx)).build();
        PostgresLoad pg = new PostgresLoad("perf_validation_load" + tableSuffix);
        Benchmark load = Benchmark.builder("validation_load" + suffix, "postgresql").datasetSize(rows)
                .setup(ctx -> pg.setup(ctx, rows))
                .beforeEach(ctx -> pg.truncate())
                .body(ctx -> slowed(slowdown, pg::load, ctx))
                .teardown(ctx -> pg.close())
                .build();
        return List.of(cpu, load);
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("paired")) {
            paired(Double.parseDouble(args[1]));
            return;
        }
        double slowdown = Double.parseDouble(args[0]);
        int rows = PerfSettings.load().testSize();
        Map<String, Double> warmupSeconds = new HashMap<>();
        Reporter capture = new Reporter() {
            @Override
            public void iterationFinished(Benchmark benchmark, int index, int total, boolean warmup, double seconds,
                                          double elapsed) {
                if (warmup && index == 1) {
                    warmupSeconds.put(benchmark.key(), seconds);
                }
            }
        };
        long t0 = System.nanoTime();
        List<String> lines = new ArrayList<>();
        try (PerfRunner runner = PerfRunner.builder().reporter(capture).build()) {
            for (Benchmark b : benchmarks(rows, slowdown, "")) {
                BenchmarkResult r = runner.run(b);
                Verdict v = r.verdict(Metric.THROUGHPUT).orElseThrow();
                String first = r.notes().stream().filter(n -> n.startsWith("confirmation:")).findFirst()
                        .map(n -> n.contains("REGRESSION (throughput)") ? "REGRESSION"
                                : n.contains("INCONCLUSIVE (throughput)") ? "INCONCLUSIVE" : "OK")
                        .orElse(v.status().toString());
                String uncorrected = r.notes().stream().filter(n -> n.startsWith("throughput corrected for the "
                        + "machine's speed")).findFirst().map(n -> n.substring(n.lastIndexOf("uncorrected: ") + 13)
                        .split(",")[0]).orElse(v.status().toString());
                lines.add(line(r.key(), v, first, r.hasRegression(), warmupSeconds.getOrDefault(r.key(), Double.NaN),
                        r.samples().get(Metric.THROUGHPUT), r.warmupIterations()) + " " + uncorrected + " "
                        + r.fingerprint().getOrDefault("run_speed_ops_per_sec", "NaN") + " "
                        + changePoints(r.verdicts(), r.notes()));
            }
        }
        lines.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "VALIDATION_TIME %.3f%n", (System.nanoTime() - t0) / 1e9);
    }

    /**
     * What the change-point search said in this run: the metrics whose REGRESSION a change point carries ("-" for
     * none), and how many change points it reported without a verdict (notes).
     */
    static String changePoints(List<Verdict> verdicts, List<String> notes) {
        String carried = verdicts.stream().filter(v -> v.status() == Verdict.Status.REGRESSION
                && "change-point".equals(v.method())).map(v -> v.metric().key()).collect(Collectors.joining(","));
        long noted = notes.stream().filter(n -> n.contains(": change point,")).count();
        return (carried.isEmpty() ? "-" : carried) + " " + noted;
    }

    private static String line(String key, Verdict v, String firstLook, boolean any, double warmupSeconds,
                               List<Double> samples, int warmups) {
        String s = samples.stream().map(d -> String.format(Locale.ROOT, "%.1f", d)).collect(Collectors.joining(","));
        return String.format(Locale.ROOT, "VALIDATION %s %s %s %s %.3f %.3f %.3f %.6f %s %d", key, v.status(),
                firstLook, any, v.regressionPercent(), v.confidenceBound(), v.minDetectablePercent(), warmupSeconds,
                s, warmups);
    }

    /** Paired mode: the unchanged benchmark against the slowed one, interleaved in this JVM. */
    static void paired(double slowdown) throws Exception {
        int rows = PerfSettings.load().testSize();
        long t0 = System.nanoTime();
        List<String> lines = new ArrayList<>();
        try (PerfRunner runner = PerfRunner.builder().store(new InMemoryBaselineStore())
                .reporter(new Reporter() { }).build()) {
            List<Benchmark> base = benchmarks(rows, 0, "");
            List<Benchmark> cand = benchmarks(rows, slowdown, "_candidate");
            for (int i = 0; i < base.size(); i++) {
                PairedComparison c = runner.compare(base.get(i), cand.get(i));
                Verdict v = c.verdict(Metric.THROUGHPUT).orElseThrow();
                lines.add(line(c.baselineKey(), v, v.status().toString(), c.hasRegression(), Double.NaN,
                        c.baselineSamples().get(Metric.THROUGHPUT), 0) + " " + v.status() + " NaN "
                        + changePoints(List.of(), List.of()));
            }
        }
        lines.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "VALIDATION_TIME %.3f%n", (System.nanoTime() - t0) / 1e9);
    }
}
