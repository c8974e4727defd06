package org.loadperf.core.verdict;

import java.util.Arrays;
import java.util.List;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.Metric;

/**
 * The run-to-run noise assumed for the memory metrics until a benchmark has enough runs to measure it
 * ({@link RunToRunNoise}): the 10% prior fits times, not memory.
 * <ul>
 *   <li>Allocation per row: {@value #ALLOCATION_PRIOR_PERCENT}% (or the configured prior when smaller), or twice
 *       the larger spread (robust coefficient of variation) of the two runs' timed iterations when that is larger.
 *       Allocation agrees to a tenth of a percent within a JVM once compiled, and between JVMs of unchanged code
 *       most runs gave the same figure to the byte while some moved by a few percent (what the JIT scalar-replaced
 *       differs per JVM; docs/verdict-validation.md, fourth session): the times' 10% hid a 10% allocation
 *       increase, the iterations' spread alone would call those few percent a change.</li>
 *   <li>Needed memory: the configured prior, or twice the larger spread of the two runs' memory iterations.</li>
 * </ul>
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class MemoryNoise {

    /** The run-to-run noise of allocation per row assumed without history, in percent. */
    public static final double ALLOCATION_PRIOR_PERCENT = 3.0;

    private MemoryNoise() {
    }

    /** The prior for {@code metric} given both runs' samples, or {@code prior} for the other metrics. */
    public static double prior(Metric metric, List<Double> baseline, List<Double> current, double prior) {
        double spread = 2 * Math.max(spreadPercent(baseline), spreadPercent(current));
        return switch (metric) {
            case ALLOCATED_BYTES_PER_ROW -> Math.max(Math.min(prior, ALLOCATION_PRIOR_PERCENT), spread);
            case MEMORY -> Math.max(prior, spread);
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
