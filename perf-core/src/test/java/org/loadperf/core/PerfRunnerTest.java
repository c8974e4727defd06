package org.loadperf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.loadperf.api.BaselinePolicy;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Verdict;
import org.loadperf.core.dataset.PerfDatasets;
import org.loadperf.core.report.ConsoleReporter;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.InMemoryBaselineStore;

class PerfRunnerTest {

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final InMemoryBaselineStore store = new InMemoryBaselineStore();
    private final FakeMachine machine = new FakeMachine();

    private PerfRunner.Builder runner() {
        return machine.on(PerfRunner.builder(PerfSettings.of(Map.of(), Map.of(), Map.of()))).store(store)
                .reporter(new ConsoleReporter(new PrintStream(console, true, StandardCharsets.UTF_8)))
                .warmupIterations(1).warmupTime(java.time.Duration.ZERO).measuredIterations(5)
                .measurementTime(java.time.Duration.ZERO);
    }

    /** A benchmark whose iterations take {@code millis} on the fake clock. */
    private Benchmark sleeping(long millis) {
        return machine.benchmark("sleep_test", millis);
    }

    @Test
    void measuresEveryIterationAndRecordsTheRun() {
        try (PerfRunner r = runner().build()) {
            BenchmarkResult result = r.run(sleeping(20));
            assertThat(result.samples().get(Metric.DURATION)).hasSize(5).containsOnly(0.02);
            assertThat(result.median(Metric.THROUGHPUT)).isEqualTo(50_000.0);
            assertThat(result.verdicts()).extracting(Verdict::status).containsOnly(Verdict.Status.NO_BASELINE);
            assertThat(result.gitCommit()).matches("[0-9a-f]{8}|unknown");
            assertThat(store.baseline("counting_sleep_test")).isPresent();
            assertThat(store.baseline("counting_sleep_test").get().samples(Metric.THROUGHPUT)).hasSize(5);
        }
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("Performance summary")
                .contains("counting_sleep_test");
    }

    @Test
    void slowerRunIsARegressionAndPrintsTheGuidesBlock() {
        try (PerfRunner r = runner().build()) {
            r.run(sleeping(20));
            BenchmarkResult slow = r.run(sleeping(200));
            assertThat(slow.verdict(Metric.THROUGHPUT).orElseThrow().status()).isEqualTo(Verdict.Status.REGRESSION);
            assertThat(slow.hasRegression()).isTrue();
        }
        String out = console.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("⚠️  PERFORMANCE REGRESSION DETECTED:\n   Test: sleep_test\n   Loader: counting\n"
                + "   Metric: throughput\n   Regression: ");
    }

    @Test
    void failOnRegressionFailsTheTestAfterRecording() {
        try (PerfRunner r = runner().failOnRegression(true).baselinePolicy(BaselinePolicy.UPDATE_UNLESS_REGRESSED)
                .build()) {
            r.run(sleeping(20));
            double baseline = store.baseline("counting_sleep_test").get().value(Metric.THROUGHPUT).getAsDouble();
            assertThatThrownBy(() -> r.run(sleeping(200)))
                    .isInstanceOf(AssertionError.class).isInstanceOf(PerformanceRegressionError.class)
                    .hasMessageContaining("counting_sleep_test").hasMessageContaining("throughput worse by");
            assertThat(store.history("counting_sleep_test")).hasSize(2);
            assertThat(store.baseline("counting_sleep_test").get().value(Metric.THROUGHPUT).getAsDouble())
                    .isEqualTo(baseline);
        }
    }

    @Test
    void pinnedBaselineDoesNotMove() {
        try (PerfRunner r = runner().baselinePolicy(BaselinePolicy.PINNED).build()) {
            r.run(sleeping(10));
            String first = store.baseline("counting_sleep_test").get().timestamp();
            r.run(sleeping(10));
            assertThat(store.baseline("counting_sleep_test").get().timestamp()).isEqualTo(first);
            assertThat(store.history("counting_sleep_test")).hasSize(2);
        }
    }

