package org.loadperf.core.verdict;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.Verdict;

/**
 * The guide's "check for memory leaks" within one run: the heap that survives each memory iteration (settled after
 * the body) must not grow iteration over iteration. The first memory iteration is left out when there are four or
 * more (lazy caches and classes are made once, on first use); then every step must grow and the growth over the
 * iterations must reach the memory floor, with no step much larger than the others. A steady heap moves both ways by
 * the collector's bookkeeping, so a change in one direction at every step, of about the same size, adding up past
 * what the measurement resolves, is a leak, not noise.
 *
 * @param growthMb     retained heap growth from the first to the last iteration looked at, in MiB
 * @param iterations   iterations looked at
 * @param perIteration growth per iteration, in MiB
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public record LeakCheck(double growthMb, int iterations, double perIteration) {

    private static final double MB = 1024.0 * 1024.0;
    /** The largest step of a leak may be at most this multiple of its median step. */
    private static final long MAX_STEP_RATIO = 4;

    /** A leak found in {@code retained} (bytes after each memory iteration, in order), or empty. */
    public static Optional<LeakCheck> of(List<Long> retained, double floorMb) {
        List<Long> looked = retained.size() >= 4 ? retained.subList(1, retained.size()) : retained;
        if (looked.size() < 3) {
            return Optional.empty();
        }
        long[] steps = new long[looked.size() - 1];
        for (int i = 1; i < looked.size(); i++) {
            steps[i - 1] = looked.get(i) - looked.get(i - 1);
            if (steps[i - 1] <= 0) {
                return Optional.empty();
            }
        }
        // A leak keeps about the same at every load; one large step among small ones is work in flight when the heap
        // was read (a background checkpoint, a pool growing once), not a leak.
        long[] sorted = steps.clone();
        java.util.Arrays.sort(sorted);
        if (sorted[sorted.length - 1] > MAX_STEP_RATIO * sorted[sorted.length / 2]) {
            return Optional.empty();
        }
        double growth = (looked.get(looked.size() - 1) - looked.get(0)) / MB;
        if (growth < Math.max(floorMb, Double.MIN_VALUE)) {
            return Optional.empty();
        }
        return Optional.of(new LeakCheck(growth, looked.size(), growth / (looked.size() - 1)));
    }

    /** What was found, for the memory verdict's message (its status already says LEAK). */
    public String describe() {
        return String.format(Locale.ROOT, "the heap retained after each iteration grew at every one of %d "
                + "iterations, by %s MB in all (%s MB per iteration): something keeps what each load made",
                iterations, Figures.format(growthMb), Figures.format(perIteration));
    }

    /** The memory verdict {@code v} marked as a leak, its comparison with the baseline kept. */
    public Verdict verdict(Verdict v) {
        return new Verdict(v.metric(), Verdict.Status.LEAK, v.regressionPercent(), v.baseline(), v.current(),
                v.confidenceBound(), v.confidence(), v.thresholdPercent(), v.noisePercent(),
                v.minDetectablePercent(), v.method(), describe() + " (against the baseline: " + v.status() + ")");
    }
}
