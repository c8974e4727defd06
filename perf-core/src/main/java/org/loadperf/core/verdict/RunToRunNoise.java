package org.loadperf.core.verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;
import org.loadperf.core.measure.MachineFingerprint;

/**
 * The noise between separate runs (separate JVMs, minutes or days apart) that the samples of one run cannot show:
 * JIT and memory-layout decisions, the machine's load, its clock. Estimated from the store's history of the same
 * benchmark, dataset size and machine.
 *
 * <p>Method: the figures (medians) of the last {@code window} such runs, on a log scale in percent; the standard
 * deviation of the difference between two runs is the root mean square of their successive differences (von
 * Neumann's estimator: slow drift does not inflate it; a step change does, once, which errs on the safe side). This
 * is the whole uncertainty of comparing one run's figure with another's, whatever its source, measured rather than
 * modelled: on a loaded machine the iterations of one run are not independent (a burst of load slows several in a
 * row), so the samples of one run understate it. It has {@code runs - 1} degrees of freedom, which the verdict
 * uses (a Student t multiplier instead of a normal one). With fewer than {@code minRuns} such runs the configured
 * prior is used instead, as noise beyond the samples, and the verdict says so.
 *
 * @param percent   the standard deviation (in %) of the difference between two runs' figures (estimated), or of
 *                  the part of it the samples cannot show (prior)
 * @param runs      the runs it was estimated from (0 when the prior was used)
 * @param estimated whether it was estimated from history (false: the prior)
 * @param fitted    parameters fitted on the same runs before the noise was measured (1 after a machine-speed
 *                  correction, see {@link SpeedAdjustment}); each costs a degree of freedom
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public record RunToRunNoise(double percent, int runs, boolean estimated, int fitted) {

    public RunToRunNoise(double percent, int runs, boolean estimated) {
        this(percent, runs, estimated, 0);
    }

    /** Estimates the run-to-run noise of {@code metric} from {@code history} (oldest first). */
    public static RunToRunNoise estimate(Metric metric, List<BenchmarkRecord> history, long datasetSize,
                                  Map<String, String> fingerprint, int window, int minRuns, double prior) {
        List<BenchmarkRecord> last = comparable(metric, history, datasetSize, fingerprint, window);
        if (last.size() < minRuns) {
            return new RunToRunNoise(prior, 0, false);
        }
        double sum = 0;
        for (int i = 1; i < last.size(); i++) {
            double d = 100.0 * Math.log(last.get(i).value(metric).getAsDouble()
                    / last.get(i - 1).value(metric).getAsDouble());
            sum += d * d;
        }
        return new RunToRunNoise(Math.sqrt(sum / (last.size() - 1)), last.size(), true);
    }

    /**
     * The last {@code window} runs of {@code history} (oldest first) that measured {@code metric} at
     * {@code datasetSize} rows on the machine of {@code fingerprint}: the runs whose differences are noise.
     */
    static List<BenchmarkRecord> comparable(Metric metric, List<BenchmarkRecord> history, long datasetSize,
                                            Map<String, String> fingerprint, int window) {
        List<BenchmarkRecord> same = new ArrayList<>();
        for (BenchmarkRecord r : history) {
            if (r.datasetSize() == datasetSize && r.value(metric).isPresent() && r.value(metric).getAsDouble() > 0
                    && MachineFingerprint.differences(r.fingerprint(), fingerprint).isEmpty()) {
                same.add(r);
            }
        }
        return same.subList(Math.max(0, same.size() - window), same.size());
    }

    /** Degrees of freedom of the estimate (infinite for the prior). */
    public double degreesOfFreedom() {
        return estimated ? runs - 1 - fitted : Double.POSITIVE_INFINITY;
    }

    /** A phrase for verdict notes. */
    public String describe() {
        return estimated ? String.format(Locale.ROOT, "run-to-run noise %.1f%% (from the last %d runs)", percent, runs)
                : String.format(Locale.ROOT, "run-to-run noise %.1f%% assumed (too few earlier runs of this "
                        + "benchmark on this machine to measure it)", percent);
    }
}
