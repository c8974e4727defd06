package org.loadperf.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Thresholds;
import org.loadperf.api.Verdict;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.core.PerfRunner;
import org.loadperf.core.dataset.PerfDatasets;
import org.loadperf.core.dataset.RecordedDataset;
import org.loadperf.core.discovery.Loaders;
import org.loadperf.core.store.JsonFileBaselineStore;

/**
 * A performance test as a user writes one in their own project (with {@code org.loadperf:perf-core} as a test
 * dependency): a {@link Benchmark} around a load, a {@link PerfRunner} with the team's own thresholds, assertions
 * on the {@link BenchmarkResult}.
 *
 * <p>It is a plain unit test here (fast, no tag). A real project would tag it {@code @Tag("performance")}, keep the
 * default store ({@code performance_benchmarks.json}, committed with the code) and let
 * {@code PERF_FAIL_ON_REGRESSION=true} fail CI on a regression.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CsvExportPerformanceTest {

    private static final int ROWS = 20_000;

    @TempDir
    static Path work;
    static PerfRunner runner;
    static Loader csv;

    @BeforeAll
    static void start() {
        runner = PerfRunner.builder()
                // a fresh store, so that this example behaves the same on every run; yours would keep the default
                .store(JsonFileBaselineStore.at(work.resolve("performance_benchmarks.json")))
                // this team accepts more noise than the guide's 5% / 10% / 10%
                .thresholds(Thresholds.defaults().with(Metric.THROUGHPUT, 15.0).with(Metric.MEMORY, 25.0)
                        .with(Metric.DURATION, 20.0))
                .warmupIterations(1)
                .measuredIterations(5) // at least; more until PERF_MEASURE_SECONDS (1 s) have passed
                .build(); // the console summary and target/perf-report/ come with it
        csv = Loaders.create("csv", LoaderConfig.of(Map.of("directory", work.resolve("out").toString())));
    }

    @AfterAll
    static void stop() {
        if (csv != null) { // null when start() failed: its error is the one to see
            csv.close();
        }
        if (runner != null) {
            runner.close(); // prints the summary table and writes the reports
        }
    }

    // region benchmark (the README's text, checked by ReadmeSnippetsTest)
    /** The load to measure: the guide's dataset, recorded once, replayed into a CSV file per iteration. */
    private static Benchmark csvExport() {
        RecordedDataset[] data = new RecordedDataset[1];
        return Benchmark.builder("csv_export_performance", "csv")
                .datasetSize(ROWS)
                .setup(ctx -> {          // not measured: make the data once
                    try (ArrowReader source = PerfDatasets.performance(ctx.allocator(), ROWS, 5_000)) {
                        data[0] = RecordedDataset.record(source, ctx.allocator());
                    }
                })
                .body(ctx -> {           // measured: the load alone
                    try (ArrowReader rows = data[0].reader(ctx.allocator())) {
                        return csv.loadTable(rows, "events", LoadMode.OVERWRITE).rowsLoaded();
                    }
                })
                .teardown(ctx -> data[0].close())
                .build();
    }
    // endregion

    @Test
    @Order(1)
    void firstRunBecomesTheBaseline() {
        BenchmarkResult result = runner.run(csvExport());

        assertEquals("csv_csv_export_performance", result.key());
        // at least 5 timed iterations, more until 1 s has passed (PERF_MEASURE_SECONDS), at most 100; the heap
        // is measured in 5 memory iterations of their own, before them
        int n = result.measuredIterations();
        assertTrue(n >= 5 && n <= 100, "measured iterations: " + n);
        assertEquals(5, result.samples().get(Metric.MEMORY).size());
        assertEquals(n, result.samples().get(Metric.THROUGHPUT).size());
        assertTrue(result.samples().get(Metric.THROUGHPUT).stream().allMatch(v -> v > 0), "throughput samples");
        // the guide's floor for a loader is printed (a busy machine moves it); only 100x under it fails. Memory is
        // bounded by a 10,000-row chunk, not the table.
        System.out.printf("csv_export_performance: %,.0f rows/s against the guide's floor of 1,000 rows/s%n",
                result.median(Metric.THROUGHPUT));
        assertTrue(result.median(Metric.THROUGHPUT) > 10, "CSV throughput 100x under the guide's floor");
        assertTrue(result.median(Metric.MEMORY) < 256, "memory of a streamed load: " + result.median(Metric.MEMORY));
        assertTrue(result.verdicts().stream().allMatch(v -> v.status() == Verdict.Status.NO_BASELINE),
                "first run: " + result.verdicts());
        assertTrue(runner.store().baseline(result.key()).isPresent(), "recorded as the baseline");
    }

    @Test
    @Order(2)
    void secondRunIsComparedWithTheTeamsThresholds() {
        BenchmarkResult result = runner.run(csvExport());

        Verdict throughput = result.verdict(Metric.THROUGHPUT).orElseThrow();
        assertNotEquals(Verdict.Status.NO_BASELINE, throughput.status());
        assertEquals(15.0, throughput.thresholdPercent());
        assertTrue(throughput.baseline() > 0, "baseline throughput");
        assertEquals(25.0, result.verdict(Metric.MEMORY).orElseThrow().thresholdPercent());
        assertEquals(2, runner.store().history(result.key()).size());
        // on a quiet machine you would also assert: assertFalse(result.hasRegression());
    }
}
