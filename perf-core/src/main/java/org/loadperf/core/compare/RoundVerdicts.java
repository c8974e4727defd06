package org.loadperf.core.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;
import org.loadperf.api.Thresholds;
import org.loadperf.api.Verdict;
import org.loadperf.core.stats.Statistics;
import org.loadperf.core.verdict.VerdictEngine;

/**
 * The verdicts of a two-commit comparison from its rounds, with the JVM as the unit that varies: each round gives
 * one figure per side, benchmark and metric (the median of that JVM's samples, as its store file records it; the
 * head's paired iteration by iteration with the base's, see {@link #pairedHead}), and round i's head figure is
 * paired with round i's base figure. The paired verdict is the one paired mode uses
 * ({@link VerdictEngine#comparePaired}: one-sample Hodges-Lehmann over the rounds' regression percentages with an
 * exact Wilcoxon signed-rank bound), so what a JVM's JIT and layout luck adds is noise between rounds, and what the
 * machine's drift adds hits both members of a round alike. A REGRESSION fails a build only when it also survives
 * Holm's correction across every benchmark and metric of the comparison, with the exact signed-rank p-values: with
 * one benchmark (three metrics) that takes 9 rounds at least, with ten benchmarks 12 (2^-n below 1% / m).
 */
final class RoundVerdicts {

    /** The metrics judged, each by its threshold of the settings. */
    static final List<Metric> METRICS = List.of(Metric.THROUGHPUT, Metric.MEMORY, Metric.DURATION);

    /** One round: the records of each side's store file, by benchmark key. */
    record Round(Map<String, BenchmarkRecord> base, Map<String, BenchmarkRecord> head) {
        Round {
            base = Map.copyOf(base);
            head = Map.copyOf(head);
        }
    }

    /**
     * A benchmark's metric over the rounds.
     *
     * @param key      the benchmark key
     * @param base     the base's figure per paired round
     * @param head     the head's figure per paired round
     * @param verdict  head against base (positive change = head worse)
     * @param p        the exact one-sided p-value of "the head is not worse" (signed-rank over the rounds)
     * @param failing  a REGRESSION that survives Holm's correction: it fails a build with fail-on-regression
     * @param decided  more rounds would not change the answer's meaning: a change found (and, for a REGRESSION,
     *                 surviving Holm), or OK with a detection limit within the threshold
     */
    record Row(String key, List<Double> base, List<Double> head, Verdict verdict, double p, boolean failing,
               boolean decided) {
        Row {
            base = List.copyOf(base);
            head = List.copyOf(head);
            Objects.requireNonNull(verdict, "verdict is null");
        }

        Metric metric() {
            return verdict.metric();
        }
    }

    /** Iterations both sides need before a round's head figure is paired iteration by iteration. */
    static final int MIN_PAIRED_ITERATIONS = 5;

    private final VerdictEngine engine;
    private final Thresholds thresholds;
    private final double memoryFloorMb;

    RoundVerdicts(double confidence, Thresholds thresholds, double memoryFloorMb) {
        this.engine = new VerdictEngine(confidence);
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds is null");
        this.memoryFloorMb = memoryFloorMb;
    }

    double confidence() {
        return engine.confidence();
    }

