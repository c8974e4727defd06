package org.loadperf.core.report;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Verdict;

/**
 * {@code summary.md}: the guide's CI comment table (Loader | Test | Throughput | Memory | Duration | Dataset Size)
 * plus a Verdict column, then the regression blocks. GitHub renders it as a job summary
 * ({@code $GITHUB_STEP_SUMMARY}) or a PR comment. Benchmark names are user text: everything that Markdown or HTML
 * would interpret is escaped.
 */
final class MarkdownSummary {

    /** An underscore next to a non-word character can open or close emphasis; inside a word it cannot. */
    private static final Pattern EMPHASIS_UNDERSCORE = Pattern.compile("(?<![\\p{L}\\p{N}])_|_(?![\\p{L}\\p{N}])");

    private MarkdownSummary() {
    }

    static String render(String title, List<BenchmarkResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("## ").append(escape(title)).append("\n\n");
        if (results.isEmpty()) {
            return sb.append("No benchmarks ran.\n").toString();
        }
        sb.append("| Loader | Test | Throughput | Memory | Duration | Dataset Size | Verdict |\n");
        sb.append("|---|---|---:|---:|---:|---:|---|\n");
        for (BenchmarkResult r : results) {
            sb.append("| ").append(escape(r.loaderType()))
                    .append(" | ").append(escape(r.testName()))
                    .append(" | ").append(VerdictText.number(r.median(Metric.THROUGHPUT))).append(" rows/sec")
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f MB", r.median(Metric.MEMORY)))
                    .append(" | ").append(String.format(Locale.ROOT, "%.3f s", r.median(Metric.DURATION)))
                    .append(" | ").append(String.format(Locale.ROOT, "%,d", r.datasetSize()))
                    .append(" | ").append(icon(VerdictText.worstStatus(r))).append(' ')
                    .append(escape(VerdictText.verdictSummary(r))).append(" |\n");
        }
        List<BenchmarkResult> regressed = results.stream().filter(BenchmarkResult::hasRegression).toList();
        if (!regressed.isEmpty()) {
            sb.append("\n### ⚠️ Regressions\n\n```\n");
            for (BenchmarkResult r : regressed) {
                for (Verdict v : r.regressions()) {
                    // inside a fence nothing is interpreted; only a fence of its own could end it
                    sb.append(VerdictText.regressionBlock(r, v).replace("```", "'''")
                            .replace(System.lineSeparator(), "\n"));
                }
            }
            sb.append("```\n");
        }
        return sb.toString();
    }

    private static String icon(Verdict.Status status) {
        return switch (status) {
            case REGRESSION -> "❌";
            case LEAK -> "💧";
            case INCONCLUSIVE -> "❔";
            case IMPROVED -> "🚀";
            case OK -> "✅";
            case NO_BASELINE -> "🆕";
        };
    }

    /** {@code text} as literal Markdown table-cell text: no emphasis, links, HTML, code or cell breaks. */
    static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '\\', '|', '*', '`', '[', ']', '~' -> sb.append('\\').append(c);
                case '\n', '\r' -> sb.append(' ');
                default -> sb.append(c);
            }
        }
        return EMPHASIS_UNDERSCORE.matcher(sb).replaceAll("\\\\_");
    }
}
