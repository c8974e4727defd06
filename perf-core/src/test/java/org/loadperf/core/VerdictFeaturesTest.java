package org.loadperf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.BaselinePolicy;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Threshold;
import org.loadperf.api.Verdict.Status;
import org.loadperf.api.Verdict;
import org.loadperf.core.measure.MachineCalibration;
import org.loadperf.core.measure.MachineFingerprint;
import org.loadperf.core.report.ConsoleReporter;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.stats.Statistics;
import org.loadperf.core.store.InMemoryBaselineStore;
import org.loadperf.core.store.JsonFileBaselineStore;
import org.loadperf.core.verdict.BaselineComparison;
import org.loadperf.core.verdict.BuildGate;
import org.loadperf.core.verdict.RunToRunNoise;
import org.loadperf.core.verdict.VerdictEngine;

/** Paired mode, Holm, acknowledgement, calibration, run-to-run noise, confirmation and the detection-limit note. */
class VerdictFeaturesTest {

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    private final FakeMachine machine = new FakeMachine();

    private PerfRunner.Builder runner(Map<String, String> env, org.loadperf.api.BaselineStore store) {
        return machine.on(PerfRunner.builder(PerfSettings.of(Map.of(), env, Map.of()))).store(store)
                .reporter(new ConsoleReporter(new PrintStream(console, true, StandardCharsets.UTF_8)))
                .warmupIterations(1).warmupTime(java.time.Duration.ZERO).measuredIterations(5)
                .measurementTime(java.time.Duration.ZERO).pairedTime(java.time.Duration.ZERO);
    }

    /** A benchmark whose iterations take {@code millis} on the fake clock. */
    private Benchmark sleeping(String name, long millis) {
        return machine.benchmark(name, millis);
    }

    // ---- paired mode

    @Test
    void pairedModeFindsATwiceSlowerCandidate() {
        try (PerfRunner r = runner(Map.of(), new InMemoryBaselineStore()).pairs(8).build()) {
            PairedComparison c = r.compare(sleeping("fast", 10), sleeping("slow", 20));
            assertThat(c.pairs()).isEqualTo(8);
            assertThat(c.baselineSamples().get(Metric.THROUGHPUT)).hasSize(8);
            assertThat(c.candidateSamples().get(Metric.THROUGHPUT)).hasSize(8);
            Verdict v = c.verdict(Metric.THROUGHPUT).orElseThrow();
            assertThat(v.status()).isEqualTo(Status.REGRESSION);
            assertThat(v.method()).isEqualTo("paired-signed-rank");
            assertThat(v.message()).contains("8 interleaved pairs");
            assertThat(c.hasRegression()).isTrue();
            assertThat(c.notes().get(0)).startsWith("paired with counting_fast: 8 interleaved pairs")
                    .containsPattern("order ((AB|BA) ){7}(AB|BA)");
            assertThat(r.store().baselines()).isEmpty();
        }
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("counting_slow")
                .contains("PERFORMANCE REGRESSION DETECTED").contains("paired with counting_fast");
    }

    @Test
    void pairedModeRunsMorePairsUntilItsTimeHasPassed() {
        try (PerfRunner r = runner(Map.of(), new InMemoryBaselineStore()).pairs(3)
                .pairedTime(java.time.Duration.ofMillis(300)).build()) {
            PairedComparison c = r.compare(sleeping("fast", 5), sleeping("slow", 10));
            // 0.3 s of pairs of 15 ms: 20 pairs, more than the 3 asked for.
            assertThat(c.pairs()).isEqualTo(20);
            assertThat(c.baselineSamples().get(Metric.THROUGHPUT)).hasSize(c.pairs());
            assertThat(c.candidateSamples().get(Metric.DURATION)).hasSize(c.pairs());
            // The heap is measured in measuredIterations (5) memory pairs before the timed ones, on both sides alike.
            assertThat(c.baselineSamples().get(Metric.MEMORY)).hasSize(Math.min(5, c.pairs()));
            assertThat(c.candidateSamples().get(Metric.MEMORY)).hasSize(Math.min(5, c.pairs()));
            assertThat(c.notes().get(0)).contains(c.pairs() + " interleaved pairs");
        }
    }