    /** The rows of every benchmark both sides measured, in key then metric order; {@code notes} gets the rest. */
    List<Row> judge(List<Round> rounds, List<String> notes) {
        TreeSet<String> keys = new TreeSet<>();
        rounds.forEach(r -> {
            keys.addAll(r.base().keySet());
            keys.addAll(r.head().keySet());
        });
        List<Verdict> verdicts = new ArrayList<>();
        List<String> owners = new ArrayList<>();
        List<List<Double>> bases = new ArrayList<>();
        List<List<Double>> heads = new ArrayList<>();
        for (String key : keys) {
            int onlyBase = 0;
            int onlyHead = 0;
            for (Metric m : METRICS) {
                List<Double> b = new ArrayList<>();
                List<Double> h = new ArrayList<>();
                for (Round r : rounds) {
                    BenchmarkRecord rb = r.base().get(key);
                    BenchmarkRecord rh = r.head().get(key);
                    if (m == METRICS.get(0)) {
                        onlyBase += rb != null && rh == null ? 1 : 0;
                        onlyHead += rh != null && rb == null ? 1 : 0;
                    }
                    if (rb != null && rh != null && rb.value(m).isPresent() && rh.value(m).isPresent()) {
                        b.add(rb.value(m).getAsDouble());
                        h.add(pairedHead(m, rb, rh));
                    }
                }
                if (b.isEmpty()) {
                    continue;
                }
                verdicts.add(VerdictEngine.floor(engine.comparePaired(m, b, h, thresholds.of(m)), memoryFloorMb));
                owners.add(key);
                bases.add(b);
                heads.add(h);
            }
            if (onlyBase > 0 || onlyHead > 0) {
                notes.add(key + ": measured by " + (onlyHead == 0 ? "the base only" : onlyBase == 0
                        ? "the head only" : "one side only") + " in " + (onlyBase + onlyHead) + " round(s); those "
                        + "rounds are left out of its verdicts");
            }
        }
        double[] p = new double[verdicts.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = pValue(verdicts.get(i).metric(), bases.get(i), heads.get(i));
        }
        boolean[] survives = Statistics.holm(p, 1.0 - engine.confidence());
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < verdicts.size(); i++) {
            Verdict v = verdicts.get(i);
            boolean failing = v.isRegression() && survives[i];
            rows.add(new Row(owners.get(i), bases.get(i), heads.get(i), v, p[i], failing, decided(v, failing)));
        }
        return rows;
    }

    /**
     * The head's figure of a round as the verdict sees it: for a timed metric whose iterations both sides recorded,
     * the base's figure times the median of the head/base ratios of their iterations taken in order (with
     * {@code --interleave iterations} the i-th of each side ran next to each other, so what the machine did to one
     * it did to the other: on the busy machine this cut the rounds' spread from 13-16% to about 10%); else the head's
     * own figure (memory, or too few iterations).
     */
    static double pairedHead(Metric m, BenchmarkRecord base, BenchmarkRecord head) {
        double own = head.value(m).getAsDouble();
        List<Double> sb = base.samples(m);
        List<Double> sh = head.samples(m);
        int n = Math.min(sb.size(), sh.size());
        if (m == Metric.MEMORY || n < MIN_PAIRED_ITERATIONS) {
            return own;
        }
        double[] ratios = new double[n];
        for (int i = 0; i < n; i++) {
            ratios[i] = sh.get(i) / sb.get(i);
            if (!(ratios[i] > 0) || Double.isInfinite(ratios[i])) {
                return own;
            }
        }
        return base.value(m).getAsDouble() * Statistics.median(ratios);
    }

    /**
     * The exact one-sided p-value of "the head is not worse" from the Wilcoxon signed-rank test of the rounds'
     * regression percentages, the test the verdict's bound comes from (the normal approximation of
     * {@link VerdictEngine#pValue} is far off for the 7-15 pairs a comparison has). Rounds without a difference
     * are left out; tied differences share their ranks, and the sum is rounded down, which errs towards no alarm.
     */
    static double pValue(Metric metric, List<Double> base, List<Double> head) {
        List<Double> d = new ArrayList<>();
        for (int i = 0; i < base.size(); i++) {
            double x = metric.regressionPercent(base.get(i), head.get(i));
            if (!Double.isNaN(x) && x != 0) {
                d.add(x);
            }
        }
        int n = d.size();
        if (n == 0) {
            return 1.0;
        }
        Double[] abs = d.stream().map(Math::abs).sorted().toArray(Double[]::new);
        double w = 0;
        for (double x : d) {
            if (x > 0) {
                int first = java.util.Arrays.asList(abs).indexOf(Math.abs(x));
                int last = java.util.Arrays.asList(abs).lastIndexOf(Math.abs(x));
                w += (first + last + 2) / 2.0;
            }
        }
        double[] cdf = Statistics.signedRankCdf(n);
        int atLeast = (int) Math.floor(w);
        return atLeast <= 0 ? 1.0 : 1.0 - cdf[atLeast - 1];
    }

    /**
     * Whether more rounds would not change what the verdict means: IMPROVED; a REGRESSION that survives Holm; OK
     * whose detection limit is within the threshold (it could have seen a change of the threshold's size), or a
     * memory change under the floor of what the heap measurement resolves.
     */
    private boolean decided(Verdict v, boolean failing) {
        return switch (v.status()) {
            case IMPROVED -> true;
            case REGRESSION -> failing;
            case OK -> v.minDetectablePercent() <= v.thresholdPercent()
                    || v.metric() == Metric.MEMORY && Math.abs(v.current() - v.baseline()) < memoryFloorMb
                    || Double.isNaN(v.regressionPercent());
            default -> false;
        };
    }

    /** Whether every row is decided (and there is at least one). */
    static boolean allDecided(List<Row> rows) {
        return !rows.isEmpty() && rows.stream().allMatch(Row::decided);
    }
}
