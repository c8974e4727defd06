package org.loadperf.core.verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;
import org.loadperf.api.Thresholds;
import org.loadperf.api.Verdict;
import org.loadperf.core.stats.Statistics;

/**
 * Lets a change point in a benchmark's history carry a REGRESSION that one run against its baseline could not see
 * through the run-to-run noise. After a run, the history plus this run is searched ({@link ChangePoints}) per
 * compared metric; the latest change point C of a metric turns the verdict into REGRESSION when
 * <ul>
 *   <li>C has at least {@value #MIN_RUNS_BEFORE} runs before it and is worse than before by more than the
 *       metric's threshold (memory: also by at least the memory floor, {@code PERF_MEMORY_FLOOR_MB}), and a
 *       slowdown is not matched by the machine itself running slower across the same runs
 *       ({@link ChangePoint#explainedByMachine()}); and</li>
 *   <li>either the one-run verdict is INCONCLUSIVE and its baseline was measured before C began (a pinned or kept
 *       baseline still compares across the shift), or C is <em>new</em>: the history without this run shows no
 *       worse change point within {@value #SAME_PLACE} runs of it. With the default policy the baseline is the
 *       previous run, so by the time the history shows the shift the one-run verdict compares two runs after it and
 *       says OK: a new change point is then the only moment the shift can be reported.</li>
 * </ul>
 * A change point never turns a verdict the other way, never touches IMPROVED, REGRESSION or NO_BASELINE verdicts,
 * and one in the good direction or under the threshold carries nothing.
 *
 * <p>Acknowledgements: an acknowledged run moves the baseline past C and the next run's history already holds C, so
 * neither condition holds again; a change that was acknowledged, or reported once under the default policy, does
 * not fire again.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class ChangePointVerdicts {

    /**
     * Fewest runs before a change point for it to carry a REGRESSION: in a short history a false change point is
     * about twice as likely (measured in {@code ChangePointsTest}).
     */
    static final int MIN_RUNS_BEFORE = 8;

    /** Runs by which the same change point may move between one run's search and the next. */
    static final int SAME_PLACE = 2;

    private ChangePointVerdicts() {
    }

    /**
     * The verdicts of {@code current}, each replaced by a change point's REGRESSION where one carries it; notes
     * for the person go into {@code notes}.
     *
     * @param history    the stored runs of the benchmark before this one, oldest first
     * @param current    this run as the store will keep it
     * @param baseline   the baseline the one-run verdicts compared with
     * @param memoryFloorMb the smallest change of the memory figure that may be a regression
     */
    public static List<Verdict> apply(List<Verdict> verdicts, List<BenchmarkRecord> history, BenchmarkRecord current,
                               Optional<BenchmarkRecord> baseline, Thresholds thresholds, List<String> notes,
                               double memoryFloorMb) {
        List<Verdict> out = new ArrayList<>(verdicts.size());
        for (Verdict v : verdicts) {
            out.add(v.status() == Verdict.Status.OK || v.status() == Verdict.Status.INCONCLUSIVE
                    ? judge(v, history, current, baseline, thresholds, notes, memoryFloorMb) : v);
        }
        return out;
    }

    private static Verdict judge(Verdict v, List<BenchmarkRecord> history, BenchmarkRecord current,
                                 Optional<BenchmarkRecord> baseline, Thresholds thresholds, List<String> notes,
                                 double memoryFloorMb) {
        Metric m = v.metric();
        if (current.value(m).isEmpty()) {
            return v;
        }
        List<BenchmarkRecord> all = new ArrayList<>(history);
        all.add(current);
        List<BenchmarkRecord> runs = ChangePoints.comparable(m, all, current.datasetSize(), current.fingerprint());
        if (runs.isEmpty() || runs.get(runs.size() - 1) != current) {
            return v;
        }
        List<ChangePoint> found = ChangePoints.find(m, runs);
        if (found.isEmpty()) {
            return v;
        }
        ChangePoint c = found.get(found.size() - 1);
        boolean isNew = isNew(c, ChangePoints.find(m, runs.subList(0, runs.size() - 1)));
        if (!c.isWorse()) {
            if (isNew) {
                notes.add(m.displayName() + ": change point, " + c.describe());
            }
            return v;
        }
        double threshold = thresholds.of(m).percent();
        if (!(c.regressionPercent() > threshold)
                || m == Metric.MEMORY && Math.abs(c.meanAfter() - c.meanBefore()) < memoryFloorMb) {
            if (isNew) {
                notes.add(m.displayName() + ": change point, " + c.describe() + ", within the "
                        + percent(threshold) + " threshold" + (m == Metric.MEMORY ? " or under "
                        + memoryFloorMb + " MB" : ""));
            }
            return v;
        }
        if (c.explainedByMachine()) {
            if (isNew) {
                notes.add(m.displayName() + ": change point, " + c.describe() + ", but the machine itself ran "
                        + percent(-c.speedChange()) + " slower over the same runs: not counted as a regression");
            }
            return v;
        }
        boolean acrossTheShift = v.status() == Verdict.Status.INCONCLUSIVE && baseline.isPresent()
                && measuredBefore(baseline.get(), runs, c.index());
        if (!isNew && !acrossTheShift || c.runsBefore() < MIN_RUNS_BEFORE) {
            return v;
        }
        return regression(v, c);
    }

    /** Whether no worse change point of {@code before} (the search without this run) lies near {@code c}. */
    private static boolean isNew(ChangePoint c, List<ChangePoint> before) {
        return before.stream().noneMatch(b -> b.isWorse() == c.isWorse()
                && Math.abs(b.index() - c.index()) <= SAME_PLACE);
    }

    /** Whether {@code baseline} is one of {@code runs} before index {@code start}. */
    private static boolean measuredBefore(BenchmarkRecord baseline, List<BenchmarkRecord> runs, int start) {
        for (int i = 0; i < start; i++) {
            BenchmarkRecord r = runs.get(i);
            if (r.timestamp().equals(baseline.timestamp()) && r.gitCommit().equals(baseline.gitCommit())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The change point's REGRESSION. Its bound is set where a normal approximation puts the verdict's one-sided
     * confidence bound for the change point's p-value, so that {@link VerdictEngine#pValue} (Holm's correction of
     * fail-on-regression) recovers about half the two-sided p.
     */
    static Verdict regression(Verdict one, ChangePoint c) {
        double r = c.regressionPercent();
        double zp = Statistics.inverseNormal(1.0 - Math.max(c.pValue() / 2, 1e-15));
        double z = Statistics.inverseNormal(one.confidence());
        double bound = zp > 0 && Double.isFinite(zp) ? r * (1.0 - z / zp) : r;
        String message = c.describe() + " (change point in the history); this run against its baseline alone: "
                + one.status() + (Double.isNaN(one.regressionPercent()) ? "" : String.format(Locale.ROOT,
                ", %.1f%% %s", Math.abs(one.regressionPercent()), one.regressionPercent() >= 0 ? "worse" : "better"));
        return new Verdict(one.metric(), Verdict.Status.REGRESSION, r, c.meanBefore(), c.meanAfter(), bound,
                one.confidence(), one.thresholdPercent(), one.noisePercent(), one.minDetectablePercent(),
                "change-point", message);
    }

    private static String percent(double p) {
        return String.format(Locale.ROOT, "%.1f%%", p);
    }
}