    @Test
    void pairedModeNeedsTwoDifferentBenchmarks() {
        try (PerfRunner r = runner(Map.of(), new InMemoryBaselineStore()).build()) {
            assertThatThrownBy(() -> r.compare(sleeping("same", 1), sleeping("same", 1)))
                    .hasMessageContaining("different keys");
        }
    }

    @Test
    void pairedVerdictOnSyntheticPairs() {
        VerdictEngine engine = new VerdictEngine(0.95);
        List<Double> a = List.of(100.0, 80.0, 120.0, 90.0, 110.0, 100.0, 95.0, 105.0, 85.0, 115.0);
        List<Double> slower = a.stream().map(x -> x * 0.8).toList();
        Verdict v = engine.comparePaired(Metric.THROUGHPUT, a, slower, new Threshold(Metric.THROUGHPUT, 5));
        // Every pair is exactly 20% worse: the bound is 20% despite the 13% spread between pairs.
        assertThat(v.status()).isEqualTo(Status.REGRESSION);
        assertThat(v.confidenceBound()).isCloseTo(20.0, within(1e-9));
        Verdict same = engine.comparePaired(Metric.THROUGHPUT, a, a, new Threshold(Metric.THROUGHPUT, 5));
        assertThat(same.status()).isEqualTo(Status.OK);
        assertThatThrownBy(() -> engine.comparePaired(Metric.THROUGHPUT, a, a.subList(0, 3),
                new Threshold(Metric.THROUGHPUT, 5))).hasMessageContaining("10 baseline, 3 candidate");
    }

    @Test
    void signedRankBoundsMatchTheTables() {
        // P(W+ <= 0) = 1/32 for 5 pairs; P(W+ <= 10) = 0.042, P(W+ <= 11) = 0.053 for 10 pairs.
        assertThat(Statistics.signedRankCdf(5)[0]).isCloseTo(1.0 / 32, within(1e-12));
        assertThat(Statistics.signedRankCdf(10)[10]).isCloseTo(43.0 / 1024, within(1e-12));
        assertThat(Statistics.signedRankConfidenceRank(5, 0.05)).isEqualTo(1);
        assertThat(Statistics.signedRankConfidenceRank(10, 0.05)).isEqualTo(11);
        assertThat(Statistics.signedRankConfidenceRank(4, 0.05)).isZero();
        assertThat(Statistics.walshAverages(new double[]{1, 3})).containsExactly(1, 2, 3);
    }

    // ---- Holm

    @Test
    void holmStepsDownUntilTheFirstFailure() {
        // sorted: 0.005 <= 0.05/4, 0.01 <= 0.05/3, 0.03 > 0.05/2: stop; 0.04 is not rejected although <= 0.05.
        boolean[] rejected = Statistics.holm(new double[]{0.01, 0.04, 0.03, 0.005}, 0.05);
        assertThat(rejected).containsExactly(true, false, false, true);
        assertThat(Statistics.holm(new double[]{0.04}, 0.05)).containsExactly(true);
        assertThat(Statistics.holm(new double[]{0.2, 0.3}, 0.05)).containsExactly(false, false);
    }

    @Test
    void pValueOfAVerdictFollowsItsBound() {
        double z = Statistics.inverseNormal(0.95);
        // The bound exactly at zero (no change): p = 1 - confidence, whatever the threshold.
        assertThat(VerdictEngine.pValue(verdict(Metric.THROUGHPUT, Status.OK, 3, 0))).isCloseTo(0.05, within(1e-6));
        assertThat(VerdictEngine.pValue(verdict(Metric.THROUGHPUT, Status.OK, 8, 0))).isCloseTo(0.05, within(1e-6));
        // No change at all: p = 0.5.
        assertThat(VerdictEngine.pValue(verdict(Metric.THROUGHPUT, Status.OK, 0, -z))).isCloseTo(0.5, within(1e-6));
        // 30% worse, standard error 10 / z: p = 1 - Phi(3 z).
        assertThat(VerdictEngine.pValue(verdict(Metric.THROUGHPUT, Status.REGRESSION, 30, 20)))
                .isCloseTo(1 - Statistics.normalCdf(3 * z), within(1e-9));
        assertThat(Statistics.normalCdf(1.6448536)).isCloseTo(0.95, within(1e-6));
    }

