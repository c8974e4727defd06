package org.loadperf.core;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.loadperf.api.Metric;
import org.loadperf.api.Threshold;
import org.loadperf.api.Verdict;
import org.loadperf.api.Verdict.Status;

/**
 * Turns a baseline's samples and the current samples into a {@link Verdict}.
 *
 * <p>Method ({@code hodges-lehmann}): every pair of a baseline sample b and a current sample c gives a regression
 * percentage {@code (c - b) / median(baseline)} (sign flipped for higher-is-better metrics). The median of these
 * pairs estimates the shift (Hodges-Lehmann); the k-th smallest is its one-sided lower confidence bound, with k
 * from the exact Mann-Whitney distribution, so the confidence holds for any distribution and for small samples
 * (5 against 5 already gives a 95% bound). The verdict is
 * <ul>
 *   <li>REGRESSION when the lower bound is past the threshold: the change is worse than allowed, confidently;</li>
 *   <li>IMPROVED when the upper bound is better than the threshold the other way;</li>
 *   <li>INCONCLUSIVE when the median change is past the threshold but the bound is not;</li>
 *   <li>OK otherwise.</li>
 * </ul>
 * With a single value on either side (a baseline written by the guide's tooling) it falls back to the guide's
 * point comparison of the figures and says so.
 */
final class VerdictEngine {

    private final double confidence;

    VerdictEngine(double confidence) {
        if (!(confidence > 0.5 && confidence < 1.0)) {
            throw new IllegalArgumentException("confidence must be in (0.5, 1), got " + confidence);
        }
        this.confidence = confidence;
    }

    double confidence() {
        return confidence;
    }

    /**
     * Compares {@code current} with {@code baseline}.
     *
     * @param baseline        the baseline's samples, or its single figure
     * @param baselineFigure  the baseline's recorded figure (its median, or the guide's value)
     * @param current         the current samples
     * @param extraNoise      a relative noise (in %) to add to the bound's width, for noise the samples cannot
     *                        show (e.g. between separate runs); 0 for none
     */
    Verdict compare(Metric metric, List<Double> baseline, double baselineFigure, List<Double> current,
                    Threshold threshold, double extraNoise) {
        double[] c = Statistics.toArray(current);
        double currentFigure = Statistics.median(c);
        double change = metric.regressionPercent(baselineFigure, currentFigure);
        double limit = threshold.percent();
        if (Double.isNaN(change)) {
            return new Verdict(metric, Status.OK, change, baselineFigure, currentFigure, Double.NaN, confidence,
                    limit, Double.NaN, Double.NaN, "none", metric.displayName()
                    + ": baseline is zero or missing, no comparison possible");
        }
        double[] b = Statistics.toArray(baseline);
        if (b.length < 2 || c.length < 2) {
            Status status = change > limit ? Status.REGRESSION : change < -limit ? Status.IMPROVED : Status.OK;
            return new Verdict(metric, status, change, baselineFigure, currentFigure, Double.NaN, confidence, limit,
                    Double.NaN, Double.NaN, "point", String.format(Locale.ROOT,
                    "%s %s by %.1f%% (threshold %.1f%%); the baseline has a single value, so this is the guide's "
                            + "point comparison with no confidence bound", metric.displayName(),
                    change >= 0 ? "worse" : "better", Math.abs(change), limit));
        }
        double scale = Math.abs(baselineFigure) / 100.0;
        double sign = metric.higherIsBetter() ? -1.0 : 1.0;
        double[] pairs = new double[b.length * c.length];
        int p = 0;
        for (double bi : b) {
            for (double cj : c) {
                pairs[p++] = sign * (cj - bi) / scale;
            }
        }
        Arrays.sort(pairs);
        double shift = Statistics.median(pairs);
        int k = Statistics.confidenceRank(b.length, c.length, 1.0 - confidence);
        double noise = Math.sqrt((sq(Statistics.cvPercent(b)) + sq(Statistics.cvPercent(c))) / 2.0);
        if (k == 0) {
            Status status = change > limit ? Status.INCONCLUSIVE : Status.OK;
            return new Verdict(metric, status, change, baselineFigure, currentFigure, Double.NaN, confidence, limit,
                    noise, Double.POSITIVE_INFINITY, "hodges-lehmann", String.format(Locale.ROOT,
                    "%s %s by %.1f%%; %d against %d samples are too few for a %.0f%% confidence bound",
                    metric.displayName(), change >= 0 ? "worse" : "better", Math.abs(change), b.length, c.length,
                    confidence * 100));
        }
        double lower = pairs[k - 1];
        double upper = pairs[pairs.length - k];
        // Noise the samples cannot show widens the interval on both sides.
        double extra = extraNoise > 0 ? Statistics.inverseNormal(confidence) * extraNoise : 0.0;
        lower -= extra;
        upper += extra;
        double detectable = Math.max(shift - lower, upper - shift);
        Status status;
        if (lower > limit) {
            status = Status.REGRESSION;
        } else if (upper < -limit) {
            status = Status.IMPROVED;
        } else if (change > limit || shift > limit) {
            status = Status.INCONCLUSIVE;
        } else {
            status = Status.OK;
        }
        String message = String.format(Locale.ROOT,
                "%s %s by %.1f%% (%.0f%% sure it is between %.1f%% and %.1f%% %s; threshold %.1f%%); "
                        + "noise %.1f%%, changes under %.1f%% cannot be told from it",
                metric.displayName(), change >= 0 ? "worse" : "better", Math.abs(change),
                (2 * confidence - 1) * 100, lower, upper, "worse", limit, noise, detectable);
        return new Verdict(metric, status, change, baselineFigure, currentFigure, lower, confidence, limit, noise,
                detectable, "hodges-lehmann", message);
    }

    private static double sq(double x) {
        return x * x;
    }
}