    @Test
    void arrowMemoryOfTheBodyIsMeasured() {
        Benchmark b = Benchmark.builder("arrow_memory", "counting").datasetSize(1).body(ctx -> {
            try (ArrowBuf buf = ctx.allocator().buffer(32L << 20)) {
                buf.setZero(0, buf.capacity());
            }
            return 1;
        }).build();
        try (PerfRunner r = runner().measuredIterations(2).build()) {
            assertThat(r.run(b).median(Metric.MEMORY)).isGreaterThanOrEqualTo(32.0).isLessThan(100.0);
        }
    }

    @Test
    void retainedHeapOfTheBodyIsMeasured() {
        Object[] keep = new Object[1];
        Benchmark b = Benchmark.builder("heap_memory", "counting").datasetSize(1).body(ctx -> {
            keep[0] = new byte[48 << 20];
            return 1;
        }).afterEach(ctx -> keep[0] = null).build();
        try (PerfRunner r = runner().measuredIterations(2).build()) {
            assertThat(r.run(b).median(Metric.MEMORY)).isGreaterThanOrEqualTo(45.0).isLessThan(200.0);
        }
    }

    @Test
    void datasetsAreStreamedInBoundedMemory() {
        Benchmark b = Benchmark.builder("stream", "counting").datasetSize(200_000).body(ctx -> {
            long rows = 0;
            try (ArrowReader reader = PerfDatasets.performance(ctx.allocator(), 200_000, 10_000)) {
                while (reader.loadNextBatch()) {
                    rows += reader.getVectorSchemaRoot().getRowCount();
                }
            }
            return rows;
        }).build();
        try (PerfRunner r = runner().measuredIterations(2).build()) {
            BenchmarkResult result = r.run(b);
            assertThat(result.median(Metric.MEMORY)).isLessThan(30.0);
            assertThat(result.median(Metric.ALLOCATED_BYTES_PER_ROW)).isPositive();
        }
    }

    @Test
    void leakedArrowMemoryFailsNamingTheBenchmark() {
        Benchmark b = Benchmark.builder("leaky", "counting").body(ctx -> {
            ctx.allocator().buffer(1024);
            return 1;
        }).build();
        try (PerfRunner r = runner().build()) {
            assertThatThrownBy(() -> r.run(b)).hasMessageContaining("counting_leaky")
                    .hasMessageContaining("left Arrow memory allocated");
        }
    }

    @Test
    void failingBodyNamesBenchmarkAndIteration() {
        Benchmark b = Benchmark.builder("broken", "counting").body(ctx -> {
            throw new IllegalArgumentException("bad column 'x'");
        }).build();
        try (PerfRunner r = runner().build()) {
            assertThatThrownBy(() -> r.run(b)).hasMessageContaining("counting_broken")
                    .hasMessageContaining("warm-up 1").hasMessageContaining("bad column 'x'");
        }
    }

    @Test
    void differentDatasetSizeIsNotCompared() {
        try (PerfRunner r = runner().build()) {
            r.run(sleeping(5));
            Benchmark other = Benchmark.builder("sleep_test", "counting").datasetSize(2000).body(ctx -> 2000).build();
            BenchmarkResult res = r.run(other);
            assertThat(res.verdicts()).extracting(Verdict::status).containsOnly(Verdict.Status.NO_BASELINE);
            assertThat(res.verdicts().get(0).message()).contains("1000 rows, this run 2000");
        }
    }

