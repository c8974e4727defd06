package org.loadperf.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;
import org.loadperf.core.PerfRunner;
import org.loadperf.core.PerformanceRegressionError;
import org.loadperf.core.store.InMemoryBaselineStore;

/**
 * Example 5 of the README's "Examples, in the order you learn them": gate a build. With fail-on-regression
 * ({@code PERF_FAIL_ON_REGRESSION=true} in CI) a regression that survives Holm's correction throws
 * {@link PerformanceRegressionError}, an {@code AssertionError}, so the test and the build fail after the run was
 * recorded. The baseline here is one no machine can reach (a million times faster than a body that sleeps a
 * millisecond), so the regression does not depend on how fast this machine is.
 */
class GateABuildExampleTest {

    @Test
    void aRegressionFailsTheBuild() {
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        Benchmark b = Benchmark.builder("gated_load", "example").datasetSize(1_000).body(ctx -> {
            Thread.sleep(1);
            return 1_000;
        }).build();
        store.record(unreachableBaseline(b), true);
        try (PerfRunner runner = PerfRunner.builder().store(store).failOnRegression(true)
                .comparedMetrics(EnumSet.of(Metric.THROUGHPUT))
                .warmupIterations(0).measuredIterations(8).measurementTime(Duration.ZERO).confirm(false)
                .reporter(new org.loadperf.api.Reporter() { }).build()) {
            PerformanceRegressionError e = catchThrowableOfType(PerformanceRegressionError.class,
                    () -> runner.run(b));
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains("example_gated_load");
        }
        assertThat(store.history("example_gated_load")).hasSize(2); // recorded before it failed
    }

    private static BenchmarkRecord unreachableBaseline(Benchmark b) {
        Map<Metric, Double> values = Map.of(Metric.THROUGHPUT, 1e12, Metric.DURATION, 1e-9, Metric.MEMORY, 0.0);
        Map<Metric, List<Double>> samples = Map.of(Metric.THROUGHPUT, List.of(1e12, 1e12, 1e12, 1e12, 1e12),
                Metric.DURATION, List.of(1e-9, 1e-9, 1e-9, 1e-9, 1e-9));
        return new BenchmarkRecord(b.testName(), b.loaderType(), b.datasetSize(), values, samples,
                OffsetDateTime.now().minusDays(1).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), "0000000", false,
                "local", Map.of(), Map.of());
    }
}
