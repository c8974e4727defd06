package org.loadperf.core.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Verdict;
import org.loadperf.core.verdict.Figures;

/**
 * The verdict text every report shares (console, Markdown, HTML, JSON, exports, the runner's record), in one place
 * so that they all say the same.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class VerdictText {

    private VerdictText() {
    }

    /**
     * What the console prints when a run ends: the summary table and every regression block of the run again under
     * it (empty for no results).
     */
    static String runSummary(List<BenchmarkResult> results) {
        if (results.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(summaryTable(results));
        List<BenchmarkResult> regressed = results.stream().filter(BenchmarkResult::hasRegression).toList();
        if (!regressed.isEmpty()) {
            long count = regressed.stream().mapToLong(r -> r.regressions().size()).sum();
            sb.append(String.format(Locale.ROOT, "%n%d regression%s in this run:%n", count, count == 1 ? "" : "s"));
            for (BenchmarkResult r : regressed) {
                for (Verdict v : r.regressions()) {
                    sb.append(regressionBlock(r, v));
                }
            }
        }
        return sb.toString();
    }

    /**
     * {@code v} in {@code format}, or with three significant digits where that format would show it more than 5%
     * off (0.0016 in two decimals is "0.00").
     */
    public static String small(double v, String format) {
        String plain = String.format(Locale.ROOT, format, v);
        return Double.isFinite(v) && Math.abs(Double.parseDouble(plain) - v) > 0.05 * Math.abs(v) ? Figures.format(v)
                : plain;
    }

    /**
     * The guide's warning block for one regressed metric, as the guide prints it, except that figures under 1 keep
     * three significant digits (the guide's two decimals print 0.0016 MB as "0.00").
     */
    public static String regressionBlock(BenchmarkResult result, Verdict v) {
        return String.format(Locale.ROOT, "⚠️  PERFORMANCE REGRESSION DETECTED:%n   Test: %s%n   Loader: %s%n"
                        + "   Metric: %s%n   Regression: %.1f%%%n   Current: %s%n   Baseline: %s%n",
                result.testName(), result.loaderType(), v.metric().displayName(), v.regressionPercent(),
                small(v.current(), "%.2f"), small(v.baseline(), "%.2f"));
    }

    /** A plain-text table of the results: loader, test, throughput, memory, duration, dataset size, verdict. */
    public static String summaryTable(List<BenchmarkResult> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"Loader", "Test", "Throughput (rows/s)", "Memory (MB)", "Duration (s)", "Dataset Size",
            "Verdict"});
        for (BenchmarkResult r : results) {
            rows.add(new String[]{r.loaderType(), r.testName(), number(r.median(Metric.THROUGHPUT)),
                small(r.median(Metric.MEMORY), "%.1f"), small(r.median(Metric.DURATION), "%.3f"),
                String.format(Locale.ROOT, "%,d", r.datasetSize()), verdictSummary(r)});
        }
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder(System.lineSeparator()).append("Performance summary")
                .append(System.lineSeparator());
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            for (int i = 0; i < row.length; i++) {
                boolean numeric = i >= 2 && i <= 5 && r > 0;
                String cell = numeric ? " ".repeat(width[i] - row[i].length()) + row[i]
                        : row[i] + " ".repeat(width[i] - row[i].length());
                sb.append(i == 0 ? "" : "  ").append(i == row.length - 1 ? cell.stripTrailing() : cell);
            }
            sb.append(System.lineSeparator());
            if (r == 0) {
                int total = 0;
                for (int w : width) {
                    total += w + 2;
                }
                sb.append("-".repeat(total - 2)).append(System.lineSeparator());
            }
        }
        return sb.toString();
    }

    /** The worst status of a result's verdicts with the metrics that have it, e.g. {@code REGRESSION (memory)}. */
    public static String verdictSummary(BenchmarkResult result) {
        if (result.verdicts().isEmpty()) {
            return "not compared";
        }
        Verdict.Status worst = worstStatus(result);
        if (worst == Verdict.Status.OK || worst == Verdict.Status.NO_BASELINE) {
            return worst == Verdict.Status.OK ? "OK" : "new baseline";
        }
        return worst + " (" + String.join(", ", result.verdicts().stream().filter(v -> v.status() == worst)
                .map(v -> v.metric().displayName()).toList()) + ")";
    }

    /** The worst status among a result's verdicts (LEAK, REGRESSION, INCONCLUSIVE, IMPROVED, OK, NO_BASELINE). */
    public static Verdict.Status worstStatus(BenchmarkResult result) {
        for (Verdict.Status s : List.of(Verdict.Status.LEAK, Verdict.Status.REGRESSION, Verdict.Status.INCONCLUSIVE,
                Verdict.Status.IMPROVED, Verdict.Status.OK, Verdict.Status.NO_BASELINE)) {
            if (result.verdicts().stream().anyMatch(v -> v.status() == s)) {
                return s;
            }
        }
        return Verdict.Status.NO_BASELINE;
    }

    public static String number(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f", v);
    }
}
