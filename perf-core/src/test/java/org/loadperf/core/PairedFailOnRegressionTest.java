package org.loadperf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loadperf.api.Metric;
import org.loadperf.api.Verdict;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.InMemoryBaselineStore;

/**
 * Paired mode ({@link PerfRunner#compare}) honours fail-on-regression like {@link PerfRunner#run}. Before this
 * change compare() returned its REGRESSION and never failed a build, so the first test failed.
 */
class PairedFailOnRegressionTest {

    private static PerfRunner runner(FakeMachine machine, boolean fail) {
        return machine.on(PerfRunner.builder(PerfSettings.of(Map.of(),
                        Map.of("PERF_FAIL_ON_REGRESSION", Boolean.toString(fail)), Map.of())))
                .store(new InMemoryBaselineStore()).warmupIterations(0).pairs(10).pairedTime(Duration.ZERO)
                .reporter(new org.loadperf.api.Reporter() { }).build();
    }

    @Test
    void aSlowerCandidateFailsWhenFailOnRegressionIsOn() {
        FakeMachine machine = new FakeMachine();
        try (PerfRunner runner = runner(machine, true)) {
            assertThatThrownBy(() -> runner.compare(machine.benchmark("paired_base", 10),
                    machine.benchmark("paired_candidate", 20)))
                    .isInstanceOf(PerformanceRegressionError.class)
                    .hasMessageContaining("counting_paired_candidate")
                    .satisfies(e -> assertThat(((PerformanceRegressionError) e).result().verdict(Metric.THROUGHPUT)
                            .orElseThrow().status()).isEqualTo(Verdict.Status.REGRESSION));
        }
    }

    @Test
    void theSameComparisonOnlyReportsWhenFailOnRegressionIsOff() {
        FakeMachine machine = new FakeMachine();
        try (PerfRunner runner = runner(machine, false)) {
            PairedComparison c = runner.compare(machine.benchmark("paired_base", 10),
                    machine.benchmark("paired_candidate", 20));
            assertThat(c.hasRegression()).isTrue();
        }
    }

    @Test
    void anUnchangedCandidateDoesNotFail() {
        FakeMachine machine = new FakeMachine();
        try (PerfRunner runner = runner(machine, true)) {
            PairedComparison c = runner.compare(machine.benchmark("paired_base", 10),
                    machine.benchmark("paired_candidate", 10));
            assertThat(c.hasRegression()).isFalse();
        }
    }
}
