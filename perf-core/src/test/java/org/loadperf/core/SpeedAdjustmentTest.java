package org.loadperf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
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
import org.loadperf.core.store.InMemoryBaselineStore;
import org.loadperf.core.verdict.RunToRunNoise;
import org.loadperf.core.verdict.SpeedAdjustment;
import org.loadperf.core.verdict.VerdictEngine;

class SpeedAdjustmentTest {

    private static final Map<String, String> MACHINE = MachineFingerprint.current();

    /** A run of {@code throughput} rows/s on the machine at {@code speed} ops/s (in its fingerprint). */
    private static BenchmarkRecord run(double throughput, double speed) {
        Map<String, String> fp = new HashMap<>(MACHINE);
        if (speed > 0) {
            fp.put(MachineCalibration.RUN_SPEED_KEY, String.valueOf(speed));
        }
        return new BenchmarkRecord("n", "counting", 1000, Map.of(Metric.THROUGHPUT, throughput,
                Metric.DURATION, 1000 / throughput, Metric.MEMORY, 50.0), Map.of(), "t", "c", false, "local", fp,
                Map.of());
    }

    /**
     * Twelve runs on a machine whose speed swings by up to 15% between runs; the figures follow it with
     * {@code sensitivity} and have a noise of their own of {@code ownNoise} (relative).
     */
    private static List<BenchmarkRecord> history(double sensitivity, double ownNoise, long seed) {
        Random rnd = new Random(seed);
        List<BenchmarkRecord> h = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            double speed = 1e6 * (0.85 + 0.3 * rnd.nextDouble());
            h.add(run(1000 * Math.pow(speed / 1e6, sensitivity) * (1 + ownNoise * rnd.nextGaussian()), speed));
        }
        return h;
    }

    private static Optional<SpeedAdjustment> estimate(Metric m, List<BenchmarkRecord> h, double currentSpeed) {
        return SpeedAdjustment.estimate(m, h, 1000, MACHINE, 20, 5, h.get(h.size() - 1), currentSpeed);
    }

    @Test
    void figuresThatFollowTheMachineAreCorrectedWithTheSensitivityTheHistoryShows() {
        List<BenchmarkRecord> h = history(1.0, 0.005, 1);
        double baseSpeed = MachineCalibration.number(h.get(11).fingerprint(), MachineCalibration.RUN_SPEED_KEY);
        SpeedAdjustment a = estimate(Metric.THROUGHPUT, h, baseSpeed * 0.8).orElseThrow();
        assertThat(a.sensitivity()).isCloseTo(1.0, within(0.1));
        assertThat(a.factor()).isCloseTo(Math.pow(1 / 0.8, a.sensitivity()), within(1e-9));
        assertThat(a.speedChangePercent()).isCloseTo(25.0, within(1e-6));
        assertThat(a.noise().percent()).isLessThan(a.rawNoise() / 3);
        assertThat(a.noise().degreesOfFreedom()).isEqualTo(10); // 12 runs, one fitted parameter
        assertThat(a.apply(List.of(800.0))).containsExactly(800.0 * a.factor());
        assertThat(a.describe(Metric.THROUGHPUT)).contains("throughput corrected for the machine's speed during the "
                + "runs (25.0% slower than during the baseline's").contains("over the last 12 runs");
        // Durations fall as the machine speeds up: the sensitivity is negative and the correction applies too.
        SpeedAdjustment d = estimate(Metric.DURATION, h, baseSpeed * 0.8).orElseThrow();
        assertThat(d.sensitivity()).isCloseTo(-1.0, within(0.1));
        assertThat(d.factor()).isLessThan(1.0);
    }

    @Test
    void noCorrectionWhereItDoesNotPayOrCannotBeMade() {
        // Figures that ignore the machine's speed: the slope is noise, the residual variance no smaller.
        assertThat(estimate(Metric.THROUGHPUT, history(0.0, 0.03, 2), 1e6)).isEmpty();
        // Memory is never corrected.
        assertThat(estimate(Metric.MEMORY, history(1.0, 0.005, 3), 1e6)).isEmpty();
        // Too few runs, no speed for this run, or none for the baseline (runs written before speeds were timed).
        assertThat(estimate(Metric.THROUGHPUT, history(1.0, 0.005, 4).subList(0, 4), 1e6)).isEmpty();
        assertThat(estimate(Metric.THROUGHPUT, history(1.0, 0.005, 5), Double.NaN)).isEmpty();
        List<BenchmarkRecord> noBaselineSpeed = new ArrayList<>(history(1.0, 0.005, 6));
        noBaselineSpeed.add(run(1000, 0));
        assertThat(estimate(Metric.THROUGHPUT, noBaselineSpeed, 1e6)).isEmpty();
        // A figure that rises as the machine slows down is not a machine effect: no correction of the wrong sign.
        assertThat(estimate(Metric.THROUGHPUT, history(-1.0, 0.005, 7), 1e6)).isEmpty();
    }

    /**
     * Twelve runs whose throughput follows the machine's speed (sensitivity 1, 1% noise of their own), the last one
     * the baseline with five samples around its figure; comparisons at 99% against a 5% threshold.
     */
    private static final class Followed {
        final List<BenchmarkRecord> h = history(1.0, 0.01, 8);
        final BenchmarkRecord base = h.get(11);
        final double baseSpeed = MachineCalibration.number(base.fingerprint(), MachineCalibration.RUN_SPEED_KEY);
        final double baseThroughput = base.value(Metric.THROUGHPUT).getAsDouble();
        final List<Double> baseSamples = List.of(0.99, 1.0, 1.0, 1.01, 1.0).stream().map(x -> x * baseThroughput)
                .toList();
        final RunToRunNoise raw = RunToRunNoise.estimate(Metric.THROUGHPUT, h, 1000, MACHINE, 20, 5, 10);
        private final VerdictEngine engine = new VerdictEngine(0.99);
        private final Threshold five = new Threshold(Metric.THROUGHPUT, 5);

        Verdict compare(List<Double> current, RunToRunNoise noise) {
            return engine.compare(Metric.THROUGHPUT, baseSamples, baseThroughput, current, five, noise);
        }
    }

    @Test
    void aSlowMomentOfTheMachineIsNotARegressionButASlowerCodeStillIs() {
        Followed f = new Followed();
        // Same code, the machine 20% slower during this run: 20% fewer rows/s.
        List<Double> slowMachine = f.baseSamples.stream().map(x -> x * 0.8).toList();
        Verdict uncorrected = f.compare(slowMachine, f.raw);
        assertThat(uncorrected.regressionPercent()).isCloseTo(20.0, within(0.5));
        SpeedAdjustment a = estimate(Metric.THROUGHPUT, f.h, f.baseSpeed * 0.8).orElseThrow();
        Verdict corrected = f.compare(a.apply(slowMachine), a.noise());
        assertThat(corrected.status()).isEqualTo(Status.OK);
        assertThat(Math.abs(corrected.regressionPercent())).isLessThan(3.0);
        // Code 10% slower on a machine as fast as during the baseline: found, with the smaller residual noise.
        SpeedAdjustment same = estimate(Metric.THROUGHPUT, f.h, f.baseSpeed).orElseThrow();
        List<Double> slowCode = f.baseSamples.stream().map(x -> x / 1.1).toList();
        Verdict found = f.compare(same.apply(slowCode), same.noise());
        assertThat(found.status()).isEqualTo(Status.REGRESSION);
        Verdict missed = f.compare(slowCode, f.raw);
        assertThat(missed.status()).isEqualTo(Status.INCONCLUSIVE);
        // The raw figures already say "past the threshold, not sure": the corrected REGRESSION stands.
        assertThat(SpeedAdjustment.guard(found, missed)).isSameAs(found);
    }

    @Test
    void theCorrectionAloneNeverMakesARegression() {
        Followed f = new Followed();
        // The slices say the machine was 15% faster, the benchmark's own figures did not move.
        SpeedAdjustment a = estimate(Metric.THROUGHPUT, f.h, f.baseSpeed * 1.15).orElseThrow();
        Verdict corrected = f.compare(a.apply(f.baseSamples), a.noise());
        Verdict uncorrected = f.compare(f.baseSamples, f.raw);
        assertThat(corrected.status()).isEqualTo(Status.REGRESSION);
        assertThat(uncorrected.status()).isEqualTo(Status.OK);
        Verdict guarded = SpeedAdjustment.guard(corrected, uncorrected);
        assertThat(guarded.status()).isEqualTo(Status.INCONCLUSIVE);
        assertThat(guarded.regressionPercent()).isEqualTo(corrected.regressionPercent());
        assertThat(guarded.message()).contains("a regression only after the machine-speed correction")
                .contains("as measured, throughput is 0.0% worse");
        // Anything but a REGRESSION passes through.
        assertThat(SpeedAdjustment.guard(uncorrected, corrected)).isSameAs(uncorrected);
    }

    @Test
    void everyRunRecordsTheMachineSpeedDuringItUnlessSwitchedOff() {
        Benchmark b = Benchmark.builder("speed", "counting").datasetSize(1000).body(ctx -> {
            Thread.sleep(2);
            return 1000;
        }).build();
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        for (boolean on : new boolean[] {true, false}) {
            try (PerfRunner r = PerfRunner.builder(PerfSettings.of(Map.of(),
                            Map.of("PERF_SPEED_CORRECTION", String.valueOf(on)), Map.of()))
                    .store(new InMemoryBaselineStore()).reporter(new ConsoleReporter(quiet))
                    .warmupIterations(1).warmupTime(java.time.Duration.ZERO).measuredIterations(5)
                .measurementTime(java.time.Duration.ZERO).build()) {
                BenchmarkResult res = r.run(b);
                if (on) {
                    assertThat(MachineCalibration.number(res.fingerprint(), MachineCalibration.RUN_SPEED_KEY))
                            .isPositive();
                } else {
                    assertThat(res.fingerprint()).doesNotContainKey(MachineCalibration.RUN_SPEED_KEY);
                }
            }
        }
    }
}
