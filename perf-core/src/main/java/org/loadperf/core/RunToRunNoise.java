package org.loadperf.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;

/**
 * The noise between separate runs (separate JVMs, minutes or days apart) that the samples of one run cannot show:
 * JIT and memory-layout decisions, the machine's load, its clock. Estimated from the store's history of the same
 * benchmark, dataset size and machine.
 *
 * <p>Method: take the figures (medians) of the last {@code window} such runs as percentages of their log-scale
 * centre; the standard deviation of the difference between two runs is estimated robustly from their successive
 * differences ({@link Statistics#successiveDifferenceSd}: slow drift and an isolated step change do not inflate
 * it). Part of that difference is the within-run noise of two medians, which the verdict already counts from the
 * samples; what is left ({@code sqrt(max(0, sd^2 - 2 * withinRunVarianceOfMedian))}) is the extra noise, in %.
 * With fewer than {@code minRuns} such runs the estimate would be a guess, so the configured prior is used
 * instead, and the verdict says so.
 *
 * @param percent  the extra noise in %, the standard deviation of the difference of two runs' systematic offsets
 * @param runs     the runs it was estimated from (0 when the prior was used)
 * @param estimated whether it was estimated from history (false: the prior)
 */
record RunToRunNoise(double percent, int runs, boolean estimated) {

    /** Estimates the run-to-run noise of {@code metric} from {@code history} (oldest first). */
    static RunToRunNoise estimate(Metric metric, List<BenchmarkRecord> history, long datasetSize,
                                  Map<String, String> fingerprint, int window, int minRuns, double prior) {
        List<BenchmarkRecord> same = new ArrayList<>();
        for (BenchmarkRecord r : history) {
            if (r.datasetSize() == datasetSize && r.value(metric).isPresent() && r.value(metric).getAsDouble() > 0
                    && MachineFingerprint.differences(r.fingerprint(), fingerprint).isEmpty()) {
                same.add(r);
            }
        }
        List<BenchmarkRecord> last = same.subList(Math.max(0, same.size() - window), same.size());
        if (last.size() < minRuns) {
            return new RunToRunNoise(prior, 0, false);
        }
        double[] logs = new double[last.size()];
        double withinVariance = 0;
        int withSamples = 0;
        for (int i = 0; i < last.size(); i++) {
            BenchmarkRecord r = last.get(i);
            logs[i] = 100.0 * Math.log(r.value(metric).getAsDouble());
            double[] s = Statistics.toArray(r.samples(metric));
            if (s.length >= 2) {
                double cv = Statistics.cvPercent(s);
                withinVariance += Math.PI / 2.0 * cv * cv / s.length; // variance of a median of normal samples
                withSamples++;
            }
        }
        double sd = Statistics.successiveDifferenceSd(logs);
        double within = withSamples == 0 ? 0.0 : 2.0 * withinVariance / withSamples;
        return new RunToRunNoise(Math.sqrt(Math.max(0.0, sd * sd - within)), last.size(), true);
    }

    /** A phrase for verdict notes. */
    String describe() {
        return estimated ? String.format(Locale.ROOT, "run-to-run noise %.1f%% (from the last %d runs)", percent, runs)
                : String.format(Locale.ROOT, "run-to-run noise %.1f%% assumed (too few earlier runs of this "
                        + "benchmark on this machine to measure it)", percent);
    }
}
