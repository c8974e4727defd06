package org.loadperf.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.Benchmark;
import org.loadperf.api.Metric;
import org.loadperf.api.Verdict;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.core.store.InMemoryBaselineStore;
import org.loadperf.core.discovery.Loaders;
import org.loadperf.core.PairedComparison;
import org.loadperf.core.dataset.PerfDatasets;
import org.loadperf.core.PerfRunner;

/** The README's paired mode: two batch sizes of the CSV loader, compared pair by pair in one process. */
class PairedComparisonExampleTest {

    private static final int ROWS = 5_000;

    @TempDir
    Path work;

    private Benchmark csvLoad(String test, Loader csv) {
        return Benchmark.builder(test, "csv")
                .datasetSize(ROWS)
                .body(ctx -> {
                    try (ArrowReader data = PerfDatasets.performance(ctx.allocator(), ROWS, 1_000)) {
                        return csv.loadTable(data, test, LoadMode.OVERWRITE).rowsLoaded();
                    }
                })
                .build();
    }

    @Test
    void comparesTwoBatchSizes() {
        try (PerfRunner runner = PerfRunner.builder().store(new InMemoryBaselineStore())
                .warmupIterations(1).warmupTime(Duration.ZERO).pairs(3).pairedTime(Duration.ZERO).build();
             Loader small = Loaders.create("csv", LoaderConfig.of(Map.of("directory", work.toString(),
                     "batch_size", 100)));
             Loader large = Loaders.create("csv", LoaderConfig.of(Map.of("directory", work.toString(),
                     "batch_size", 5_000)))) {
            Benchmark baselineBenchmark = csvLoad("batch_size_100", small);
            Benchmark candidateBenchmark = csvLoad("batch_size_5000", large);
            // region paired (the README's text, checked by ReadmeSnippetsTest)
            PairedComparison c = runner.compare(baselineBenchmark, candidateBenchmark);   // e.g. two batch sizes
            Verdict.Status status = c.verdict(Metric.THROUGHPUT).orElseThrow().status();
            // endregion
            assertThat(c.pairs()).isEqualTo(3);
            assertThat(c.candidateKey()).isEqualTo("csv_batch_size_5000");
            assertThat(status).isNotEqualTo(Verdict.Status.NO_BASELINE);
        }
    }
}
