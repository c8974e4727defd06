package org.loadperf.core.measure;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.Metric;

/**
 * How each {@link Metric} is read from an iteration's probe sample and how it follows the machine's speed: the one
 * place beside the {@link Metric} entry itself that a new metric needs. Verdicts (normalisation between machines),
 * the store and the reports take everything else from the metric's key, unit and direction.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public enum MetricReading {
    // time, CPU and allocation from timed iterations only: a memory iteration's forced collections stop its load
    THROUGHPUT(Metric.THROUGHPUT, Speed.WITH,
            s -> !s.timed() ? null : s.nanos() > 0 ? s.rows() / (s.nanos() / 1e9) : 0.0),
    MEMORY(Metric.MEMORY, Speed.NONE, s -> s.heapMeasured() ? s.memoryBytes() / (1024.0 * 1024.0) : null),
    DURATION(Metric.DURATION, Speed.AGAINST, s -> s.timed() ? s.nanos() / 1e9 : null),
    ALLOCATED_BYTES_PER_ROW(Metric.ALLOCATED_BYTES_PER_ROW, Speed.NONE,
            // no rows, no bytes per row: the total is not a per-row figure
            s -> s.timed() && s.rows() > 0 ? (double) s.allocatedBytes() / s.rows() : null),
    CPU_SECONDS(Metric.CPU_SECONDS, Speed.AGAINST, s -> s.timed() ? s.cpuNanos() / 1e9 : null);

    /** How a figure moves when the machine runs faster by a factor: with it, against it, not at all. */
    @Api(status = Api.Status.INTERNAL, since = "0.2")
    public enum Speed {
        WITH, AGAINST, NONE
    }

    private static final Map<Metric, MetricReading> BY_METRIC = new EnumMap<>(Metric.class);

    static {
        for (MetricReading r : values()) {
            BY_METRIC.put(r.metric, r);
        }
    }

    private final Metric metric;
    private final Speed speed;
    private final Function<IterationProbe.Sample, Double> read;

    MetricReading(Metric metric, Speed speed, Function<IterationProbe.Sample, Double> read) {
        this.metric = metric;
        this.speed = speed;
        this.read = read;
    }

    /** The reading of {@code metric}; every metric has one (a test keeps it so). */
    public static MetricReading of(Metric metric) {
        MetricReading r = BY_METRIC.get(metric);
        if (r == null) {
            throw new IllegalStateException("metric " + metric.key() + " has no MetricReading: add its entry");
        }
        return r;
    }

    /** The metric. */
    public Metric metric() {
        return metric;
    }

    /** The figure of one iteration, or null when this iteration did not measure it (memory of a timing-only one). */
    public Double read(IterationProbe.Sample sample) {
        return read.apply(sample);
    }

    /** The factor a figure is multiplied by when the machine is {@code factor} times as fast. */
    public double scale(double factor) {
        return switch (speed) {
            case WITH -> factor;
            case AGAINST -> 1.0 / factor;
            case NONE -> 1.0;
        };
    }
}
