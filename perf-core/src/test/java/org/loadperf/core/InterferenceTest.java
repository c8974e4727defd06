package org.loadperf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Verdict.Status;
import org.loadperf.api.Verdict;
import org.loadperf.core.measure.Interference;
import org.loadperf.core.measure.MachineSensor;
import org.loadperf.core.report.ConsoleReporter;
import org.loadperf.core.report.ReportFixtures;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.InMemoryBaselineStore;

/** Interference is seen and named: decisions from fabricated figures, no real timing. */
class InterferenceTest {

    private static final Interference QUIET = new Interference(10_000_000, 4, 0.98, 1.0, 0, 0.3);

    private static Interference slower(double speed, double share, double spread) {
        return new Interference(speed, spread, share, 0.6, 0, 2.5);
    }

    @Test
    void aQuietRunLikeItsBaselineIsNoInterference() {
        assertThat(Interference.assess(Optional.of(QUIET), new Interference(9_700_000, 6, 0.97, 1.0, 0, 0.4)))
                .isEmpty();
    }

    @Test
    void theLargestSlowdownTheFiguresExplainIsNamed() {
        Optional<Interference.Finding> f = Interference.assess(Optional.of(QUIET), slower(7_246_377, 0.9, 5));
        assertThat(f).isPresent();
        assertThat(f.get().explainedPercent()).isCloseTo(38.0, within(0.01));
        assertThat(f.get().reason()).isEqualTo("the machine ran 38% slower than during the baseline (reference "
                + "slices 10,000,000 -> 7,246,377 ops/s)");

        Interference.Finding share = Interference.assess(Optional.of(QUIET), slower(9_900_000, 0.55, 5)).orElseThrow();
        assertThat(share.reason()).isEqualTo("this process got 55% of a CPU per busy thread (the baseline's run 98%)");
        assertThat(share.explainedPercent()).isCloseTo(100 * (0.98 / 0.55 - 1), within(1e-9));

        Interference.Finding moved = Interference.assess(Optional.of(QUIET), slower(9_900_000, 0.97, 80))
                .orElseThrow();
        assertThat(moved.reason()).isEqualTo("the machine's speed moved 80% within this run");
        // A baseline measured on a moving machine is as unreliable as such a run.
        assertThat(Interference.assess(Optional.of(slower(10_000_000, 0.97, 60)), QUIET).orElseThrow().reason())
                .isEqualTo("the machine's speed moved 60% within the baseline's run");
        // Without a recorded baseline (an older store) this run's own CPU share still counts, against a whole CPU.
        assertThat(Interference.assess(Optional.empty(), slower(5_000_000, 0.5, 5)).orElseThrow().reason())
                .isEqualTo("this process got 50% of a CPU per busy thread");
        assertThat(Interference.assess(Optional.of(QUIET), new Interference(Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, 20, Double.NaN)).orElseThrow().reason()).isEqualTo("the hypervisor took 20% of the CPUs "
                + "(steal)");
    }

    private static Verdict regression(Metric m, double baseline, double current) {
        return new Verdict(m, Status.REGRESSION, m.regressionPercent(baseline, current), baseline, current, 10.0,
                0.99, 5.0, 3.0, 8.0, "hodges-lehmann", m.displayName() + " worse");
    }

    @Test
    void aTimeBasedRegressionTheInterferenceCanExplainIsInconclusiveWithTheReason() {
        Optional<Interference.Finding> f = Interference.assess(Optional.of(QUIET), slower(7_246_377, 0.9, 5));
        // 1.38^2 x 1.05 = 2.0: throughput at half the baseline's can be the machine's doing.
        Verdict held = Interference.guard(regression(Metric.THROUGHPUT, 1000, 600), f);
        assertThat(held.status()).isEqualTo(Status.INCONCLUSIVE);
        assertThat(held.message()).contains("INCONCLUSIVE, not REGRESSION: the machine ran 38% slower than during "
                + "the baseline").contains("(interference, not the code)");
        assertThat(Interference.guard(regression(Metric.DURATION, 1.0, 1.9), f).status())
                .isEqualTo(Status.INCONCLUSIVE);
        assertThat(Interference.guard(regression(Metric.CPU_SECONDS, 1.0, 1.9), f).status())
                .isEqualTo(Status.INCONCLUSIVE);
        // Far beyond what it explains: still a REGRESSION, saying so.
        Verdict far = Interference.guard(regression(Metric.THROUGHPUT, 1000, 300), f);
        assertThat(far.status()).isEqualTo(Status.REGRESSION);
        assertThat(far.message()).contains("far beyond what that explains");
        // Memory and allocations are not slowed by a busy CPU: they keep their power.
        Verdict memory = regression(Metric.MEMORY, 100, 150);
        assertThat(Interference.guard(memory, f)).isSameAs(memory);
        Verdict allocated = regression(Metric.ALLOCATED_BYTES_PER_ROW, 100, 150);
        assertThat(Interference.guard(allocated, f)).isSameAs(allocated);
        // No interference, or nothing but a REGRESSION: unchanged.
        Verdict plain = regression(Metric.THROUGHPUT, 1000, 600);
        assertThat(Interference.guard(plain, Optional.empty())).isSameAs(plain);
        Verdict ok = ReportFixtures.verdict(Metric.THROUGHPUT, Status.OK, 1000, 990);
        assertThat(Interference.guard(ok, f)).isSameAs(ok);
    }

