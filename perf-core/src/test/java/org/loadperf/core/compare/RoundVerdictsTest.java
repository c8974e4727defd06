package org.loadperf.core.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;
import org.loadperf.api.Thresholds;
import org.loadperf.api.Verdict.Status;

/**
 * The round verdict on synthetic rounds (fixed seeds, so every run of the test sees the same numbers): the machine's
 * speed, which both sides of a round share, swings widely; each JVM adds its own noise.
 */
class RoundVerdictsTest {

    private static final RoundVerdicts JUDGE = new RoundVerdicts(0.99, Thresholds.defaults(), 1.0);

    private static BenchmarkRecord record(String key, double throughput, double memory) {
        String[] p = key.split("_", 2);
        return new BenchmarkRecord(p[1], p[0], 1000, Map.of(Metric.THROUGHPUT, throughput, Metric.MEMORY, memory,
                Metric.DURATION, 1000 / throughput), Map.of(), "2026-01-01T00:00:00Z", "unknown", false, "local",
                Map.of(), Map.of());
    }

    /**
     * Rounds of one benchmark: machine speed per round uniform in [1 - drift, 1 + drift] for both sides, each JVM's
     * throughput times (1 + N(0, jvmNoise)), the head's slower by {@code slowdown} %.
     */
    private static List<RoundVerdicts.Round> rounds(Random rnd, int n, double drift, double jvmNoise,
                                                    double slowdown, List<String> keys) {
        List<RoundVerdicts.Round> out = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            double machine = 1 + drift * (2 * rnd.nextDouble() - 1);
            Map<String, BenchmarkRecord> b = new HashMap<>();
            Map<String, BenchmarkRecord> h = new HashMap<>();
            for (String key : keys) {
                b.put(key, record(key, 100_000 * machine * (1 + jvmNoise * rnd.nextGaussian()),
                        200 + rnd.nextGaussian()));
                h.put(key, record(key, 100_000 * machine * (1 + jvmNoise * rnd.nextGaussian())
                        * (1 - slowdown / 100), 200 + rnd.nextGaussian()));
            }
            out.add(new RoundVerdicts.Round(b, h));
        }
        return out;
    }

    private static List<RoundVerdicts.Row> judge(List<RoundVerdicts.Round> rounds) {
        return JUDGE.judge(rounds, new ArrayList<>());
    }

    private static RoundVerdicts.Row throughput(List<RoundVerdicts.Row> rows) {
        return rows.stream().filter(r -> r.metric() == Metric.THROUGHPUT).findFirst().orElseThrow();
    }

    @Test
    void unchangedCodeOnADriftingMachineRaisesNoFailingAlarm() {
        Random rnd = new Random(16);
        int failing = 0;
        int decided = 0;
        for (int i = 0; i < 200; i++) {
            // the machine's speed moves by +-30% between rounds: far more than any threshold, and shared by the pair
            List<RoundVerdicts.Row> rows = judge(rounds(rnd, 12, 0.30, 0.02, 0, List.of("pg_load")));
            failing += rows.stream().anyMatch(RoundVerdicts.Row::failing) ? 1 : 0;
            decided += RoundVerdicts.allDecided(rows) ? 1 : 0;
        }
        assertThat(failing).isLessThanOrEqualTo(2); // the 1% of a 99% bound, at most
        assertThat(decided).isGreaterThan(190);
    }

    @Test
    void aTenPercentSlowdownIsFoundDespiteTheDrift() {
        Random rnd = new Random(1016);
        int found = 0;
        for (int i = 0; i < 200; i++) {
            RoundVerdicts.Row row = throughput(judge(rounds(rnd, 12, 0.30, 0.02, 10, List.of("pg_load"))));
            found += row.failing() ? 1 : 0;
        }
        assertThat(found).isGreaterThanOrEqualTo(190); // 19 in 20
    }

    @Test
    void withoutPairingTheSameDriftWouldHideIt() {
        // The drift alone (unpaired medians) is larger than the slowdown: what the pairing removes.
        Random rnd = new Random(7);
        RoundVerdicts.Row row = throughput(judge(rounds(rnd, 12, 0.30, 0.02, 10, List.of("pg_load"))));
        double spread = row.base().stream().mapToDouble(Double::doubleValue).max().orElseThrow()
                / row.base().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertThat(spread).isGreaterThan(1.2);
        assertThat(row.verdict().status()).isEqualTo(Status.REGRESSION);
    }

    @Test
    void tooFewRoundsForABoundAreUndecided() {
        List<RoundVerdicts.Row> rows = judge(rounds(new Random(3), 3, 0.1, 0.02, 10, List.of("pg_load")));
        RoundVerdicts.Row row = throughput(rows);
        assertThat(row.verdict().status()).isEqualTo(Status.INCONCLUSIVE);
        assertThat(row.decided()).isFalse();
        assertThat(RoundVerdicts.allDecided(rows)).isFalse();
    }

    @Test
    void aRegressionFailsOnlyWhenItSurvivesHolmAcrossTheFamily() {
        // One benchmark whose rounds barely bound the change above zero; alone it fails the build.
        List<RoundVerdicts.Round> marginal = new ArrayList<>();
        double[] worse = {12, 11, 13, -1, 12, 14, 11, 12, 13, 12};
        for (double w : worse) {
            marginal.add(new RoundVerdicts.Round(Map.of("pg_load", record("pg_load", 100_000, 200)),
                    Map.of("pg_load", record("pg_load", 100_000 * (1 - w / 100), 200))));
        }
        RoundVerdicts.Row alone = throughput(judge(marginal));
        assertThat(alone.verdict().status()).isEqualTo(Status.REGRESSION);
        assertThat(alone.failing()).isTrue();
        double p = alone.p();
        // Enough unchanged benchmarks beside it that Holm's first step (alpha / m) is below its p-value.
        int others = (int) Math.ceil(0.01 / p / 3) + 1;
        List<RoundVerdicts.Round> family = new ArrayList<>();
        Random rnd = new Random(5);
        for (RoundVerdicts.Round r : marginal) {
            Map<String, BenchmarkRecord> b = new HashMap<>(r.base());
            Map<String, BenchmarkRecord> h = new HashMap<>(r.head());
            for (int i = 0; i < others; i++) {
                double x = 100_000 * (1 + 0.02 * rnd.nextGaussian());
                b.put("other_" + i, record("other_" + i, x, 200));
                h.put("other_" + i, record("other_" + i, x * (1 + 0.02 * rnd.nextGaussian()), 200));
            }
            family.add(new RoundVerdicts.Round(b, h));
        }
        RoundVerdicts.Row inFamily = judge(family).stream().filter(r -> r.key().equals("pg_load")
                && r.metric() == Metric.THROUGHPUT).findFirst().orElseThrow();
        assertThat(inFamily.verdict().status()).isEqualTo(Status.REGRESSION);
        assertThat(inFamily.failing()).isFalse();
        assertThat(inFamily.decided()).isFalse();
    }

    @Test
    void theExactPValueOfAllRoundsWorseIsOneIn2PowerN() {
        List<Double> base = List.of(100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0);
        List<Double> slower = List.of(90.0, 91.0, 92.0, 93.0, 94.0, 95.0, 96.0);
        assertThat(RoundVerdicts.pValue(Metric.THROUGHPUT, base, slower)).isCloseTo(1.0 / 128, within(1e-12));
        assertThat(RoundVerdicts.pValue(Metric.THROUGHPUT, slower, base)).isEqualTo(1.0);
        assertThat(RoundVerdicts.pValue(Metric.THROUGHPUT, base, base)).isEqualTo(1.0);
    }

    @Test
    void aBenchmarkOnlyOneSideMeasuredIsNamedInTheNotes() {
        List<RoundVerdicts.Round> rounds = rounds(new Random(9), 8, 0.1, 0.02, 0, List.of("pg_load"));
        List<RoundVerdicts.Round> withNew = new ArrayList<>();
        for (RoundVerdicts.Round r : rounds) {
            Map<String, BenchmarkRecord> h = new HashMap<>(r.head());
            h.put("redis_new", record("redis_new", 5000, 10));
            withNew.add(new RoundVerdicts.Round(r.base(), h));
        }
        List<String> notes = new ArrayList<>();
        List<RoundVerdicts.Row> rows = JUDGE.judge(withNew, notes);
        assertThat(rows).extracting(RoundVerdicts.Row::key).containsOnly("pg_load");
        assertThat(notes).anySatisfy(n -> assertThat(n).contains("redis_new").contains("the head only"));
    }

    @Test
    void memoryWithinTheFloorIsDecided() {
        List<RoundVerdicts.Row> rows = judge(rounds(new Random(11), 7, 0.1, 0.01, 0, List.of("pg_load")));
        RoundVerdicts.Row memory = rows.stream().filter(r -> r.metric() == Metric.MEMORY).findFirst().orElseThrow();
        assertThat(memory.verdict().status()).isEqualTo(Status.OK);
        assertThat(memory.decided()).isTrue();
    }

    /** A record with per-iteration throughput samples (and their median as the figure). */
    private static BenchmarkRecord sampled(String key, List<Double> throughput) {
        String[] p = key.split("_", 2);
        double median = org.loadperf.core.stats.Statistics.median(throughput.stream().mapToDouble(d -> d).toArray());
        return new BenchmarkRecord(p[1], p[0], 1000, Map.of(Metric.THROUGHPUT, median, Metric.MEMORY, 10.0,
                Metric.DURATION, 1000 / median), Map.of(Metric.THROUGHPUT, throughput), "2026-01-01T00:00:00Z",
                "unknown", false, "local", Map.of(), Map.of());
    }

    @Test
    void theHeadsRoundFigureIsPairedIterationByIterationWithTheBases() {
        // the machine's speed changes from iteration to iteration and both sides' i-th iterations share it (turns):
        // the head is 10% slower in every pair, though the two sides' medians fall on different speeds
        List<Double> speed = List.of(1.0, 0.5, 1.0, 0.5, 1.0, 0.5, 0.5);
        List<Double> base = speed.stream().map(x -> 1000 * x).toList();
        List<Double> head = speed.stream().map(x -> 900 * x).toList();
        BenchmarkRecord b = sampled("fake_load", base);
        BenchmarkRecord h = sampled("fake_load", head);
        assertThat(RoundVerdicts.pairedHead(Metric.THROUGHPUT, b, h)).isCloseTo(450.0, within(1e-9));
        assertThat(h.value(Metric.THROUGHPUT).getAsDouble()).isEqualTo(450.0);
        // fewer iterations than the pairing needs, or memory: the head's own figure
        BenchmarkRecord few = sampled("fake_load", head.subList(0, 3));
        assertThat(RoundVerdicts.pairedHead(Metric.THROUGHPUT, b, few)).isEqualTo(few.value(Metric.THROUGHPUT)
                .getAsDouble());
        assertThat(RoundVerdicts.pairedHead(Metric.MEMORY, b, h)).isEqualTo(10.0);
        // the i-th iterations pair even when the medians disagree: base samples fast first, head slow first
        BenchmarkRecord b2 = sampled("fake_load", List.of(1000.0, 1000.0, 1000.0, 500.0, 500.0, 500.0));
        BenchmarkRecord h2 = sampled("fake_load", List.of(900.0, 900.0, 900.0, 450.0, 450.0, 450.0));
        assertThat(RoundVerdicts.pairedHead(Metric.THROUGHPUT, b2, h2) / b2.value(Metric.THROUGHPUT).getAsDouble())
                .isCloseTo(0.9, within(1e-9));
    }
}
