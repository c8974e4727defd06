package org.loadperf.api;

import org.loadperf.api.annotation.Api;

/**
 * What a benchmark measures for every iteration.
 *
 * <p>The first three are the guide's metrics and keep its JSON keys; the others are recorded beside them because
 * they are much steadier on a shared machine and explain a change in the first three.
 *
 * <p>{@link #regressionPercent(double, double)} is the guide's formula: positive means worse, whatever the
 * direction of the metric (84,786.86 to 73,626.78 rows/s is a 13.2% throughput regression).
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public enum Metric {
    /** Rows loaded per wall-clock second of the load (data generation excluded). */
    THROUGHPUT("throughput_rows_per_sec", "throughput", "rows/s", true),
    /**
     * The memory the load needs, in MiB, the figure to provision by: what the runner-owned loader holds from its
     * creation, plus the peak during the load of the live Java heap above the heap in use before it (after a GC),
     * of the iteration's Arrow allocator and of direct/native buffers (JDK direct buffers, Netty's) above their
     * level before it. The README's "What is measured" says exactly what is and is not counted.
     */
    MEMORY("memory_mb", "memory", "MB", false),
    /** Wall-clock seconds of the load. */
    DURATION("duration_seconds", "duration", "s", false),
    /** Bytes allocated on the Java heap by all threads during the load, divided by the rows loaded. */
    ALLOCATED_BYTES_PER_ROW("allocated_bytes_per_row", "allocation", "B/row", false),
    /** CPU seconds used by the whole JVM process during the load. */
    CPU_SECONDS("cpu_seconds", "cpu", "s", false);

    private final String key;
    private final String displayName;
    private final String unit;
    private final boolean higherIsBetter;

    Metric(String key, String displayName, String unit, boolean higherIsBetter) {
        this.key = key;
        this.displayName = displayName;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
    }

    /** The JSON key in {@code performance_benchmarks.json}, e.g. {@code throughput_rows_per_sec}. */
    public String key() {
        return key;
    }

    /** The short name the regression block prints, e.g. {@code throughput}. */
    public String displayName() {
        return displayName;
    }

    /** The unit of the values, e.g. {@code rows/s}. */
    public String unit() {
        return unit;
    }

    /** Whether a larger value is an improvement. */
    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /**
     * The guide's regression percentage: how much worse {@code current} is than {@code baseline}, in percent of
     * the baseline. Negative values are improvements. A baseline of zero gives {@code NaN}, never a division
     * error.
     */
    public double regressionPercent(double baseline, double current) {
        if (baseline == 0.0 || Double.isNaN(baseline) || Double.isNaN(current)) {
            return Double.NaN;
        }
        double change = higherIsBetter ? baseline - current : current - baseline;
        return change / Math.abs(baseline) * 100.0;
    }

    /** The metric whose JSON key or display name is {@code name}. */
    public static Metric fromKey(String name) {
        for (Metric m : values()) {
            if (m.key.equals(name) || m.displayName.equals(name) || m.name().equalsIgnoreCase(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("Unknown metric '" + name + "'; known: throughput_rows_per_sec, "
                + "memory_mb, duration_seconds, allocated_bytes_per_row, cpu_seconds");
    }
}
