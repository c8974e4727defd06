package org.loadperf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;
import org.loadperf.api.Thresholds;
import org.loadperf.api.Verdict.Status;
import org.loadperf.api.Verdict;
import org.loadperf.core.measure.MachineCalibration;
import org.loadperf.core.report.ReportFixtures;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.InMemoryBaselineStore;
import org.loadperf.core.verdict.ChangePoint;
import org.loadperf.core.verdict.ChangePointVerdicts;
import org.loadperf.core.verdict.ChangePoints;
import org.loadperf.core.verdict.VerdictEngine;

/**
 * The change-point search on synthetic histories with seeded noise: per-run figures with log-normal noise of a given
 * run-to-run spread, "busy" runs slowed 1.2-2x at random (their machine speed slowed alike), and injected sustained
 * shifts. The figures the README quotes come from these series.
 */
class ChangePointsTest {

    private static final OffsetDateTime T0 = OffsetDateTime.of(2025, 7, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    /** A throughput history: {@code n} runs of 1000 rows/s, times {@code factor} from run {@code shiftAt} on. */
    private static double[][] history(long seed, int n, double noise, double busyShare, int shiftAt, double factor) {
        Random r = new Random(seed);
        double[] values = new double[n];
        double[] speeds = new double[n];
        for (int i = 0; i < n; i++) {
            double slow = r.nextDouble() < busyShare ? 1.2 + 0.8 * r.nextDouble() : 1.0;
            values[i] = 1000 * Math.exp(noise * r.nextGaussian()) / slow * (i >= shiftAt ? factor : 1.0);
            speeds[i] = 1e6 * Math.exp(0.02 * r.nextGaussian()) / slow;
        }
        return new double[][] {values, speeds};
    }

    private static BenchmarkRecord run(int i, Metric m, double value, double speed) {
        Map<Metric, Double> values = new EnumMap<>(Metric.class);
        values.put(m, value);
        Map<String, String> machine = new LinkedHashMap<>(); // no machine: all runs compare (and it is quicker)
        if (speed > 0) {
            machine.putAll(Map.of("os", "Linux", "cpus", "2", MachineCalibration.RUN_SPEED_KEY, String.valueOf(speed)));
        }
        return new BenchmarkRecord("t", "l", 1000, values, Map.of(), T0.plusHours(i).format(
                DateTimeFormatter.ISO_OFFSET_DATE_TIME), String.format("c%07d", i), false, "local", machine, Map.of());
    }

    private static List<BenchmarkRecord> records(Metric m, double[] values, double[] speeds) {
        List<BenchmarkRecord> out = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            out.add(run(i, m, values[i], speeds == null ? -1 : speeds[i]));
        }
        return out;
    }

    private static Verdict oneRun(Metric m, Status status) {
        return new Verdict(m, status, status == Status.INCONCLUSIVE ? 7.0 : 1.0, 1000, 990, -3, 0.99,
                Thresholds.defaults().of(m).percent(), 2, 8, "hodges-lehmann", "one run");
    }

    /** The runner's decision after run {@code last} of {@code runs} (history before it, baseline the run before). */
    private static Verdict after(List<BenchmarkRecord> runs, int last, Status oneRun, List<String> notes) {
        Metric m = runs.get(0).values().keySet().iterator().next();
        return ChangePointVerdicts.apply(List.of(oneRun(m, oneRun)), runs.subList(0, last), runs.get(last),
                Optional.of(runs.get(last - 1)), Thresholds.defaults(), notes, 1.0).get(0);
    }

    /** The first run after the shift at {@code shiftAt} at which the runner reports it (-1: not within 20). */
    private static int runsUntilReported(List<BenchmarkRecord> runs, int shiftAt) {
        for (int last = shiftAt; last < runs.size() && last < shiftAt + 20; last++) {
            if (after(runs, last, Status.OK, new ArrayList<>()).isRegression()) {
                return last - shiftAt + 1;
            }
        }
        return -1;
    }