    /** A verdict with threshold 5%, confidence 0.95, figure {@code change} and bound {@code bound}. */
    private static Verdict verdict(Metric m, Status status, double change, double bound) {
        return new Verdict(m, status, change, 100, 100 - change, bound, 0.95, 5.0, 1.0, 3.0, "hodges-lehmann", "x");
    }

    @Test
    void holmDecidesWhichRegressionsFailTheBuild() {
        // Two regressions: one overwhelming, one whose bound is just past zero (p about 0.04); with six
        // comparisons the marginal one does not survive (0.04 > 0.05 / 5).
        Verdict strong = verdict(Metric.THROUGHPUT, Status.REGRESSION, 40, 30);
        double z = Statistics.inverseNormal(0.95);
        Verdict marginal = verdict(Metric.MEMORY, Status.REGRESSION, 1.75 * 4, 1.75 * 4 - z * 4);
        assertThat(VerdictEngine.pValue(marginal)).isBetween(0.03, 0.05);
        BenchmarkResult a = result("a", List.of(strong, verdict(Metric.MEMORY, Status.OK, 0, -3),
                verdict(Metric.DURATION, Status.OK, 0, -3)));
        BenchmarkResult b = result("b", List.of(verdict(Metric.THROUGHPUT, Status.OK, 1, -2), marginal,
                verdict(Metric.DURATION, Status.OK, 0, -3)));
        List<BenchmarkResult> failing = BuildGate.failingRegressions(List.of(a, b), 0.05);
        assertThat(failing).hasSize(1);
        assertThat(failing.get(0).key()).isEqualTo("counting_a");
        assertThat(failing.get(0).regressions()).containsExactly(strong);
        // As the only comparison it fails the build: 0.04 <= 0.05.
        assertThat(BuildGate.failingRegressions(List.of(result("c", List.of(marginal))), 0.05)).hasSize(1);
    }

    private static BenchmarkResult result(String name, List<Verdict> verdicts) {
        return new BenchmarkResult(name, "counting", 1000, 1, Map.of(), Map.of(), verdicts, OffsetDateTime.now(),
                "unknown", false, "local", Map.of(), List.of());
    }

    // ---- acknowledge

    @Test
    void acknowledgedRegressionIsRecordedWithReasonCommitAndTimeAndTheBaselineMovesOn(@TempDir Path dir) {
        JsonFileBaselineStore store = JsonFileBaselineStore.at(dir.resolve("performance_benchmarks.json"));
        try (PerfRunner r = runner(Map.of(), store).build()) {
            r.run(sleeping("ack", 10));
        }
        double before = store.baseline("counting_ack").orElseThrow().value(Metric.THROUGHPUT).getAsDouble();
        BenchmarkResult slow;
        try (PerfRunner r = runner(Map.of("PERF_ACKNOWLEDGE", "counting_ack:added TLS to every batch",
                "PERF_BASELINE_POLICY", "pinned"), store).build()) {
            slow = r.run(sleeping("ack", 40));
        }
        assertThat(slow.hasRegression()).isFalse();
        assertThat(slow.verdict(Metric.THROUGHPUT).orElseThrow().message())
                .startsWith("acknowledged regression (added TLS to every batch)");
        assertThat(slow.notes()).anySatisfy(n -> assertThat(n).contains("acknowledged regression of throughput")
                .contains("the baseline moves to this run"));
        // Read back from the file by a fresh store: the reason, commit and time are kept; the baseline moved even
        // though the policy is pinned.
        BenchmarkRecord baseline = JsonFileBaselineStore.at(dir.resolve("performance_benchmarks.json"))
                .baseline("counting_ack").orElseThrow();
        assertThat(baseline.value(Metric.THROUGHPUT).getAsDouble()).isLessThan(before);
        @SuppressWarnings("unchecked")
        Map<String, Object> ack = (Map<String, Object>) baseline.extras().get("acknowledged");
        assertThat(ack).containsEntry("reason", "added TLS to every batch").containsKeys("commit", "time");
        assertThat(ack.get("commit")).isEqualTo(slow.gitCommit());
        assertThat(OffsetDateTime.parse((String) ack.get("time"))).isAfter(slow.timestamp().minusSeconds(1));
        assertThat((List<?>) ack.get("regressions")).anySatisfy(x -> assertThat(x.toString()).startsWith("throughput"));
        assertThat(store.history("counting_ack")).hasSize(2);
    }

