package org.loadperf.core.verdict;

import java.util.Arrays;
import java.util.List;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.Metric;

/**
 * The run-to-run noise assumed for the memory metrics until a benchmark has enough runs to measure it
 * ({@link RunToRunNoise}): the 10% prior fits times, not memory.
 * <ul>
 *   <li>Allocation per row and needed memory: the configured prior, or twice the larger spread (robust coefficient
 *       of variation) of the two runs' iterations when that is larger. Allocation agrees to a fraction of a percent
 *       within a JVM but moved by 4.5-13.5% between JVMs of unchanged code (the JIT's stage; A/A of the main job,
 *       docs/verdict-validation.md), so the iterations' spread alone gave false REGRESSIONs.</li>
 * </ul>
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class MemoryNoise {

    private MemoryNoise() {
    }

    /** The prior for {@code metric} given both runs' samples, or {@code prior} for the other metrics. */
    public static double prior(Metric metric, List<Double> baseline, List<Double> current, double prior) {
        return switch (metric) {
            case ALLOCATED_BYTES_PER_ROW, MEMORY -> Math.max(prior,
                    2 * Math.max(spreadPercent(baseline), spreadPercent(current)));
            default -> prior;
        };
    }

    /** Median absolute deviation × 1.4826 in percent of the median (0 for fewer than 2 samples). */
    public static double spreadPercent(List<Double> samples) {
        if (samples.size() < 2) {
            return 0;
        }
        double[] x = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = median(x);
        if (median == 0) {
            return 0;
        }
        double[] dev = Arrays.stream(x).map(v -> Math.abs(v - median)).sorted().toArray();
        return 1.4826 * median(dev) / Math.abs(median) * 100.0;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