    /** How many of the histories of these seeds get a REGRESSION from a change point at any of their runs. */
    private static int falseAlarms(int seeds, double noise, double busyShare) {
        int alarms = 0;
        for (int seed = 0; seed < seeds; seed++) {
            double[][] h = history(seed, 40, noise, busyShare, Integer.MAX_VALUE, 1.0);
            List<BenchmarkRecord> runs = records(Metric.THROUGHPUT, h[0], busyShare > 0 ? h[1] : null);
            for (int last = 1; last < runs.size(); last++) {
                if (after(runs, last, Status.OK, new ArrayList<>()).isRegression()) {
                    alarms++;
                    break;
                }
            }
        }
        return alarms;
    }

    @Test
    void studentsTMatchesItsTables() {
        assertThat(ChangePoints.twoSidedP(2.0, 10)).isCloseTo(0.07339, within(1e-4));
        assertThat(ChangePoints.twoSidedP(-2.0, 10)).isCloseTo(0.07339, within(1e-4));
        assertThat(ChangePoints.twoSidedP(1.0, 5)).isCloseTo(0.36322, within(1e-4));
        assertThat(ChangePoints.twoSidedP(4.0, 23)).isCloseTo(5.625e-4, within(1e-6));
        assertThat(ChangePoints.twoSidedP(0.0, 7)).isCloseTo(1.0, within(1e-12));
        assertThat(ChangePoints.logGamma(5)).isCloseTo(Math.log(24), within(1e-12));
    }

