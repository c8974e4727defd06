package org.loadperf.api;

import org.loadperf.api.annotation.Api;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * One {@link Threshold} per metric. The defaults are the guide's: throughput 5% slower, memory 10% more,
 * duration 10% longer; allocation per row 10% more; CPU time 10% more. Immutable.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class Thresholds {

    private static final Thresholds DEFAULTS = new Thresholds(Map.of(
            Metric.THROUGHPUT, 5.0,
            Metric.MEMORY, 10.0,
            Metric.DURATION, 10.0,
            Metric.ALLOCATED_BYTES_PER_ROW, 10.0,
            Metric.CPU_SECONDS, 10.0));

    private final Map<Metric, Threshold> byMetric;

    private Thresholds(Map<Metric, Double> percents) {
        EnumMap<Metric, Threshold> map = new EnumMap<>(Metric.class);
        percents.forEach((m, p) -> map.put(m, new Threshold(m, p)));
        for (Metric m : Metric.values()) {
            if (!map.containsKey(m)) {
                throw new IllegalArgumentException("no threshold for " + m.key());
            }
        }
        this.byMetric = Collections.unmodifiableMap(map);
    }

    /** The guide's thresholds. */
    public static Thresholds defaults() {
        return DEFAULTS;
    }

    /** The threshold of {@code metric}. */
    public Threshold of(Metric metric) {
        return byMetric.get(Objects.requireNonNull(metric, "metric is null"));
    }

    /** A copy with {@code metric}'s threshold set to {@code percent}. */
    public Thresholds with(Metric metric, double percent) {
        EnumMap<Metric, Double> copy = new EnumMap<>(Metric.class);
        byMetric.forEach((m, t) -> copy.put(m, t.percent()));
        copy.put(Objects.requireNonNull(metric, "metric is null"), percent);
        return new Thresholds(copy);
    }

    /** All thresholds, one per metric. */
    public Map<Metric, Threshold> asMap() {
        return byMetric;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Thresholds t && t.byMetric.equals(byMetric);
    }

    @Override
    public int hashCode() {
        return byMetric.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Thresholds{");
        byMetric.forEach((m, t) -> sb.append(m.displayName()).append('=').append(t.percent()).append("%, "));
        sb.setLength(sb.length() - 2);
        return sb.append('}').toString();
    }
}
