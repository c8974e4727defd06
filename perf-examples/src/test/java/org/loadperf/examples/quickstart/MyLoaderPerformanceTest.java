package org.loadperf.examples.quickstart;

// The README's Quick start, verbatim from "// region" to "// endregion" (ReadmeSnippetsTest). Built by this module
// and, standing alone, by downstream/pom.xml (`make downstream-check`).
// region quickstart
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.core.discovery.Loaders;
import org.loadperf.core.dataset.PerfDatasets;
import org.loadperf.core.PerfRunner;
import org.loadperf.core.settings.PerfSettings;

@Tag("performance")
class MyLoaderPerformanceTest {
    static PerfRunner runner;

    @BeforeAll
    static void start() {
        runner = PerfRunner.fromEnvironment();      // PERF_* settings, ./performance_benchmarks.json
    }

    @AfterAll
    static void stop() {
        if (runner != null) {
            runner.close();                         // prints the summary table, writes target/perf-report/
        }
    }

    @Test
    void my_table_loading_performance() {
        PerfSettings settings = PerfSettings.load(); // system properties, environment, .env.test
        int rows = settings.testSize();             // PERF_TEST_SIZE, default 50,000
        LoaderConfig config = LoaderConfig.of(Map.of(
                "host", settings.get("POSTGRES_HOST", "localhost"),
                "port", settings.get("POSTGRES_PORT", "5432"),
                "database", settings.get("POSTGRES_DB", "test"),
                "user", settings.get("POSTGRES_USER", "postgres"),
                "password", settings.get("POSTGRES_PASSWORD", "")));
        try (Loader loader = Loaders.create("postgresql", config)) {
            BenchmarkResult result = runner.run(Benchmark.builder("my_table_loading_performance", "postgresql")
                    .datasetSize(rows)
                    .body(ctx -> {                  // measured
                        try (ArrowReader data = PerfDatasets.performance(ctx.allocator(), rows, 10_000)) {
                            // OVERWRITE empties the table and loads it in one transaction
                            return loader.loadTable(data, "my_perf_table", LoadMode.OVERWRITE).rowsLoaded();
                        }
                    })
                    .build());
            assertEquals(rows, result.datasetSize());
            assertTrue(result.median(Metric.THROUGHPUT) > 1_000, "rows/sec: " + result.median(Metric.THROUGHPUT));
            // a regression fails the build with PERF_FAIL_ON_REGRESSION=true (PerformanceRegressionError)
        }
    }
}
// endregion
