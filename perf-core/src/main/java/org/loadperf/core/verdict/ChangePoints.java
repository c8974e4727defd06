// Over 400 lines: the change-point search (E-divisive split, t-tests, merging the weakest) is one
// algorithm whose steps share their statistics; its Javadoc explains each step.
package org.loadperf.core.verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;
import org.loadperf.core.measure.MachineCalibration;
import org.loadperf.core.measure.MachineFingerprint;
import org.loadperf.core.stats.Statistics;

/**
 * Finds sustained shifts (change points) in a series of per-run figures, as Hunter / Apache Otava and MongoDB's CI do:
 * <ol>
 *   <li><b>split</b>: E-divisive means over overlapping windows of {@link #WINDOW} runs. In each window the split
 *       that maximises the energy statistic (Q-hat: the distance between the two sides minus the distances within
 *       each) is proposed, and kept when a Student's t-test between the segments on either side is significant at
 *       {@code 10 * maxP}; the segments are split again until no proposal is significant;</li>
 *   <li><b>merge</b>: the weakest change point (largest p, else smallest magnitude) is dropped, and its neighbours'
 *       tests redone over the merged segments, until every one left has p &lt;= {@code maxP} and a magnitude above
 *       {@code minMagnitude}.</li>
 * </ol>
 * Deterministic: the t-test replaces the permutation test of the original E-divisive, so no random numbers are used.
 * Each side of a change point holds at least {@link #MIN_SEGMENT} runs, so a single odd run is never a "sustained"
 * change. The parameters were chosen by simulation (see {@code ChangePointsTest} and the README, "Change points").
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class ChangePoints {

    /** Runs per E-divisive window (Hunter's default is 30 for the split). */
    static final int WINDOW = 30;

    /**
     * Largest p-value a change point may keep. Hunter's 0.001 is per split, but the split is the best of many, so
     * a history searched after every run shows a false change point far more often (about 1 in 25 series of 40
     * unchanged runs); 0.00005 gave about 1 in 170 (see {@code ChangePointsTest}).
     */
    public static final double MAX_P = 0.00005;

    /**
     * A run whose machine ran this much slower than the median of the runs compared (its timed speed slices) is
     * left out of time-based series: one busy moment is not a change in the code, and the t-test is not robust to
     * such outliers.
     */
    static final double BUSY_SPEED_DROP = 0.15;

    /** Smallest relative change (after against before) worth reporting. */
    static final double MIN_MAGNITUDE = 0.02;

    /** Fewest runs on either side of a change point. */
    public static final int MIN_SEGMENT = 3;

    private ChangePoints() {
    }

    /** One change point in a series: the first index of the new level and the test between its two segments. */
    @Api(status = Api.Status.INTERNAL, since = "0.2")
    public record Split(int index, int before, int after, double meanBefore, double meanAfter, double pValue) {
        /** max(|after/before - 1|, |before/after - 1|): how far the levels lie apart, relative to the smaller. */
        double magnitude() {
            double lo = Math.min(Math.abs(meanBefore), Math.abs(meanAfter));
            double d = Math.abs(meanAfter - meanBefore);
            return d == 0 ? 0 : lo == 0 ? Double.POSITIVE_INFINITY : d / lo;
        }
    }

    /** The change points of {@code series} with the default parameters. */
    public static List<Split> detect(double[] series) {
        return detect(series, MAX_P, MIN_MAGNITUDE, WINDOW, MIN_SEGMENT);
    }

    /** The change points of {@code series}, oldest first. */
    public static List<Split> detect(double[] series, double maxP, double minMagnitude, int window, int minSegment) {
        Objects.requireNonNull(series, "series is null");
        if (!(maxP > 0 && maxP < 1) || window < 2 * minSegment || minSegment < 2) {
            throw new IllegalArgumentException("change points: need 0 < maxP < 1, minSegment >= 2 and window >= "
                    + "2 * minSegment, got maxP " + maxP + ", window " + window + ", minSegment " + minSegment);
        }
        for (double v : series) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("change points: the series holds " + v);
            }
        }
        if (series.length < 2 * minSegment) {
            return List.of();
        }
        List<Integer> indexes = split(series, Math.min(1.0, maxP * 10), window, minSegment);
        List<Split> merged = merge(series, indexes, maxP, minMagnitude);
        List<Integer> refined = refine(series, merged, minSegment);
        return refined.equals(merged.stream().map(Split::index).toList()) ? merged
                : merge(series, refined, maxP, minMagnitude);
    }

    /**
     * Each change point moved to the best split between its neighbours when either side may be as short as two
     * runs, and dropped when it then has fewer than {@code minSegment} on a side. The search itself never proposes
     * a side shorter than {@code minSegment}, so two runs into a shift it places the change one run early, naming
     * the wrong commit; such a change is reported from the run after, where it belongs.
     */
    private static List<Integer> refine(double[] x, List<Split> splits, int minSegment) {
        Distances d = new Distances(x);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < splits.size(); i++) {
            int a = i == 0 ? 0 : splits.get(i - 1).index();
            int b = i == splits.size() - 1 ? x.length : splits.get(i + 1).index();
            int best = splits.get(i).index();
            double bestQ = d.qHat(a, best, b);
            for (int tau = a + 2; tau <= b - 2; tau++) {
                double q = d.qHat(a, tau, b);
                if (q > bestQ) {
                    bestQ = q;
                    best = tau;
                }
            }
            boolean after = out.isEmpty() || best > out.get(out.size() - 1);
            if (after && best - a >= minSegment && b - best >= minSegment) {
                out.add(best);
            }
        }
        return out;
    }

    /** Candidate change points: E-divisive over windows that overlap by half, each confirmed by a t-test. */
    private static List<Integer> split(double[] x, double pSplit, int window, int minSegment) {
        TreeSet<Integer> found = new TreeSet<>();
        Distances d = new Distances(x);
        int start = 0;
        int step = window / 2;
        while (start < x.length) {
            int end = Math.min(start + window, x.length);
            List<Integer> inWindow = eDivisive(x, d, start, end, pSplit, minSegment);
            found.addAll(inWindow);
            int last = inWindow.isEmpty() ? start : inWindow.get(inWindow.size() - 1);
            if (end == x.length) {
                break;
            }
            start = Math.max(last, start + step);
        }
        return new ArrayList<>(found);
    }

    /**
     * E-divisive in {@code [from, to)}: repeatedly the split with the largest Q-hat over all current segments,
     * while the t-test between its two sides is significant at {@code pSplit}.
     */
    private static List<Integer> eDivisive(double[] x, Distances d, int from, int to, double pSplit,
                                           int minSegment) {
        TreeSet<Integer> cuts = new TreeSet<>();
        while (true) {
            int bestTau = -1;
            int bestA = 0;
            int bestB = 0;
            double bestQ = Double.NEGATIVE_INFINITY;
            List<Integer> bounds = new ArrayList<>();
            bounds.add(from);
            bounds.addAll(cuts);
            bounds.add(to);
            for (int s = 0; s + 1 < bounds.size(); s++) {
                int a = bounds.get(s);
                int b = bounds.get(s + 1);
                for (int tau = a + minSegment; tau <= b - minSegment; tau++) {
                    double q = d.qHat(a, tau, b);
                    if (q > bestQ) {
                        bestQ = q;
                        bestTau = tau;
                        bestA = a;
                        bestB = b;
                    }
                }
            }
            if (bestTau < 0 || tTest(x, bestA, bestTau, bestB).pValue() > pSplit) {
                return new ArrayList<>(cuts);
            }
            cuts.add(bestTau);
        }
    }

    /**
     * Sums of the distances |x_i - x_j| over any block of pairs in O(1): {@code p[i][j]} holds the sum over
     * i' &lt; i, j' &lt; j.
     */
    static final class Distances {
        private final double[][] p;

        Distances(double[] x) {
            int n = x.length;
            p = new double[n + 1][n + 1];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    p[i + 1][j + 1] = Math.abs(x[i] - x[j]) + p[i][j + 1] + p[i + 1][j] - p[i][j];
                }
            }
        }

        /** The sum of |x_i - x_j| for i in [r0, r1), j in [c0, c1). */
        double block(int r0, int r1, int c0, int c1) {
            return p[r1][c1] - p[r0][c1] - p[r1][c0] + p[r0][c0];
        }

        /** The mean distance between two different points of [a, b); 0 for fewer than two. */
        double meanWithin(int a, int b) {
            int n = b - a;
            return n < 2 ? 0 : block(a, b, a, b) / ((double) n * (n - 1)); // each pair counted twice
        }

        /**
         * The energy statistic of splitting {@code [a, b)} at {@code tau}: m k / (m + k) times (twice the mean
         * distance between the sides minus the mean distance within each side).
         */
        double qHat(int a, int tau, int b) {
            int m = tau - a;
            int k = b - tau;
            double e = 2 * block(a, tau, tau, b) / ((double) m * k) - meanWithin(a, tau) - meanWithin(tau, b);
            return (double) m * k / (m + k) * e;
        }
    }

    /** Drops the weakest change point until all are significant and large enough (Hunter's bottom-up merge). */
    private static List<Split> merge(double[] x, List<Integer> indexes, double maxP, double minMagnitude) {
        List<Integer> kept = new ArrayList<>(indexes);
        while (!kept.isEmpty()) {
            List<Split> splits = splits(x, kept);
            Split weakest = splits.stream().max((p, q) -> Double.compare(p.pValue(), q.pValue())).orElseThrow();
            if (weakest.pValue() <= maxP) {
                weakest = splits.stream().min((p, q) -> Double.compare(p.magnitude(), q.magnitude())).orElseThrow();
                if (weakest.magnitude() >= minMagnitude) {
                    return splits;
                }
            }
            kept.remove(Integer.valueOf(weakest.index()));
        }
        return List.of();
    }

    /** Each index tested against the segments between its neighbours. */
    private static List<Split> splits(double[] x, List<Integer> indexes) {
        List<Split> out = new ArrayList<>(indexes.size());
        for (int i = 0; i < indexes.size(); i++) {
            int a = i == 0 ? 0 : indexes.get(i - 1);
            int b = i == indexes.size() - 1 ? x.length : indexes.get(i + 1);
            out.add(tTest(x, a, indexes.get(i), b));
        }
        return out;
    }

    /** Student's two-sample t-test (pooled variance, two-sided) between {@code [a, tau)} and {@code [tau, b)}. */
    static Split tTest(double[] x, int a, int tau, int b) {
        int m = tau - a;
        int k = b - tau;
        double meanL = mean(x, a, tau);
        double meanR = mean(x, tau, b);
        double ss = sumSquares(x, a, tau, meanL) + sumSquares(x, tau, b, meanR);
        int df = m + k - 2;
        double p;
        if (df < 1) {
            p = 1.0;
        } else if (ss == 0) {
            p = meanL == meanR ? 1.0 : 0.0; // no noise at all: any difference is certain
        } else {
            double se = Math.sqrt(ss / df * (1.0 / m + 1.0 / k));
            p = twoSidedP((meanR - meanL) / se, df);
        }
        return new Split(tau, m, k, meanL, meanR, p);
    }

    private static double mean(double[] x, int a, int b) {
        double s = 0;
        for (int i = a; i < b; i++) {
            s += x[i];
        }
        return s / (b - a);
    }

    private static double sumSquares(double[] x, int a, int b, double mean) {
        double s = 0;
        for (int i = a; i < b; i++) {
            s += (x[i] - mean) * (x[i] - mean);
        }
        return s;
    }

    /** P(|T| >= |t|) for Student's t with {@code df} degrees of freedom: I_{df/(df+t^2)}(df/2, 1/2). */
    public static double twoSidedP(double t, double df) {
        if (Double.isInfinite(t)) {
            return 0.0;
        }
        return regularizedBeta(df / (df + t * t), df / 2.0, 0.5);
    }

    /** The regularized incomplete beta function I_x(a, b), by its continued fraction (modified Lentz). */
    static double regularizedBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0.0;
        }
        if (x >= 1) {
            return 1.0;
        }
        if (x > (a + 1) / (a + b + 2)) {
            return 1.0 - regularizedBeta(1 - x, b, a); // the fraction converges fast on this side
        }
        double front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x))
                / a;
        double tiny = 1e-300;
        double c = 1.0;
        double d = 1.0 - (a + b) * x / (a + 1);
        d = 1.0 / (Math.abs(d) < tiny ? tiny : d);
        double f = d;
        for (int i = 2; i <= 400; i++) { // the first odd term is in d above
            int m = i / 2;
            double num = (i % 2 == 0)
                    ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                    : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1.0 + num * d;
            d = 1.0 / (Math.abs(d) < tiny ? tiny : d);
            c = 1.0 + num / c;
            c = Math.abs(c) < tiny ? tiny : c;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-14) {
                break;
            }
        }
        return front * f;
    }

    /** ln Gamma(z) for z > 0 (Lanczos, g = 7, 9 terms; about 15 significant digits). */
    public static double logGamma(double z) {
        if (z < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z);
        }
        double[] g = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7};
        double zz = z - 1;
        double sum = g[0];
        for (int i = 1; i < g.length; i++) {
            sum += g[i] / (zz + i);
        }
        double t = zz + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (zz + 0.5) * Math.log(t) - t + Math.log(sum);
    }

    // ------------------------------------------------------------------------------------------- over a history

    /**
     * The runs of {@code history} (oldest first) that compare with each other for {@code metric}: measured at
     * {@code datasetSize} rows on the machine of {@code fingerprint} (any, when it is empty), with a finite figure;
     * for time-based metrics without the runs whose machine ran {@link #BUSY_SPEED_DROP} slower than usual.
     */
    public static List<BenchmarkRecord> comparable(Metric metric, List<BenchmarkRecord> history, long datasetSize,
                                            Map<String, String> fingerprint) {
        List<BenchmarkRecord> out = new ArrayList<>();
        List<Double> speeds = new ArrayList<>();
        for (BenchmarkRecord r : history) {
            if (r.datasetSize() == datasetSize && r.value(metric).isPresent()
                    && MachineFingerprint.differences(r.fingerprint(), fingerprint).isEmpty()) {
                out.add(r);
                double speed = speed(r);
                if (speed > 0) {
                    speeds.add(speed);
                }
            }
        }
        if (metric == Metric.MEMORY || metric == Metric.ALLOCATED_BYTES_PER_ROW || speeds.size() * 2 < out.size()
                || SpeedAdjustment.atMedianSpeed(metric, out, values(metric, out)).isPresent()) {
            return out; // a series that follows the machine's speed is searched corrected, busy runs included
        }
        double floor = Statistics.median(Statistics.toArray(speeds)) * (1.0 - BUSY_SPEED_DROP);
        return out.stream().filter(r -> !(speed(r) < floor)).toList(); // runs without a speed stay
    }

    private static double speed(BenchmarkRecord r) {
        return MachineCalibration.number(r.fingerprint(), MachineCalibration.RUN_SPEED_KEY);
    }

    /**
     * The change points of {@code metric} over {@code runs} (already {@link #comparable}), oldest first; a time-based
     * series is searched at the runs' median machine speed when it follows that speed
     * ({@link SpeedAdjustment#atMedianSpeed}), and its levels are reported so.
     */
    public static List<ChangePoint> find(Metric metric, List<BenchmarkRecord> runs) {
        double[] series = values(metric, runs);
        Optional<double[]> corrected = SpeedAdjustment.atMedianSpeed(metric, runs, series);
        List<ChangePoint> out = new ArrayList<>();
        for (Split s : detect(corrected.orElse(series))) {
            BenchmarkRecord first = runs.get(s.index());
            // corrected levels already allow for the machine's speed: it cannot explain them away a second time
            out.add(new ChangePoint(metric, s.index(), first.gitCommit(), first.timestamp(), s.meanBefore(),
                    s.meanAfter(), s.before(), s.after(), s.pValue(),
                    corrected.isPresent() ? Double.NaN : speedChange(runs, s)));
        }
        return out;
    }

    private static double[] values(Metric metric, List<BenchmarkRecord> runs) {
        double[] series = new double[runs.size()];
        for (int i = 0; i < series.length; i++) {
            series[i] = runs.get(i).value(metric).orElseThrow();
        }
        return series;
    }

    /**
     * The change of the machine's speed (the reference workload timed during each run) across {@code s}, in % of
     * the speed before (negative: slower); NaN when too few runs of either side recorded it.
     */
    private static double speedChange(List<BenchmarkRecord> runs, Split s) {
        double before = meanSpeed(runs, s.index() - s.before(), s.index());
        double after = meanSpeed(runs, s.index(), s.index() + s.after());
        return Double.isNaN(before) || Double.isNaN(after) || before <= 0 ? Double.NaN
                : (after / before - 1.0) * 100.0;
    }

    private static double meanSpeed(List<BenchmarkRecord> runs, int from, int to) {
        double sum = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            double v = speed(runs.get(i));
            if (v > 0) {
                sum += v;
                n++;
            }
        }
        return n * 2 < to - from ? Double.NaN : sum / n;
    }
}
