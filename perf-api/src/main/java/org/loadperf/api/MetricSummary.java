package org.loadperf.api;

import org.loadperf.api.annotation.Api;
import java.util.Objects;

/**
 * Descriptive statistics of one metric's measured samples.
 *
 * @param metric the metric
 * @param count  number of samples
 * @param median the median, the value recorded as the benchmark's figure
 * @param mean   the arithmetic mean
 * @param stddev the sample standard deviation (0 with fewer than two samples)
 * @param min    the smallest sample
 * @param max    the largest sample
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record MetricSummary(Metric metric, int count, double median, double mean, double stddev, double min,
                            double max) {

    /** Checks the metric is present. */
    public MetricSummary {
        Objects.requireNonNull(metric, "metric is null");
    }

    /** Coefficient of variation in percent: the sample noise relative to the mean (NaN for a zero mean). */
    public double noisePercent() {
        return mean == 0.0 ? Double.NaN : stddev / Math.abs(mean) * 100.0;
    }
}