    @Test
    void acknowledgementByPropertyAndByApiCall() {
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        try (PerfRunner r = runner(Map.of(), store).build()) {
            r.run(sleeping("ack_api", 10));
            r.run(sleeping("ack_prop", 10));
            r.acknowledge("counting_ack_api", "bigger batches, by design");
            BenchmarkResult slow = r.run(sleeping("ack_api", 40));
            assertThat(slow.hasRegression()).isFalse();
            assertThat(store.baseline("counting_ack_api").orElseThrow().extras().get("acknowledged").toString())
                    .contains("bigger batches, by design");
        }
        try (PerfRunner r = machine.on(PerfRunner.builder(PerfSettings.of(Map.of("perf.acknowledge",
                        "counting_ack_prop:checksums added"), Map.of(), Map.of()))).store(store)
                .reporter(new org.loadperf.api.Reporter() { }).build()) {
            BenchmarkResult slow = r.run(sleeping("ack_prop", 40));
            assertThat(slow.hasRegression()).isFalse();
            assertThat(slow.notes()).anySatisfy(n -> assertThat(n).contains("(checksums added)"));
        }
    }

    @Test
    void acknowledgementIsValidated() {
        assertThatThrownBy(() -> PerfRunner.builder(PerfSettings.of(Map.of(), Map.of("PERF_ACKNOWLEDGE", "no-reason"),
                Map.of()))).hasMessageContaining("PERF_ACKNOWLEDGE must be <key>:<reason>");
        assertThatThrownBy(() -> PerfRunner.builder(PerfSettings.of(Map.of(), Map.of(), Map.of()))
                .acknowledge("counting_x", " ")).hasMessageContaining("a reason is required");
        assertThat(PerfRunner.KNOWN_PROPERTIES).contains("perf.acknowledge", "perf.confirm", "perf.runNoise",
                "perf.reportDir");
    }

    // ---- calibration

    @Test
    void calibrationNormalisesThroughputAndTimesButNotMemory() {
        Map<String, String> base = Map.of(MachineCalibration.KEY, "2000000");
        Map<String, String> cur = Map.of(MachineCalibration.KEY, "1000000");
        assertThat(MachineCalibration.normalisation(base, cur)).isEqualTo(0.5);
        assertThat(MachineCalibration.normalisation(Map.of(), cur)).isNaN();
        assertThat(MachineCalibration.normalisation(Map.of(MachineCalibration.KEY, "x"), cur)).isNaN();
        assertThat(BaselineComparison.normalisation(Metric.THROUGHPUT, 0.5)).isEqualTo(0.5);
        assertThat(BaselineComparison.normalisation(Metric.DURATION, 0.5)).isEqualTo(2.0);
        assertThat(BaselineComparison.normalisation(Metric.CPU_SECONDS, 0.5)).isEqualTo(2.0);
        assertThat(BaselineComparison.normalisation(Metric.MEMORY, 0.5)).isEqualTo(1.0);
        assertThat(MachineCalibration.opsPerSecond()).isPositive().isEqualTo(MachineCalibration.opsPerSecond());
    }

    @Test
    void baselineFromAFasterMachineIsComparedNormalisedAndSaysSo() {
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        Map<String, String> fp = new LinkedHashMap<>(MachineFingerprint.current());
        fp.put("cpus", "64");
        double here = MachineCalibration.opsPerSecond();
        fp.put(MachineCalibration.KEY, String.valueOf(here * 3));
        // The other machine was 3x faster and measured 3x the throughput of a 20 ms sleep.
        Map<Metric, List<Double>> samples = new EnumMap<>(Metric.class);
        samples.put(Metric.THROUGHPUT, List.of(150_000.0, 150_000.0, 150_000.0, 150_000.0, 150_000.0));
        store.record(new BenchmarkRecord("calibrated", "counting", 1000, Map.of(Metric.THROUGHPUT, 150_000.0,
                Metric.MEMORY, 0.0, Metric.DURATION, 0.02), samples, OffsetDateTime.now().toString(), "abcdef12", false,
                "local", fp, Map.of()), true);
        try (PerfRunner r = runner(Map.of(), store).build()) {
            BenchmarkResult res = r.run(sleeping("calibrated", 20));
            assertThat(res.notes()).anySatisfy(n -> assertThat(n).contains("another machine").contains("cpus=64 -> ")
                    .contains("normalising by the machines' calibration"));
            // Unnormalised this is a 67% throughput regression; normalised the baseline is 50,000 rows/s.
            assertThat(res.verdict(Metric.THROUGHPUT).orElseThrow().baseline()).isCloseTo(50_000, within(1.0));
            assertThat(res.fingerprint()).containsKey(MachineCalibration.KEY);
        }
    }

