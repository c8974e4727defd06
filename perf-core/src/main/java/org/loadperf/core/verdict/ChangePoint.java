package org.loadperf.core.verdict;

import java.util.Locale;
import java.util.Objects;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.Metric;

/**
 * A sustained shift in one metric of a benchmark's history, found by {@link ChangePoints}.
 *
 * @param metric      the metric
 * @param index       the first run of the new level, in the series of comparable runs it was found in
 * @param commit      the commit of that run: where the change began
 * @param timestamp   when that run was measured, as stored
 * @param meanBefore  the mean figure of the runs before, back to the previous change point
 * @param meanAfter   the mean figure of the runs from {@code index} up to the next change point
 * @param runsBefore  how many runs {@code meanBefore} averages
 * @param runsAfter   how many runs {@code meanAfter} averages
 * @param pValue      Student's t-test between the two segments, two-sided
 * @param speedChange how much the machine's own speed (timed during each run) changed across the same runs, in %
 *                    (negative: slower), NaN when the runs did not time it
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public record ChangePoint(Metric metric, int index, String commit, String timestamp, double meanBefore,
                          double meanAfter, int runsBefore, int runsAfter, double pValue, double speedChange) {

    public ChangePoint {
        Objects.requireNonNull(metric, "metric is null");
        Objects.requireNonNull(commit, "commit is null");
        Objects.requireNonNull(timestamp, "timestamp is null");
    }

    /** The guide's regression percentage of the new level against the old one: positive is worse. */
    public double regressionPercent() {
        return metric.regressionPercent(meanBefore, meanAfter);
    }

    /** Whether the new level is worse than the old one. */
    public boolean isWorse() {
        return regressionPercent() > 0;
    }

    /**
     * Whether a slowdown of a time-based metric coincides with the machine itself running slower across the same
     * runs by at least half as much: then the machine, not the code, may have changed (a busy period).
     */
    public boolean explainedByMachine() {
        if (metric == Metric.MEMORY || metric == Metric.ALLOCATED_BYTES_PER_ROW || Double.isNaN(speedChange)) {
            return false;
        }
        return speedChange < 0 && -speedChange >= regressionPercent() / 2;
    }

    /** A phrase such as {@code sustained 11.2% slower since abc12345 (p=0.0004, 6 runs)}. */
    public String describe() {
        double r = regressionPercent();
        return String.format(Locale.ROOT, "sustained %.1f%% %s since %s (p=%s, %d run%s)", Math.abs(r),
                word(metric, r > 0), commit, p(pValue), runsAfter, runsAfter == 1 ? "" : "s");
    }

    /** The p-value with enough digits to be told from the threshold. */
    static String p(double p) {
        return p < 0.0001 ? String.format(Locale.ROOT, "%.1e", p) : String.format(Locale.ROOT, "%.4f", p);
    }

    private static String word(Metric m, boolean worse) {
        return switch (m) {
            case THROUGHPUT, DURATION -> worse ? "slower" : "faster";
            case CPU_SECONDS -> worse ? "more CPU time" : "less CPU time";
            case MEMORY -> worse ? "more memory" : "less memory";
            case ALLOCATED_BYTES_PER_ROW -> worse ? "more allocation per row" : "less allocation per row";
        };
    }
}
