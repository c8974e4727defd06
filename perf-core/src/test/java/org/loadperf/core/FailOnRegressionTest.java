package org.loadperf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import org.loadperf.api.Benchmark;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.InMemoryBaselineStore;

/** A user's JUnit test that uses PerfRunner with fail-on-regression fails, as JUnit sees it, when it regresses. */
class FailOnRegressionTest {

    /** A user's performance test: run by the test kit below, not by surefire (its name matches no pattern). */
    static class UserPerformanceCase {
        static final InMemoryBaselineStore STORE = new InMemoryBaselineStore();
        static final FakeMachine MACHINE = new FakeMachine();

        private static void run(long millis) {
            try (PerfRunner runner = MACHINE.on(PerfRunner.builder(PerfSettings.of(Map.of(),
                            Map.of("PERF_FAIL_ON_REGRESSION", "true"), Map.of())))
                    .store(STORE).warmupIterations(0).measuredIterations(5).measurementTime(java.time.Duration.ZERO)
                    .reporter(new org.loadperf.api.Reporter() { }).build()) {
                runner.run(Benchmark.builder("user_load", "counting").datasetSize(100).body(MACHINE.takes(millis, 100))
                        .build());
            }
        }

        @Test
        void a_baseline() {
            run(10);
        }

        @Test
        void b_tenTimesSlower() {
            run(100);
        }
    }

    @Test
    void regressionFailsTheUsersTest() {
        Events tests = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.testmethod.order.default",
                        "org.junit.jupiter.api.MethodOrderer$MethodName")
                .selectors(selectClass(UserPerformanceCase.class)).execute().testEvents();
        tests.assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        assertThat(tests.failed().stream().findFirst().orElseThrow().getPayload(
                org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow())
                .isInstanceOf(PerformanceRegressionError.class).hasMessageContaining("counting_user_load");
    }
}