    // ---- run-to-run noise, detection limit, confirmation

    @Test
    void runToRunNoiseIsEstimatedFromHistoryOrAssumed() {
        Map<String, String> fp = MachineFingerprint.current();
        List<BenchmarkRecord> history = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            double median = i % 2 == 0 ? 100 : 110; // every successive run differs by ln(1.1) = 9.53%
            history.add(new BenchmarkRecord("n", "counting", 1000, Map.of(Metric.THROUGHPUT, median),
                    Map.of(), "t", "c", false, "local", fp, Map.of()));
        }
        RunToRunNoise n = RunToRunNoise.estimate(Metric.THROUGHPUT, history, 1000, fp, 10, 5, 10.0);
        assertThat(n.estimated()).isTrue();
        assertThat(n.runs()).isEqualTo(10);
        // Root mean square of the successive differences of the log medians: every one is ln(1.1).
        assertThat(n.percent()).isCloseTo(100 * Math.log(1.1), within(1e-9));
        assertThat(n.degreesOfFreedom()).isEqualTo(9);
        assertThat(n.describe()).contains("from the last 10 runs");
        RunToRunNoise prior = RunToRunNoise.estimate(Metric.THROUGHPUT, history.subList(0, 4), 1000, fp, 10, 5, 7.0);
        assertThat(prior.estimated()).isFalse();
        assertThat(prior.percent()).isEqualTo(7.0);
        assertThat(prior.describe()).contains("7.0% assumed");
        // Another dataset size does not count.
        assertThat(RunToRunNoise.estimate(Metric.THROUGHPUT, history, 2000, fp, 10, 5, 7.0).estimated()).isFalse();
    }

    @Test
    void runToRunNoiseWidensTheBoundInQuadrature() {
        VerdictEngine engine = new VerdictEngine(0.95);
        List<Double> base = List.of(100.0, 100.0, 100.0, 100.0, 100.0);
        List<Double> cur = List.of(80.0, 80.0, 80.0, 80.0, 80.0);
        Threshold five = new Threshold(Metric.THROUGHPUT, 5);
        Verdict none = engine.compare(Metric.THROUGHPUT, base, 100, cur, five, 0);
        assertThat(none.confidenceBound()).isCloseTo(20.0, within(1e-9));
        Verdict noisy = engine.compare(Metric.THROUGHPUT, base, 100, cur, five, 5);
        assertThat(noisy.confidenceBound()).isCloseTo(20.0 - Statistics.inverseNormal(0.95) * 5, within(1e-9));
        assertThat(noisy.message()).contains("run-to-run noise 5.0% assumed");
        // Measured from history, the run-to-run noise is the whole uncertainty: the wider interval wins, with a
        // Student t multiplier for its 9 degrees of freedom.
        Verdict measured = engine.compare(Metric.THROUGHPUT, base, 100, cur, five, new RunToRunNoise(5, 10, true));
        assertThat(measured.confidenceBound()).isCloseTo(20.0 - Statistics.studentT(0.95, 9) * 5, within(1e-9));
        assertThat(measured.message()).contains("run-to-run noise 5.0% measured over the last 10 runs");
    }

    @Test
    void studentTQuantilesMatchTheTables() {
        assertThat(Statistics.studentT(0.99, 10)).isCloseTo(2.764, within(0.01));
        assertThat(Statistics.studentT(0.95, 5)).isCloseTo(2.015, within(0.01));
        assertThat(Statistics.studentT(0.95, 19)).isCloseTo(1.729, within(0.005));
        assertThat(Statistics.studentT(0.95, Double.POSITIVE_INFINITY)).isCloseTo(1.645, within(0.001));
    }

    @Test
    void detectionLimitWarningNamesThresholdAndLimit() {
        Verdict v = new Verdict(Metric.THROUGHPUT, Status.OK, 1, 100, 99, -8, 0.95, 5, 6, 11.3, "hodges-lehmann", "x");
        assertThat(BaselineComparison.mdeWarning(v)).contains(
                "throughput: 5% threshold, but this benchmark's noise hides changes under 12%");
        Verdict fine = new Verdict(Metric.MEMORY, Status.OK, 1, 100, 99, -2, 0.95, 10, 1, 2.5, "hodges-lehmann", "x");
        assertThat(BaselineComparison.mdeWarning(fine)).isEmpty();
        Verdict half = new Verdict(Metric.MEMORY, Status.OK, 1, 100, 99, -2, 0.95, 2.5, 1, 4, "hodges-lehmann", "x");
        assertThat(BaselineComparison.mdeWarning(half)).contains("memory: 2.5% threshold, but this benchmark's noise "
                + "hides "
                + "changes under 4%");
        // A memory figure whose threshold-sized change is under the floor (1 MB): the floor decides, not the noise.
        Verdict tiny = new Verdict(Metric.MEMORY, Status.OK, 1, 0.0027, 0.0026, -2, 0.95, 10, 300, 643,
                "hodges-lehmann", "x");
        assertThat(BaselineComparison.mdeWarning(tiny, 1.0)).isEmpty();
        assertThat(BaselineComparison.mdeWarning(tiny, 0)).contains("memory: 10% threshold, but this benchmark's "
                + "noise hides changes under 643%");
        assertThat(BaselineComparison.mdeWarning(half, 1.0)).isPresent(); // 2.5% of 100 MB is above the floor
        // The engine's figure: (z_0.95 + z_0.8) / z_0.95 times the half-width.
        assertThat(new VerdictEngine(0.95).minimumDetectableEffect(10)).isCloseTo(15.117, within(0.01));
    }

    @Test
    void firstRunsAssumeTheRunNoiseAndWarnAboutTheDetectionLimit() {
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        try (PerfRunner r = runner(Map.of(), store).confirm(false).build()) {
            r.run(sleeping("limit", 10));
            BenchmarkResult second = r.run(sleeping("limit", 10));
            // 10% assumed run-to-run noise alone hides changes under (2.326 + 0.842) * 10 = 32% at 99%.
            assertThat(second.notes()).anySatisfy(n -> assertThat(n)
                    .startsWith("throughput: 5% threshold, but this benchmark's noise hides changes under"));
            assertThat(second.verdict(Metric.THROUGHPUT).orElseThrow().minDetectablePercent()).isGreaterThan(24);
        }
    }

    @Test
    void confirmationRerunsOnceAndJudgesAllSamples() {
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        try (PerfRunner r = runner(Map.of(), store).build()) {
            r.run(sleeping("confirm", 10));
            BenchmarkResult slow = r.run(sleeping("confirm", 40));
            assertThat(slow.samples().get(Metric.THROUGHPUT)).hasSize(10);
            assertThat(slow.notes().get(0)).startsWith("confirmation: the first 5 iterations said REGRESSION "
                    + "(throughput").contains("the verdict is made from all 10");
            assertThat(slow.verdict(Metric.THROUGHPUT).orElseThrow().status()).isEqualTo(Status.REGRESSION);
        }
        try (PerfRunner r = runner(Map.of("PERF_CONFIRM", "false"), store).build()) {
            BenchmarkResult slow = r.run(sleeping("confirm", 40));
            assertThat(slow.samples().get(Metric.THROUGHPUT)).hasSize(5);
            assertThat(slow.notes()).noneSatisfy(n -> assertThat(n).startsWith("confirmation"));
        }
    }

    @Test
    void failOnRegressionAppliesHolmAcrossTheRun() {
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        try (PerfRunner r = runner(Map.of(), store).failOnRegression(true)
                .baselinePolicy(BaselinePolicy.UPDATE_UNLESS_REGRESSED).build()) {
            r.run(sleeping("gate", 10));
            assertThatThrownBy(() -> r.run(sleeping("gate", 40))).isInstanceOf(PerformanceRegressionError.class)
                    .hasMessageContaining("counting_gate");
        }
    }
}
