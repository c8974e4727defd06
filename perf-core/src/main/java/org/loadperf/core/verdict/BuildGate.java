package org.loadperf.core.verdict;

import java.util.ArrayList;
import java.util.List;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Verdict;
import org.loadperf.core.stats.Statistics;

/**
 * Which regressions fail a build: those that survive Holm's step-down correction across every comparison the runner
 * has made so far, so that the chance of a false failure does not grow with the number of benchmarks and metrics.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class BuildGate {

    private BuildGate() {
    }

    /** What the gate decided for one result: the regressions that fail, and a note when some do not. */
    @Api(status = Api.Status.INTERNAL, since = "0.2")
    public record Decision(List<Verdict> failing, List<String> notes) {
    }

    /**
     * Decides for {@code result}, the last of {@code earlier} + it: its regressions that fail at family-wise error
     * rate {@code alpha}, and a note for those that stay REGRESSION but do not fail the build.
     */
    public static Decision decide(List<BenchmarkResult> earlier, BenchmarkResult result, double alpha) {
        List<BenchmarkResult> family = new ArrayList<>(earlier);
        family.add(result);
        List<Verdict> failing = failingRegressions(family, alpha).stream()
                .filter(f -> f.key().equals(result.key()) && f.timestamp().equals(result.timestamp()))
                .flatMap(f -> f.regressions().stream()).toList();
        List<String> notes = new ArrayList<>(result.notes());
        if (failing.size() < result.regressions().size()) {
            notes.add((result.regressions().size() - failing.size()) + " regression(s) of this benchmark do "
                    + "not fail the build: they do not survive Holm's correction across the "
                    + countComparisons(family) + " comparisons of this run");
        }
        return new Decision(failing, notes);
    }

    private static int countComparisons(List<BenchmarkResult> family) {
        return family.stream().mapToInt(r -> (int) r.verdicts().stream()
                .filter(v -> !Double.isNaN(v.regressionPercent()) && v.status() != Verdict.Status.NO_BASELINE)
                .count()).sum();
    }

    /**
     * The results whose regressions survive Holm's step-down correction at family-wise error rate {@code alpha},
     * the family being every compared metric of every result given; each returned result keeps only its verdicts.
     * A regression that does not survive stays a REGRESSION in its result (its own bound is past the threshold),
     * but failing a build on it would make the chance of any false failure grow with the number of comparisons.
     */
    public static List<BenchmarkResult> failingRegressions(List<BenchmarkResult> family, double alpha) {
        List<Verdict> all = new ArrayList<>();
        List<BenchmarkResult> owner = new ArrayList<>();
        for (BenchmarkResult r : family) {
            for (Verdict v : r.verdicts()) {
                if (v.status() != Verdict.Status.NO_BASELINE && !Double.isNaN(v.regressionPercent())) {
                    all.add(v);
                    owner.add(r);
                }
            }
        }
        double[] p = new double[all.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = VerdictEngine.pValue(all.get(i));
        }
        boolean[] rejected = Statistics.holm(p, alpha);
        List<BenchmarkResult> out = new ArrayList<>();
        for (BenchmarkResult r : family) {
            boolean any = false;
            for (int i = 0; i < all.size(); i++) {
                if (owner.get(i) == r && rejected[i] && all.get(i).isRegression()) {
                    any = true;
                }
            }
            if (any) {
                List<Verdict> keep = new ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    if (owner.get(i) == r && (!all.get(i).isRegression() || rejected[i])) {
                        keep.add(all.get(i));
                    }
                }
                out.add(new BenchmarkResult(r.testName(), r.loaderType(), r.datasetSize(), r.warmupIterations(),
                        r.samples(), r.summaries(), keep, r.timestamp(), r.gitCommit(), r.gitDirty(), r.environment(),
                        r.fingerprint(), r.notes()));
            }
        }
        return out;
    }
}
