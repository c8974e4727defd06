package org.loadperf.core.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.MetricSummary;

/**
 * The results in the input format of <a href="https://github.com/benchmark-action/github-action-benchmark">
 * github-action-benchmark</a>: a JSON array of {@code {name, unit, value, range, extra}}, one file per direction.
 * {@value #BIGGER_FILE} holds throughput (tool {@code customBiggerIsBetter}); {@value #SMALLER_FILE} holds memory
 * and duration (tool {@code customSmallerIsBetter}). {@code name} is {@code {loader_type}_{test_name} - metric},
 * {@code value} the median, {@code range} the spread of the samples ({@code ± half of max - min}), {@code extra}
 * the dataset size, iterations, commit and verdict.
 */
final class BenchmarkActionExport {

    static final String BIGGER_FILE = "benchmark-action-bigger.json";
    static final String SMALLER_FILE = "benchmark-action-smaller.json";

    private BenchmarkActionExport() {
    }

    /** The entries of {@code metrics} for every result, in the tool's format. */
    static ArrayNode entries(List<BenchmarkResult> results, List<Metric> metrics) {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (BenchmarkResult r : results) {
            for (Metric m : metrics) {
                MetricSummary s = r.summaries().get(m);
                if (s == null || !Double.isFinite(s.median())) {
                    continue;
                }
                ObjectNode e = list.addObject();
                e.put("name", r.key() + " - " + m.displayName());
                e.put("unit", m == Metric.THROUGHPUT ? "rows/sec" : m.unit());
                e.put("value", s.median());
                if (s.count() > 1 && Double.isFinite(s.max() - s.min())) {
                    e.put("range", String.format(Locale.ROOT, "± %s", compact((s.max() - s.min()) / 2)));
                }
                e.put("extra", String.format(Locale.ROOT, "dataset_size: %d rows\niterations: %d (+%d warm-up)\n"
                                + "commit: %s%s\nverdict: %s", r.datasetSize(), s.count(), r.warmupIterations(),
                        r.gitCommit(), r.gitDirty() ? " (dirty)" : "", VerdictText.verdictSummary(r)));
            }
        }
        return list;
    }

    static ArrayNode bigger(List<BenchmarkResult> results) {
        return entries(results, List.of(Metric.THROUGHPUT));
    }

    static ArrayNode smaller(List<BenchmarkResult> results) {
        return entries(results, List.of(Metric.MEMORY, Metric.DURATION));
    }

    private static String compact(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