    @Test
    void aStepIsFoundAtItsFirstRunWithItsSizeAndSignificance() {
        double[] x = new double[26];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i < 20 ? 100 : 90) * (i % 2 == 0 ? 1.01 : 0.99);
        }
        List<ChangePoints.Split> found = ChangePoints.detect(x);
        assertThat(found).hasSize(1);
        assertThat(found.get(0).index()).isEqualTo(20);
        assertThat(found.get(0).meanBefore()).isCloseTo(100, within(1e-9));
        assertThat(found.get(0).meanAfter()).isCloseTo(90, within(1e-9));
        assertThat(found.get(0).pValue()).isLessThan(1e-10);

        ChangePoint c = ChangePoints.find(Metric.THROUGHPUT, records(Metric.THROUGHPUT, x, null)).get(0);
        assertThat(c.commit()).isEqualTo("c0000020");
        assertThat(c.regressionPercent()).isCloseTo(10.0, within(1e-9));
        assertThat(c.describe()).startsWith("sustained 10.0% slower since c0000020 (p=").endsWith(", 6 runs)");
        // flat and short series have none; bad input is refused
        assertThat(ChangePoints.detect(new double[] {5, 5, 5, 5, 5, 5, 5, 5})).isEmpty();
        assertThat(ChangePoints.detect(new double[] {1, 2, 3})).isEmpty();
        assertThatThrownBy(() -> ChangePoints.detect(new double[] {1, Double.NaN, 3, 4, 5, 6}))
                .hasMessageContaining("NaN");
    }

    @Test
    void aTenPercentSlowdownIsReportedWithinFiveRunsWhereTheNoiseIsUnderThreePercent() {
        for (double noise : new double[] {0.02, 0.03}) {
            int within5 = 0;
            for (int seed = 0; seed < 200; seed++) {
                double[][] h = history(1000 + seed, 50, noise, 0, 30, 1 / 1.1);
                int k = runsUntilReported(records(Metric.THROUGHPUT, h[0], h[1]), 30);
                if (k > 0 && k <= 5) {
                    within5++;
                }
            }
            // 2%: all 200; 3%: 186 of 200
            assertThat(within5).as("noise %.0f%%", noise * 100).isGreaterThanOrEqualTo(noise < 0.025 ? 200 : 180);
        }
    }

    @Test
    void theReportNamesTheCommitWhereTheShiftBeganAndFiresOnceUnderAMovingBaseline() {
        double[][] h = history(7, 45, 0.02, 0, 30, 1 / 1.1);
        List<BenchmarkRecord> runs = records(Metric.THROUGHPUT, h[0], h[1]);
        int k = runsUntilReported(runs, 30);
        assertThat(k).isBetween(3, 5);
        List<String> notes = new ArrayList<>();
        Verdict v = after(runs, 30 + k - 1, Status.OK, notes);
        assertThat(v.status()).isEqualTo(Status.REGRESSION);
        assertThat(v.method()).isEqualTo("change-point");
        assertThat(v.regressionPercent()).isBetween(6.0, 14.0);
        assertThat(v.message()).startsWith("sustained ").contains("% slower since c0000030 (p=")
                .contains("this run against its baseline alone: OK");
        assertThat(VerdictEngine.pValue(v)).isLessThan(ChangePoints.MAX_P);
        // the next runs compare with a baseline after the shift and find the same change point: not again
        for (int last = 30 + k; last < runs.size(); last++) {
            assertThat(after(runs, last, Status.OK, new ArrayList<>()).status()).as("run %d", last).isEqualTo(Status.OK);
        }
    }

    @Test
    void aBaselineFromBeforeTheShiftKeepsTheChangePointCarryingInconclusiveVerdicts() {
        double[][] h = history(7, 45, 0.02, 0, 30, 1 / 1.1);
        List<BenchmarkRecord> runs = records(Metric.THROUGHPUT, h[0], h[1]);
        int k = runsUntilReported(runs, 30);
        BenchmarkRecord pinned = runs.get(10);
        for (int last = 30 + k; last < runs.size(); last++) {
            List<BenchmarkRecord> before = runs.subList(0, last);
            assertThat(ChangePointVerdicts.apply(List.of(oneRun(Metric.THROUGHPUT, Status.INCONCLUSIVE)), before,
                    runs.get(last), Optional.of(pinned), Thresholds.defaults(), new ArrayList<>(), 1.0).get(0).status())
                    .isEqualTo(Status.REGRESSION);
            // an OK one-run verdict against the pinned baseline is left alone; so is one against a later baseline
            assertThat(ChangePointVerdicts.apply(List.of(oneRun(Metric.THROUGHPUT, Status.OK)), before,
                    runs.get(last), Optional.of(pinned), Thresholds.defaults(), new ArrayList<>(), 1.0).get(0).status())
                    .isEqualTo(Status.OK);
            assertThat(after(runs, last, Status.INCONCLUSIVE, new ArrayList<>()).status())
                    .isEqualTo(Status.INCONCLUSIVE);
        }
    }

    @Test
    void unchangedQuietHistoriesOf40RunsRaiseNoRegression() {
        // checked after every run of each history, as the runner does
        assertThat(falseAlarms(200, 0.05, 0)).isZero();
        assertThat(falseAlarms(100, 0.20, 0)).isZero();
    }

    @Test
    void falseChangePointsAnywhereInA40RunHistoryStayUnderOnePercent() {
        int any = 0;
        for (int seed = 0; seed < 1000; seed++) {
            double[] x = history(seed, 40, 0.05, 0, Integer.MAX_VALUE, 1.0)[0];
            for (int n = 6; n <= x.length; n++) {
                if (!ChangePoints.detect(Arrays.copyOf(x, n)).isEmpty()) {
                    any++;
                    break;
                }
            }
        }
        assertThat(any).isLessThanOrEqualTo(10); // 6 of 1000 seen, in either direction, before the runner's rules
    }

    @Test
    void busyRunsRaiseNoRegressionAndAShiftIsStillFound() {
        // a quarter of the runs slowed 1.2-2x by other work, which their timed machine speed shows
        assertThat(falseAlarms(200, 0.05, 0.25)).isZero();
        int within8 = 0;
        for (int seed = 0; seed < 200; seed++) {
            double[][] h = history(3000 + seed, 50, 0.02, 0.25, 30, 1 / 1.1);
            int k = runsUntilReported(records(Metric.THROUGHPUT, h[0], h[1]), 30);
            if (k > 0 && k <= 8) {
                within8++;
            }
        }
        assertThat(within8).isGreaterThanOrEqualTo(180);
    }

    @Test
    void aShiftTheMachineExplainsIsNotARegression() {
        double[] values = new double[36];
        double[] speeds = new double[36];
        for (int i = 0; i < values.length; i++) {
            double slower = i >= 30 ? 0.88 : 1.0; // the machine 12% slower: not one busy run, a slower period
            values[i] = 1000 * slower * (i % 2 == 0 ? 1.005 : 0.995);
            speeds[i] = 1e6 * slower;
        }
        List<BenchmarkRecord> runs = records(Metric.THROUGHPUT, values, speeds);
        List<String> notes = new ArrayList<>();
        for (int last = 30; last < runs.size(); last++) {
            assertThat(after(runs, last, Status.OK, notes).status()).isEqualTo(Status.OK);
        }
        // the figures follow the timed speed exactly, so at the median speed there is no shift left to report
        assertThat(notes).allSatisfy(n -> assertThat(n).contains("but the machine itself ran"));
    }

    /**
     * A machine whose speed drifts by +-20% over hours (as the quiet validation measured on this project's 2-core VM):
     * the figures follow it, so a 10% slowdown of the code is hidden in the raw series; at the median speed it is
     * found, and the drift alone raises nothing.
     */
    @Test
    void aShiftIsFoundThroughASlowMachineDriftAndTheDriftAloneIsNoRegression() {
        int within5 = 0;
        int alarms = 0;
        for (int seed = 0; seed < 200; seed++) {
            Random r = new Random(5000 + seed);
            double phase = r.nextDouble() * 2 * Math.PI;
            double[] values = new double[50];
            double[] unchanged = new double[50];
            double[] speeds = new double[50];
            for (int i = 0; i < values.length; i++) {
                double machine = Math.exp(0.2 * Math.sin(phase + i / 6.0)); // a period of about 38 runs
                double noise = Math.exp(0.03 * r.nextGaussian());
                speeds[i] = 1e6 * machine * Math.exp(0.01 * r.nextGaussian());
                unchanged[i] = 1000 * machine * noise;
                values[i] = unchanged[i] * (i >= 30 ? 1 / 1.1 : 1.0);
            }
            int k = runsUntilReported(records(Metric.THROUGHPUT, values, speeds), 30);
            if (k > 0 && k <= 5) {
                within5++;
            }
            List<BenchmarkRecord> runs = records(Metric.THROUGHPUT, unchanged, speeds);
            for (int last = 1; last < runs.size(); last++) {
                if (after(runs, last, Status.OK, new ArrayList<>()).isRegression()) {
                    alarms++;
                    break;
                }
            }
        }
        // 0 and 132 of 200 (without the correction: 1 of 200 found within 5 runs)
        assertThat(alarms).isZero();
        assertThat(within5).isGreaterThanOrEqualTo(120);
    }

    @Test
    void aShiftTheGoodWayOrUnderTheThresholdIsNoRegression() {
        for (double factor : new double[] {1.1, 0.97}) { // 10% faster; 3% slower, under the 5% threshold
            double[] values = new double[36];
            for (int i = 0; i < values.length; i++) {
                values[i] = 1000 * (i >= 30 ? factor : 1.0) * (i % 2 == 0 ? 1.002 : 0.998);
            }
            List<BenchmarkRecord> runs = records(Metric.THROUGHPUT, values, null);
            List<String> notes = new ArrayList<>();
            for (int last = 30; last < runs.size(); last++) {
                assertThat(after(runs, last, Status.OK, notes).status()).isEqualTo(Status.OK);
                assertThat(after(runs, last, Status.INCONCLUSIVE, new ArrayList<>()).status())
                        .isEqualTo(Status.INCONCLUSIVE);
            }
            assertThat(notes).hasSize(1);
            assertThat(notes.get(0)).containsPattern(factor > 1 ? "sustained 10\\.[01]% faster since c0000030"
                    : "sustained [23]\\.[0-9]% slower since c0000030").endsWith(factor > 1 ? "3 runs)" : "% threshold");
        }
    }

    @Test
    void memoryUnderTheAbsoluteFloorIsNoRegression() {
        double[] values = new double[36];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i >= 30 ? 0.5 : 0.2) + (i % 2 == 0 ? 0.001 : -0.001); // +150%, but 0.3 MB
        }
        List<BenchmarkRecord> runs = records(Metric.MEMORY, values, null);
        for (int last = 30; last < runs.size(); last++) {
            assertThat(after(runs, last, Status.OK, new ArrayList<>()).status()).isEqualTo(Status.OK);
        }
        for (int i = 0; i < values.length; i++) {
            values[i] = values[i] * 10; // +150% and 3 MB: found at the third run after it
        }
        List<BenchmarkRecord> larger = records(Metric.MEMORY, values, null);
        assertThat(after(larger, 32, Status.OK, new ArrayList<>()).message())
                .containsPattern("^sustained 150\\.[0-9]% more memory since c0000030");
    }

    @Test
    void theRunnerReportsANewShiftOnceAndAnAcknowledgedOneNotAgain() {
        // allocation per row is steady enough on any machine that one real run sits on the seeded level
        Benchmark b = Benchmark.builder("allocating", "counting").datasetSize(1000).body(ctx -> {
            sink = new byte[1 << 20];
            return 1000;
        }).build();
        for (boolean acknowledge : new boolean[] {false, true}) {
            InMemoryBaselineStore first = new InMemoryBaselineStore();
            run(first, b, false);
            BenchmarkRecord measured = first.history(b.key()).get(0);
            double level = measured.value(Metric.ALLOCATED_BYTES_PER_ROW).getAsDouble();
            InMemoryBaselineStore store = new InMemoryBaselineStore();
            for (int i = 0; i < 32; i++) { // 30 runs at 60% of the level, then 2 at it: this run is the third
                double v = level * (i < 30 ? 0.6 : 1.0) * (i % 2 == 0 ? 1.002 : 0.998);
                Map<Metric, Double> values = new EnumMap<>(measured.values());
                values.put(Metric.ALLOCATED_BYTES_PER_ROW, v);
                store.record(new BenchmarkRecord(b.testName(), b.loaderType(), 1000, values, Map.of(),
                        T0.plusHours(i).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), String.format("c%07d", i),
                        false, "local", measured.fingerprint(), Map.of()), true);
            }
            Verdict v = run(store, b, acknowledge);
            if (acknowledge) {
                assertThat(v.status()).isEqualTo(Status.OK);
                assertThat(v.message()).startsWith("acknowledged regression (a bigger buffer on purpose): sustained ");
            } else {
                assertThat(v.status()).isEqualTo(Status.REGRESSION);
                assertThat(v.method()).isEqualTo("change-point");
                assertThat(v.message()).containsPattern("^sustained [0-9.]+% more allocation per row since c0000030 "
                        + "\\(p=[^)]+, 3 runs\\)");
            }
            // the next run finds the same change point in its history: it does not fire again
            assertThat(run(store, b, false).status()).isEqualTo(Status.OK);
        }
    }

    private static volatile byte[] sink;

    private static Verdict run(InMemoryBaselineStore store, Benchmark b, boolean acknowledge) {
        try (PerfRunner runner = PerfRunner.builder(PerfSettings.of(Map.of(), Map.of(), Map.of())).store(store)
                .reporter(new org.loadperf.api.Reporter() { })
                .comparedMetrics(java.util.EnumSet.of(Metric.ALLOCATED_BYTES_PER_ROW)).confirm(false)
                .speedCorrection(false).warmupIterations(1).warmupTime(java.time.Duration.ZERO)
                .measuredIterations(5).measurementTime(java.time.Duration.ZERO).build()) {
            if (acknowledge) {
                runner.acknowledge(b.key(), "a bigger buffer on purpose");
            }
            return runner.run(b).verdict(Metric.ALLOCATED_BYTES_PER_ROW).orElseThrow();
        }
    }
}
