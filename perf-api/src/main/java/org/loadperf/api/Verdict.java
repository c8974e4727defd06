package org.loadperf.api;

import org.loadperf.api.annotation.Api;
import java.util.Objects;

/**
 * The comparison of one metric of a benchmark with its baseline.
 *
 * <p>All percentages are regression percentages as in the guide: positive means worse than the baseline.
 *
 * @param metric              the metric compared
 * @param status              the outcome
 * @param regressionPercent   the guide's % change of the current median against the baseline (positive = worse)
 * @param baseline            the baseline's figure (its median, or its single value)
 * @param current             the current figure (the median of the measured samples)
 * @param confidenceBound     the one-sided lower confidence bound of the regression %: the change is at least
 *                            this bad with the stated confidence (NaN for a point comparison)
 * @param confidence          the confidence level of the bound, e.g. 0.95
 * @param thresholdPercent    the allowed regression
 * @param noisePercent        the noise seen in the samples (coefficient of variation of both sides, in %)
 * @param minDetectablePercent the smallest change these samples could have told from noise, in %
 * @param method              how the verdict was reached, e.g. {@code bootstrap} or {@code point}
 * @param message             one sentence a person can read
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record Verdict(Metric metric, Status status, double regressionPercent, double baseline, double current,
                      double confidenceBound, double confidence, double thresholdPercent, double noisePercent,
                      double minDetectablePercent, String method, String message) {

    /** The outcome of a comparison. */
    @Api(status = Api.Status.STABLE, since = "0.1")
    public enum Status {
        /** Within the threshold. */
        OK,
        /** Confidently better than the baseline by more than the threshold. */
        IMPROVED,
        /** The median is past the threshold but the noise does not allow a confident call. */
        INCONCLUSIVE,
        /** Confidently worse than the baseline by more than the threshold. */
        REGRESSION,
        /** There is no baseline to compare with yet. */
        NO_BASELINE,
        /**
         * Memory only: the heap retained after each iteration grew iteration over iteration within this run, beyond
         * what the measurement resolves; the run's own figures show it, whatever the baseline says.
         */
        LEAK
    }

    /** Checks the required parts. */
    public Verdict {
        Objects.requireNonNull(metric, "metric is null");
        Objects.requireNonNull(status, "status is null");
        Objects.requireNonNull(method, "method is null");
        Objects.requireNonNull(message, "message is null");
    }

    /** Whether this verdict is a regression. */
    public boolean isRegression() {
        return status == Status.REGRESSION;
    }
}
