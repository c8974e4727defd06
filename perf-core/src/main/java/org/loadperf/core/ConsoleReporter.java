package org.loadperf.core;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Reporter;
import org.loadperf.api.Verdict;

/**
 * Prints to the console what a person wants to see: a line per benchmark, progress on long iterations, the
 * guide's {@code PERFORMANCE REGRESSION DETECTED} block for every regressed metric, and a summary table when the
 * runner closes. The one place of the library that writes to {@code System.out}.
 */
public final class ConsoleReporter implements Reporter {

    /** Iterations at least this long get a progress line. */
    static final double PROGRESS_SECONDS = 1.0;

    private final PrintStream out;

    /** A reporter printing to {@code System.out}. */
    public ConsoleReporter() {
        this(System.out);
    }

    /** A reporter printing to {@code out}. */
    public ConsoleReporter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void benchmarkStarted(Benchmark benchmark, int warmups, int iterations) {
        out.printf(Locale.ROOT, "▶ %s: %,d rows, %d warm-up + %d measured iterations%n", benchmark.key(),
                benchmark.datasetSize(), warmups, iterations);
    }

    @Override
    public void iterationFinished(Benchmark benchmark, int index, int total, boolean warmup, double seconds,
                                  double elapsed) {
        if (seconds >= PROGRESS_SECONDS) {
            out.printf(Locale.ROOT, "  %s %s %d/%d: %.2f s (elapsed %.1f s)%n", benchmark.key(),
                    warmup ? "warm-up" : "iteration", index, total, seconds, elapsed);
        }
    }

    @Override
    public void benchmarkFinished(BenchmarkResult result) {
        out.printf(Locale.ROOT, "  %s: %s rows/s (±%.1f%%), %.1f MB, %.3f s, %,d rows: %s%n", result.key(),
                number(result.median(Metric.THROUGHPUT)), result.summary(Metric.THROUGHPUT).noisePercent(),
                result.median(Metric.MEMORY), result.median(Metric.DURATION), result.datasetSize(),
                verdictSummary(result));
        for (Verdict v : result.verdicts()) {
            if (v.status() == Verdict.Status.INCONCLUSIVE || v.status() == Verdict.Status.IMPROVED) {
                out.println("    " + v.status() + ": " + v.message());
            }
        }
        result.notes().forEach(n -> out.println("    note: " + n));
        for (Verdict v : result.regressions()) {
            out.print(regressionBlock(result, v));
        }
    }

    @Override
    public void runFinished(List<BenchmarkResult> results) {
        if (results.isEmpty()) {
            return;
        }
        out.print(summaryTable(results));
    }

    /** The guide's warning block for one regressed metric, exactly as the guide prints it. */
    public static String regressionBlock(BenchmarkResult result, Verdict v) {
        return String.format(Locale.ROOT, "⚠️  PERFORMANCE REGRESSION DETECTED:%n   Test: %s%n   Loader: %s%n"
                        + "   Metric: %s%n   Regression: %.1f%%%n   Current: %.2f%n   Baseline: %.2f%n",
                result.testName(), result.loaderType(), v.metric().displayName(), v.regressionPercent(), v.current(),
                v.baseline());
    }

    /** A plain-text table of the results: loader, test, throughput, memory, duration, dataset size, verdict. */
    public static String summaryTable(List<BenchmarkResult> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"Loader", "Test", "Throughput (rows/s)", "Memory (MB)", "Duration (s)", "Dataset Size",
            "Verdict"});
        for (BenchmarkResult r : results) {
            rows.add(new String[]{r.loaderType(), r.testName(), number(r.median(Metric.THROUGHPUT)),
                String.format(Locale.ROOT, "%.1f", r.median(Metric.MEMORY)),
                String.format(Locale.ROOT, "%.3f", r.median(Metric.DURATION)),
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
                sb.append(i == 0 ? "" : "  ").append(cell);
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
        Verdict.Status worst = null;
        for (Verdict.Status s : List.of(Verdict.Status.REGRESSION, Verdict.Status.INCONCLUSIVE,
                Verdict.Status.IMPROVED, Verdict.Status.OK, Verdict.Status.NO_BASELINE)) {
            if (result.verdicts().stream().anyMatch(v -> v.status() == s)) {
                worst = s;
                break;
            }
        }
        Verdict.Status w = worst;
        if (w == Verdict.Status.OK || w == Verdict.Status.NO_BASELINE) {
            return w == Verdict.Status.OK ? "OK" : "new baseline";
        }
        return w + " (" + String.join(", ", result.verdicts().stream().filter(v -> v.status() == w)
                .map(v -> v.metric().displayName()).toList()) + ")";
    }

    static String number(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f", v);
    }
}
