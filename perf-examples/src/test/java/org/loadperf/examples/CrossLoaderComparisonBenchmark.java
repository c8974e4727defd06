package org.loadperf.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.core.dataset.PerfDatasets;
import org.loadperf.core.PerfRunner;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.dataset.RecordedDataset;

/**
 * The guide's cross-loader comparisons, over every loader on the class path (the built-in ones and any custom
 * one, such as the example CSV loader): each loads the same data, recorded per loader as
 * {@code {loader}_{test}}, and the figures are printed side by side.
 *
 * <p>The data is made once per benchmark (not measured) and replayed without copying; before every iteration the
 * target table is emptied (not measured), so every loader does the same thing: append the rows into an empty
 * table. Table names carry this run's id, so that runs on one server do not meet, and every table the suite
 * created on a shared server is dropped at its end.
 */
@Tag("performance")
@Tag("cross_loader")
class CrossLoaderComparisonBenchmark {

    /** The guide's scaling sizes at its default dataset (50,000 rows); scaled by PERF_TEST_SIZE / 50,000. */
    private static final List<Integer> SCALING_SIZES = List.of(10_000, 100_000, 1_000_000);
    /** This run's table names: {@code examples_xl_<test>_<run>}. */
    private static final String RUN = Long.toString(System.nanoTime() & 0xffffffffL, 36);
    private static final java.util.Set<String> TABLES = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @TempDir
    static Path work;
    static PerfSettings settings;
    static PerfRunner runner;
    static ComparedLoaders loaders;

    @BeforeAll
    static void start() {
        settings = PerfSettings.load();
        runner = PerfRunner.builder(settings).build();
        loaders = ComparedLoaders.discover(work, settings);
        loaders.skipped().forEach((type, why) -> System.out.println("Not compared: " + type + " (" + why + ")"));
        assertThat(loaders.targets()).as("loaders to compare").isNotEmpty();
    }

    @AfterAll
    static void stop() {
        try {
            if (loaders != null) {
                try {
                    loaders.targets().forEach(t -> t.drop(TABLES));
                } finally {
                    loaders.close();
                }
            }
        } finally {
            if (runner != null) {
                runner.close();
            }
        }
    }

    /** A benchmark of {@code target} appending {@code rows} rows of {@code data} into {@code table}. */
    private static Benchmark load(ComparedLoaders.Target target, String test, String tablePrefix, long rows,
                                  Function<BufferAllocator, ArrowReader> data) {
        String table = tablePrefix + "_" + RUN;
        TABLES.add(table);
        RecordedDataset[] recorded = new RecordedDataset[1];
        return Benchmark.builder(test, target.benchmarkName())
                .datasetSize(rows)
                .setup(ctx -> {
                    try (ArrowReader source = data.apply(ctx.allocator())) {
                        recorded[0] = RecordedDataset.record(source, ctx.allocator());
                    }
                })
                .beforeEach(ctx -> target.clear(table, recorded[0].schema(), ctx.allocator()))
                .body(ctx -> {
                    try (ArrowReader rowsIn = recorded[0].reader(ctx.allocator())) {
                        return target.loader(table).loadTable(rowsIn, table, LoadMode.APPEND).rowsLoaded();
                    }
                })
                .teardown(ctx -> {
                    try {
                        target.clear(table, recorded[0].schema(), ctx.allocator()); // leave no rows on shared servers
                    } finally {
                        recorded[0].close();
                    }
                })
                .build();
    }

    private static Map<String, BenchmarkResult> runMedium(String test) {
        Map<String, BenchmarkResult> results = new LinkedHashMap<>();
        for (ComparedLoaders.Target t : loaders.targets()) {
            BenchmarkResult r = runner.run(load(t, test, "examples_xl_" + test, PerfDatasets.MEDIUM_ROWS,
                    PerfDatasets::medium));
            assertThat(r.samples().get(Metric.THROUGHPUT)).as(r.key()).allSatisfy(v -> assertThat(v).isPositive());
            results.put(t.benchmarkName(), r);
        }
        return results;
    }

    private static void print(String title, Map<String, BenchmarkResult> results, Metric metric, String format) {
        Comparator<BenchmarkResult> order = Comparator.comparingDouble(r -> r.median(metric));
        List<BenchmarkResult> sorted = results.values().stream()
                .sorted(metric.higherIsBetter() ? order.reversed() : order).toList();
        StringBuilder sb = new StringBuilder(title).append('\n');
        BenchmarkResult best = sorted.get(0);
        for (BenchmarkResult r : sorted) {
            // the ratio to the best loader, measured in this same run
            sb.append(String.format(Locale.ROOT, "  %s: " + format + "%s%n", r.loaderType(), r.median(metric),
                    r == best ? "" : String.format(Locale.ROOT, " (%.2fx %s)", r.median(metric) / best.median(metric),
                            best.loaderType())));
        }
        System.out.print(sb);
    }