    @Test
    void warmUpRunsUntilItsTimeHasPassedButAtLeastItsIterations() {
        // 10 ms bodies and 0.3 s of warm-up: 30 warm-ups, many more than the minimum of 1.
        try (PerfRunner r = runner().warmupTime(java.time.Duration.ofMillis(300)).build()) {
            assertThat(r.run(sleeping(10)).warmupIterations()).isEqualTo(30);
        }
        // A body longer than the warm-up time: the minimum only.
        try (PerfRunner r = runner().warmupIterations(2).warmupTime(java.time.Duration.ofMillis(30)).build()) {
            assertThat(r.run(sleeping(40)).warmupIterations()).isEqualTo(2);
        }
        // No warm-up iterations: no warm-up at all, whatever the time.
        try (PerfRunner r = runner().warmupIterations(0).warmupTime(java.time.Duration.ofSeconds(5)).build()) {
            assertThat(r.run(sleeping(1)).warmupIterations()).isZero();
        }
    }

    @Test
    void measurementRunsUntilItsTimeHasPassedButAtLeastItsIterationsAndAtMostTheCap() {
        // 10 ms bodies and 0.3 s of measurement: 30 samples, more than the minimum of 5; the heap is measured in the
        // first 5 only (it settles the heap: full collections).
        try (PerfRunner r = runner().confirm(false).measurementTime(java.time.Duration.ofMillis(300)).build()) {
            BenchmarkResult result = r.run(sleeping(10));
            assertThat(result.samples().get(Metric.THROUGHPUT)).hasSize(30);
            assertThat(result.samples().get(Metric.DURATION)).hasSameSizeAs(result.samples().get(Metric.THROUGHPUT));
            assertThat(result.samples().get(Metric.CPU_SECONDS)).hasSameSizeAs(result.samples().get(Metric.THROUGHPUT));
            assertThat(result.samples().get(Metric.MEMORY)).hasSize(5);
        }
        // A body longer than the measurement time: the minimum only.
        try (PerfRunner r = runner().confirm(false).measurementTime(java.time.Duration.ofMillis(30)).build()) {
            assertThat(r.run(sleeping(40)).samples().get(Metric.THROUGHPUT)).hasSize(5);
        }
        // Tiny bodies and a long time: capped, every sample is kept in the store.
        try (PerfRunner r = runner().confirm(false).measurementTime(java.time.Duration.ofSeconds(30)).build()) {
            assertThat(r.run(sleeping(1)).samples().get(Metric.THROUGHPUT)).hasSize(PerfRunner.MAX_TIMED_ITERATIONS);
        }
        assertThatThrownBy(() -> PerfRunner.builder(PerfSettings.of(Map.of(), Map.of("PERF_MEASURE_SECONDS", "-1"),
                Map.of()))).hasMessageContaining("PERF_MEASURE_SECONDS");
        assertThatThrownBy(() -> PerfRunner.builder(PerfSettings.of(Map.of(), Map.of("PERF_PAIRED_SECONDS", "soon"),
                Map.of()))).hasMessageContaining("PERF_PAIRED_SECONDS");
    }

    @Test
    void badSettingsFailAtCreationNamingTheSetting() {
        assertThatThrownBy(() -> PerfRunner.builder(PerfSettings.of(Map.of(), Map.of("PERF_ITERATIONS", "0"),
                Map.of()))).hasMessageContaining("measuredIterations must be >= 1");
        assertThatThrownBy(() -> PerfRunner.builder(PerfSettings.of(Map.of(),
                Map.of("PERF_THRESHOLD_MEMORY", "-3"), Map.of()))).hasMessageContaining("PERF_THRESHOLD_MEMORY");
        assertThatThrownBy(() -> PerfRunner.builder(PerfSettings.of(Map.of(),
                Map.of("PERF_BASELINE_POLICY", "sometimes"), Map.of()))).hasMessageContaining("sometimes");
        assertThatThrownBy(() -> PerfRunner.builder(PerfSettings.of(Map.of(),
                Map.of("PERF_WARMUP_SECONDS", "soon"), Map.of()))).hasMessageContaining("PERF_WARMUP_SECONDS");
        assertThatThrownBy(() -> PerfRunner.builder(PerfSettings.of(Map.of(),
                Map.of("PERF_WARMUP_SECONDS", "-1"), Map.of()))).hasMessageContaining("PERF_WARMUP_SECONDS");
    }
}