    @Test
    void figuresAreMeasuredBetweenTwoReadingsAndSurviveTheStore() {
        MachineSensor.Counters before = new MachineSensor.Counters(0, 0, 1_000, 0, 100, 10_000, -1);
        MachineSensor.Counters after = new MachineSensor.Counters(2_000_000_000L, 1_500_000_000L,
                1_000 + 1_100_000_000L, 900_000_000L, 150, 12_000, 3.0);
        Interference i = Interference.between(before, after, List.of(8.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0,
                10.0, 12.0));
        assertThat(i.speed()).isEqualTo(10.0);
        assertThat(i.speedSpreadPercent()).isCloseTo(50.0, within(1e-9));
        assertThat(i.cpuShare()).isCloseTo(0.55, within(1e-9));
        assertThat(i.cpuPerWall()).isCloseTo(0.75, within(1e-9));
        assertThat(i.stealPercent()).isCloseTo(2.5, within(1e-9));
        Map<String, Object> extras = i.toExtras();
        assertThat(extras).containsEntry("cpu_share_percent", 55.0).containsEntry("steal_percent", 2.5);
        Interference back = Interference.fromExtras(Map.of(Interference.EXTRAS_KEY, extras)).orElseThrow();
        assertThat(back.cpuShare()).isCloseTo(0.55, within(1e-9));
        assertThat(back.speed()).isEqualTo(10.0);
        assertThat(Interference.fromExtras(Map.of())).isEmpty();
        // Counters the platform lacks (-1) give no figure, not a wrong one.
        MachineSensor.Counters none = new MachineSensor.Counters(0, -1, -1, -1, -1, -1, -1);
        Interference unknown = Interference.between(none, new MachineSensor.Counters(1_000_000_000L, -1, -1, -1, -1,
                -1, -1), List.of());
        assertThat(unknown.toExtras()).isEmpty();
        assertThat(Interference.assess(Optional.of(QUIET), unknown)).isEmpty();
    }

    @Test
    void aRunOnABusyMachineIsInconclusiveNotARegressionAndRecordsWhy() {
        FakeMachine machine = new FakeMachine();
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PerfRunner.Builder builder = machine.on(PerfRunner.builder(PerfSettings.of(Map.of(),
                        Map.of("PERF_FAIL_ON_REGRESSION", "true"), Map.of()))).store(store)
                .reporter(new ConsoleReporter(new PrintStream(console, true, StandardCharsets.UTF_8)))
                .warmupIterations(1).warmupTime(java.time.Duration.ZERO).measuredIterations(5)
                .measurementTime(java.time.Duration.ZERO);
        try (PerfRunner r = builder.build()) {
            r.run(machine.benchmark("busy", 20));
            assertThat(store.baseline("counting_busy").orElseThrow().extras().get(Interference.EXTRAS_KEY).toString())
                    .contains("cpu_share_percent=100.0").contains("run_speed_ops_per_sec=1.0E7");
            // The machine gets busy: the process gets half a CPU, the slices run at 60%, the body takes 1.6x.
            machine.busy(0.5, 6_000_000);
            BenchmarkResult busy = r.run(machine.benchmark("busy", 32));
            Verdict v = busy.verdict(Metric.THROUGHPUT).orElseThrow();
            assertThat(v.status()).isEqualTo(Status.INCONCLUSIVE);
            assertThat(v.message()).contains("this process got 50% of a CPU per busy thread (the baseline's run "
                    + "100%)");
            assertThat(busy.verdict(Metric.DURATION).orElseThrow().status()).isEqualTo(Status.INCONCLUSIVE);
            assertThat(busy.notes()).anySatisfy(n -> assertThat(n).startsWith("interference: this process got 50%"));
            // A slowdown far beyond it (10x) is still a REGRESSION, and fails the build.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.run(machine.benchmark("busy", 320)))
                    .isInstanceOf(PerformanceRegressionError.class);
        }
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("INCONCLUSIVE: throughput worse by 37.5%");
    }
}