    @Test
    void throughput_comparison() {
        Map<String, BenchmarkResult> results = runMedium("throughput_comparison");
        print("Throughput comparison (rows/sec):", results, Metric.THROUGHPUT, "%,.0f");
        assertThat(results).hasSize(loaders.targets().size());
    }

    /**
     * What each loader needs, allocates and stores, side by side at the guide's 10k, 100k and 1M rows (scaled by
     * PERF_TEST_SIZE): the loads of the scaling sweep ({@link #sweep()}, recorded as
     * {@code scaling_characteristics_<rows>}, names that say the rows that ran), not a sweep of their own. The
     * runner owns each loader, so what it holds from its creation counts. A streaming loader's needed memory should
     * not follow the rows: its figure at the largest step is printed against its figure at the middle one (at most
     * 1.2x).
     */
    @Test
    void memory_usage_comparison() {
        StringBuilder report = new StringBuilder("Memory usage comparison (PERF_TEST_SIZE=" + settings.testSize()
                + ", the loads of scaling_characteristics):\n").append(String.format(Locale.ROOT,
                "  %-12s %10s %12s %14s %14s%n", "loader", "rows", "needed MB", "alloc B/row", "stored B/row"));
        for (Map.Entry<String, List<Step>> e : sweep().entrySet()) {
            List<Step> steps = e.getValue();
            for (Step s : steps) {
                BenchmarkResult r = s.result();
                report.append(String.format(Locale.ROOT, "  %-12s %,10d %12.1f %,14.0f %,14.1f%n", e.getKey(),
                        r.datasetSize(), r.median(Metric.MEMORY), r.median(Metric.ALLOCATED_BYTES_PER_ROW),
                        s.storedPerRow()));
                assertThat(r.samples().get(Metric.ALLOCATED_BYTES_PER_ROW)).as(r.key() + " allocation")
                        .allSatisfy(v -> assertThat(v).isPositive());
                assertThat(s.storedPerRow()).as(r.key() + " stored bytes per row").isPositive();
            }
            BenchmarkResult mid = steps.get(steps.size() - 2).result();
            BenchmarkResult large = steps.get(steps.size() - 1).result();
            double ratio = large.median(Metric.MEMORY) / Math.max(mid.median(Metric.MEMORY), 1e-9);
            report.append(String.format(Locale.ROOT, "  %-12s needed memory at %s rows / at %s rows: %.2fx (%s)%n",
                    e.getKey(), label((int) large.datasetSize()), label((int) mid.datasetSize()), ratio,
                    ratio <= STREAMING_MEMORY_RATIO ? "streams: at most " + STREAMING_MEMORY_RATIO + "x"
                            : "more than " + STREAMING_MEMORY_RATIO + "x: memory follows the rows"));
        }
        System.out.print(report);
    }

    /** A streaming loader's needed memory at 10x the rows may be at most this multiple of its figure. */
    static final double STREAMING_MEMORY_RATIO = 1.2;

    /** One load size of the sweep: its result and the bytes per row the loader said it stored. */
    record Step(BenchmarkResult result, double storedPerRow) {
    }

    private static Map<String, List<Step>> sweep;

    /**
     * The scaling sweep, run once for both tests that read it: every loader at the three scaled sizes, each a
     * benchmark whose loader the runner owns.
     */
    private static synchronized Map<String, List<Step>> sweep() {
        if (sweep == null) {
            Map<String, List<Step>> out = new LinkedHashMap<>();
            for (ComparedLoaders.Target t : loaders.targets()) {
                List<Step> steps = new ArrayList<>();
                for (int guideRows : SCALING_SIZES) {
                    int rows = scaled(guideRows, settings.testSize());
                    double[] storedPerRow = {Double.NaN};
                    BenchmarkResult r = runner.run(ownedLoad(t, "scaling_characteristics_" + label(rows),
                            "examples_xl_scaling", rows, storedPerRow));
                    steps.add(new Step(r, storedPerRow[0]));
                }
                out.put(t.benchmarkName(), List.copyOf(steps));
            }
            sweep = out;
        }
        return sweep;
    }

    /**
     * Like {@link #load}, but the runner owns the loader (one per benchmark, closed after it) and the body reports
     * its load result, whose {@code stored_bytes_per_row} lands in {@code storedPerRow} and in the record.
     */
    private static Benchmark ownedLoad(ComparedLoaders.Target target, String test, String tablePrefix, int rows,
                                       double[] storedPerRow) {
        String table = tablePrefix + "_" + RUN;
        TABLES.add(table);
        RecordedDataset[] recorded = new RecordedDataset[1];
        return Benchmark.builder(test, target.benchmarkName())
                .datasetSize(rows)
                .loader(() -> target.create(table))
                .setup(ctx -> {
                    try (ArrowReader source = PerfDatasets.performance(ctx.allocator(), rows,
                            PerfDatasets.DEFAULT_BATCH_SIZE)) {
                        recorded[0] = RecordedDataset.record(source, ctx.allocator());
                    }
                })
                .beforeEach(ctx -> ComparedLoaders.Target.clear(ctx.loader(), table, recorded[0].schema(),
                        ctx.allocator()))
                .body(ctx -> {
                    try (ArrowReader rowsIn = recorded[0].reader(ctx.allocator())) {
                        LoadResult result = ctx.loader().loadTable(rowsIn, table, LoadMode.APPEND);
                        ctx.report(result);
                        if (!ctx.warmup() && result.metadata().get("stored_bytes_per_row") instanceof Number n) {
                            storedPerRow[0] = n.doubleValue();
                        }
                        return result.rowsLoaded();
                    }
                })
                .teardown(ctx -> {
                    try {
                        ComparedLoaders.Target.clear(ctx.loader(), table, recorded[0].schema(), ctx.allocator());
                    } finally {
                        recorded[0].close();
                    }
                })
                .build();
    }

