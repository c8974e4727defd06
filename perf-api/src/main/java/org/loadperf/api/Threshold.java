package org.loadperf.api;

import org.loadperf.api.annotation.Api;
import java.util.Objects;

/**
 * How much worse a metric may get, in percent of its baseline, before it counts as a regression.
 *
 * @param metric  the metric
 * @param percent the allowed regression in percent; 5.0 means "5% worse is still fine"
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record Threshold(Metric metric, double percent) {

    /** Checks the values: a threshold is a finite, non-negative percentage. */
    public Threshold {
        Objects.requireNonNull(metric, "metric is null");
        if (!(percent >= 0.0) || Double.isInfinite(percent)) {
            throw new IllegalArgumentException("threshold for " + metric.key() + " must be a finite percentage >= 0, got "
                    + percent);
        }
    }

    /** Whether a regression of {@code regressionPercent} lies beyond this threshold. */
    public boolean exceededBy(double regressionPercent) {
        return regressionPercent > percent;
    }
}