    /** Rows of a scaling step at this PERF_TEST_SIZE (at least 100). */
    static int scaled(int guideRows, int testSize) {
        return (int) Math.max(100, Math.round(guideRows * (testSize / 50_000.0)));
    }

    /** A row count as a benchmark name says it: 1m, 200k, 2k, 400. */
    static String label(int rows) {
        if (rows % 1_000_000 == 0) {
            return rows / 1_000_000 + "m";
        }
        return rows % 1_000 == 0 ? rows / 1_000 + "k" : Integer.toString(rows);
    }

    @Test
    void scaling_characteristics() {
        int testSize = settings.testSize();
        StringBuilder report = new StringBuilder("Scaling characteristics (PERF_TEST_SIZE=" + testSize + "):\n");
        List<String> flags = new ArrayList<>();
        for (Map.Entry<String, List<Step>> e : sweep().entrySet()) {
            List<BenchmarkResult> steps = e.getValue().stream().map(Step::result).toList();
            Scaling s = Scaling.of(steps);
            String name = e.getKey();
            report.append("  ").append(name).append(":\n");
            for (BenchmarkResult r : steps) {
                report.append(String.format(Locale.ROOT, "    %,10d rows: %,12.0f rows/sec  %8.1f MB  %8.3f s%n",
                        r.datasetSize(), r.median(Metric.THROUGHPUT), r.median(Metric.MEMORY),
                        r.median(Metric.DURATION)));
            }
            report.append("    ").append(s.describe()).append('\n');
            if (s.superlinearTime()) {
                flags.add(name + ": time grows faster than linearly");
            }
            if (s.memoryGrows()) {
                flags.add(name + ": memory grows with the row count");
            }
            for (BenchmarkResult r : steps) {
                assertThat(r.samples().get(Metric.THROUGHPUT)).as(r.key()).allSatisfy(v -> assertThat(v).isPositive());
            }
        }
        flags.forEach(f -> report.append("  ⚠️  ").append(f).append('\n'));
        if (flags.isEmpty()) {
            report.append("  every loader: time linear in the row count, memory flat\n");
        }
        System.out.print(report);
    }

    /**
     * How time and memory change from the middle to the largest step (the smallest mostly measures fixed costs).
     * Both ratios come from one process, so they hold on any machine.
     */
    record Scaling(double rowRatio, double timePerRowRatio, double memorySmall, double memoryLarge) {

        /**
         * Time per row may grow this much from the middle to the largest step (10x the rows) before it counts as
         * superlinear: n log n stays under it, quadratic work (100x) is far past it, and so is the run-to-run noise
         * of a busy 2-core machine (up to ~1.4x seen here).
         */
        static final double TIME_TOLERANCE = 1.5;
        /** Memory may grow this much (MB) across all steps before it counts as growing with the rows. */
        static final double MEMORY_TOLERANCE_MB = 16.0;

        static Scaling of(List<BenchmarkResult> steps) {
            BenchmarkResult small = steps.get(0);
            BenchmarkResult mid = steps.get(steps.size() - 2);
            BenchmarkResult large = steps.get(steps.size() - 1);
            double perRowMid = mid.median(Metric.DURATION) / mid.datasetSize();
            double perRowLarge = large.median(Metric.DURATION) / large.datasetSize();
            return new Scaling((double) large.datasetSize() / mid.datasetSize(), perRowLarge / perRowMid,
                    small.median(Metric.MEMORY), large.median(Metric.MEMORY));
        }

        boolean superlinearTime() {
            return timePerRowRatio > TIME_TOLERANCE;
        }

        /** Memory is bounded by the batch size, so it should not follow the row count (100x from first to last). */
        boolean memoryGrows() {
            return memoryLarge - memorySmall > MEMORY_TOLERANCE_MB && memoryLarge > 2 * Math.max(memorySmall, 1.0);
        }

        String describe() {
            return String.format(Locale.ROOT, "%.0fx the rows took %.2fx the time per row (%s); memory %.1f -> %.1f MB"
                            + " (%s)", rowRatio, timePerRowRatio, superlinearTime() ? "faster than linear" : "linear",
                    memorySmall, memoryLarge, memoryGrows() ? "grows with the rows" : "flat");
        }
    }
}
