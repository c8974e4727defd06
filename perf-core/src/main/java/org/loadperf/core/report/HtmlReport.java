package org.loadperf.core.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.loadperf.api.BaselineStore;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Thresholds;
import org.loadperf.api.Verdict;
import org.loadperf.core.verdict.BaselineComparison;
import org.loadperf.core.verdict.ChangePoint;
import org.loadperf.core.verdict.ChangePoints;

/**
 * {@code index.html}: one self-contained page (no network: the data, the script and the styles are inline) with
 * <ul>
 *   <li>a table of the run's results (or, rebuilt from a store alone, of the latest run of every benchmark);</li>
 *   <li>per benchmark, a chart of throughput and one of memory over the runs kept in the store's history, by
 *       commit, each point with the spread of its samples; runs at another dataset size than the latest are left
 *       out (and counted), since their figures do not compare;</li>
 *   <li>change points ({@link ChangePoints}): a dashed line at the run where a sustained shift began, red when
 *       it is worse, green when better, with its size, commit and p-value;</li>
 *   <li>marked points: for runs of this run, their verdict against the baseline; for earlier runs, the verdict
 *       recomputed against the run before them with the default thresholds (the store keeps samples, not
 *       verdicts);</li>
 *   <li>per test name measured by two or more loaders at one dataset size, bar charts comparing the loaders'
 *       latest throughput and the three memory figures: memory needed, bytes allocated per row and bytes stored
 *       per row (when the benchmark reported it).</li>
 * </ul>
 * The charts are drawn by an inline script into inline SVG. Every text from benchmarks reaches the page either
 * HTML-escaped or inside the JSON data block, where {@code <}, {@code >} and {@code &} are escaped as
 * {@code \u003c}-style sequences so that no name can end the script element; the script only ever sets it as text.
 */
final class HtmlReport {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Z_]+)}}");

    /** Charted for every benchmark; any other compared metric gets a chart of its own (extra_charts). */
    private static final List<Metric> GUIDE = List.of(Metric.THROUGHPUT, Metric.MEMORY, Metric.DURATION);

    private HtmlReport() {
    }

    /**
     * The page for the history in {@code store} and the results of the current run (may be empty); each earlier run
     * is marked as {@code comparison} judges it against the run before it, with {@code thresholds}.
     */
    static String render(BaselineStore store, List<BenchmarkResult> current, BaselineComparison comparison,
                         Thresholds thresholds) {
        List<Metric> extra = comparison.compared().stream().filter(m -> !GUIDE.contains(m)).sorted().toList();
        List<Metric> charted = new ArrayList<>(GUIDE);
        charted.addAll(extra);
        Map<String, BenchmarkResult> currentByKey = new LinkedHashMap<>();
        current.forEach(r -> currentByKey.put(r.key(), r));
        Map<String, BenchmarkRecord> baselines = store.baselines(); // read once: a file store parses per call
        Set<String> keys = new LinkedHashSet<>(baselines.keySet());
        keys.addAll(currentByKey.keySet());

        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("generated", OffsetDateTime.now().withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        data.put("store", store.location());
        ArrayNode extraCharts = data.putArray("extra_charts");
        extra.forEach(m -> extraCharts.addObject().put("key", m.key()).put("title", m.displayName())
                .put("unit", m.unit()));
        ArrayNode benchmarks = data.putArray("benchmarks");
        Map<String, List<Latest>> byTest = new TreeMap<>();
        List<Latest> latestRuns = new ArrayList<>();
        for (String key : keys.stream().sorted(Comparator.comparing((String k) -> testOf(baselines, currentByKey, k))
                .thenComparing(k -> k)).toList()) {
            List<BenchmarkRecord> history = new ArrayList<>(store.history(key));
            if (history.isEmpty() && baselines.containsKey(key)) {
                history.add(baselines.get(key));
            }
            BenchmarkResult now = currentByKey.get(key);
            if (now != null && history.stream().noneMatch(h -> sameRun(h, now))) {
                history.add(now.toRecord()); // a store that does not keep history still shows this run
            }
            if (history.isEmpty()) {
                continue;
            }
            BenchmarkRecord last = history.get(history.size() - 1);
            List<BenchmarkRecord> runs = history.stream().filter(h -> h.datasetSize() == last.datasetSize()).toList();
            ObjectNode b = benchmarks.addObject();
            b.put("key", key);
            b.put("test", last.testName());
            b.put("loader", last.loaderType());
            b.put("size", last.datasetSize());
            b.put("hidden_runs", history.size() - runs.size());
            b.put("verdict", now != null ? VerdictText.verdictSummary(now) : null);
            b.put("status", now != null ? VerdictText.worstStatus(now).name() : null);
            Map<Metric, Map<Integer, ChangePoint>> changes = changePoints(runs, last, charted);
            ArrayNode list = b.putArray("runs");
            Map<String, Integer> perCommit = new java.util.HashMap<>();
            runs.forEach(run -> perCommit.merge(run.gitCommit(), 1, Integer::sum));
            Map<String, Integer> seen = new java.util.HashMap<>();
            for (int i = 0; i < runs.size(); i++) {
                BenchmarkRecord run = runs.get(i);
                boolean isCurrent = now != null && sameRun(run, now);
                int index = i;
                List<Verdict> judged = isCurrent || i == 0 ? List.of()
                        : comparison.rejudge(run, runs.get(i - 1), runs.subList(0, i), thresholds);
                ObjectNode r = list.addObject();
                r.put("commit", run.gitCommit());
                r.put("dirty", run.gitDirty());
                r.put("time", run.timestamp());
                r.put("label", label(run, perCommit.get(run.gitCommit()) > 1
                        ? seen.merge(run.gitCommit(), 1, Integer::sum) : 0));
                r.put("current", isCurrent);
                for (Metric m : charted) {
                    ObjectNode v = r.putObject(m.key());
                    ReportText.number(v, "v", run.value(m).orElse(Double.NaN));
                    List<Double> s = run.samples(m);
                    if (!s.isEmpty()) {
                        ReportText.number(v, "min",
                                s.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN));
                        ReportText.number(v, "max",
                                s.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
                        v.put("n", s.size());
                    }
                    ChangePoint change = changes.get(m).get(i);
                    if (change != null) {
                        v.put("change", change.describe() + ": " + fmt(change.meanBefore()) + " -> "
                                + fmt(change.meanAfter()) + " " + m.unit());
                        v.put("change_worse", change.isWorse());
                    }
                    Optional<Verdict> mark = isCurrent ? now.verdict(m)
                            : judged.stream().filter(x -> x.metric() == m).findFirst();
                    mark.filter(x -> x.status() == Verdict.Status.REGRESSION
                                    || x.status() == Verdict.Status.IMPROVED
                                    || x.status() == Verdict.Status.INCONCLUSIVE)
                            .ifPresent(x -> {
                                v.put("mark", x.status().name());
                                // the marker points the way the figure moved: more throughput up, less memory down
                                v.put("up", (x.regressionPercent() > 0) != m.higherIsBetter());
                                v.put("note", (isCurrent ? "this run against its baseline: "
                                        : "against the run before (" + runs.get(index - 1).gitCommit() + "): ")
                                        + x.message());
                            });
                }
            }
            Latest l = new Latest(last, now != null && sameRun(last, now));
            latestRuns.add(l);
            byTest.computeIfAbsent(last.testName() + "\u0000" + last.datasetSize(), t -> new ArrayList<>()).add(l);
        }
        ArrayNode comparisons = data.putArray("comparisons");
        byTest.forEach((test, list) -> {
            if (list.size() < 2) {
                return;
            }
            ObjectNode c = comparisons.addObject();
            c.put("test", list.get(0).record().testName());
            c.put("size", list.get(0).record().datasetSize());
            ArrayNode loaders = c.putArray("loaders");
            for (Latest l : list) {
                ObjectNode o = loaders.addObject();
                o.put("loader", l.record().loaderType());
                o.put("commit", l.record().gitCommit());
                o.put("current", l.current());
                for (Metric m : charted) {
                    ReportText.number(o, m.key(), l.record().value(m).orElse(Double.NaN));
                }
                // the three memory figures side by side: needed (memory_mb), allocated and stored per row
                ReportText.number(o, Metric.ALLOCATED_BYTES_PER_ROW.key(),
                        l.record().value(Metric.ALLOCATED_BYTES_PER_ROW).orElse(Double.NaN));
                ReportText.number(o, "stored_bytes_per_row",
                        l.record().extras().get("stored_bytes_per_row") instanceof Number n
                        ? n.doubleValue() : Double.NaN);
            }
        });

        long regressions = current.stream().mapToLong(r -> r.regressions().size()).sum();
        Map<String, String> parts = Map.of(
                "TITLE", "loadperf report",
                "SUBTITLE", ReportText.html(subtitle(store, current, regressions)),
                "TABLE_CAPTION", current.isEmpty() ? "Latest run of every benchmark in the store" : "This run",
                "TABLE_ROWS", current.isEmpty() ? latestRows(latestRuns) : currentRows(current),
                "DATA", scriptSafeJson(data));
        // one pass, so that a benchmark named like a placeholder is never expanded
        Matcher m = PLACEHOLDER.matcher(template());
        StringBuilder page = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(page, Matcher.quoteReplacement(parts.getOrDefault(m.group(1), m.group())));
        }
        m.appendTail(page);
        return page.toString();
    }

    /**
     * The change points of each charted metric by the index in {@code runs} of the run where each began (the search
     * skips runs of another machine and busy runs, so its own indexes differ).
     */
    private static Map<Metric, Map<Integer, ChangePoint>> changePoints(List<BenchmarkRecord> runs,
                                                                       BenchmarkRecord last, List<Metric> charted) {
        Map<Metric, Map<Integer, ChangePoint>> out = new java.util.EnumMap<>(Metric.class);
        for (Metric m : charted) {
            Map<Integer, ChangePoint> byRun = new java.util.HashMap<>();
            out.put(m, byRun);
            if (last.value(m).isEmpty()) {
                continue;
            }
            List<BenchmarkRecord> searched = ChangePoints.comparable(m, runs, last.datasetSize(), last.fingerprint());
            for (ChangePoint c : ChangePoints.find(m, searched)) {
                byRun.put(runs.indexOf(searched.get(c.index())), c);
            }
        }
        return out;
    }

    private static String fmt(double v) {
        return Math.abs(v) >= 100 ? VerdictText.number(v) : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String testOf(Map<String, BenchmarkRecord> baselines, Map<String, BenchmarkResult> current,
                                 String key) {
        BenchmarkResult r = current.get(key);
        BenchmarkRecord b = baselines.get(key);
        return r != null ? r.testName() : b != null ? b.testName() : key;
    }

    private record Latest(BenchmarkRecord record, boolean current) {
    }

    /** A run's axis label: its commit, and when that commit was measured more than once, the run's number and time. */
    static String label(BenchmarkRecord run, int nthOfCommit) {
        String label = run.gitCommit() + (run.gitDirty() ? "*" : "");
        if (nthOfCommit == 0) {
            return label;
        }
        String t = run.timestamp();
        return label + " #" + nthOfCommit + (t != null && t.length() >= 16 ? " " + t.substring(11, 16) : "");
    }

    private static boolean sameRun(BenchmarkRecord record, BenchmarkResult result) {
        if (!record.gitCommit().equals(result.gitCommit()) || record.datasetSize() != result.datasetSize()) {
            return false;
        }
        try {
            return OffsetDateTime.parse(record.timestamp()).toInstant().equals(result.timestamp().toInstant());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String subtitle(BaselineStore store, List<BenchmarkResult> current, long regressions) {
        String when = OffsetDateTime.now().withNano(0).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        if (current.isEmpty()) {
            return "Rebuilt from " + store.location() + " at " + when;
        }
        BenchmarkResult first = current.get(0);
        return String.format(Locale.ROOT, "%d benchmark%s at commit %s%s, %s; %s; history from %s",
                current.size(), current.size() == 1 ? "" : "s", first.gitCommit(), first.gitDirty() ? " (dirty)" : "",
                when, regressions == 0 ? "no regressions" : regressions + " regression" + (regressions == 1 ? "" : "s"),
                store.location());
    }

    private static String currentRows(List<BenchmarkResult> results) {
        StringBuilder sb = new StringBuilder();
        for (BenchmarkResult r : results) {
            row(sb, r.loaderType(), r.testName(), r.median(Metric.THROUGHPUT), r.median(Metric.MEMORY),
                    r.median(Metric.DURATION), r.datasetSize(), VerdictText.verdictSummary(r),
                    VerdictText.worstStatus(r).name());
        }
        return sb.toString();
    }

    private static String latestRows(List<Latest> latest) {
        StringBuilder sb = new StringBuilder();
        for (Latest l : latest) {
            BenchmarkRecord r = l.record();
            row(sb, r.loaderType(), r.testName(), r.value(Metric.THROUGHPUT).orElse(Double.NaN),
                    r.value(Metric.MEMORY).orElse(Double.NaN), r.value(Metric.DURATION).orElse(Double.NaN),
                    r.datasetSize(), "recorded at " + r.gitCommit(), "NONE");
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String loader, String test, double throughput, double memory,
                            double duration, long size, String verdict, String status) {
        sb.append("<tr><td>").append(ReportText.html(loader)).append("</td><td>").append(ReportText.html(test))
                .append("</td><td class=\"num\">").append(VerdictText.number(throughput))
                .append("</td><td class=\"num\">").append(Double.isNaN(memory) ? "n/a"
                        : String.format(Locale.ROOT, "%.1f", memory))
                .append("</td><td class=\"num\">").append(Double.isNaN(duration) ? "n/a"
                        : String.format(Locale.ROOT, "%.3f", duration))
                .append("</td><td class=\"num\">").append(String.format(Locale.ROOT, "%,d", size))
                .append("</td><td><span class=\"badge ").append(ReportText.html(status.toLowerCase(Locale.ROOT))).append("\">")
                .append(ReportText.html(verdict)).append("</span></td></tr>\n");
    }


    /** JSON that can stand inside a script element: no {@code </script>}, no HTML comment, no line separators. */
    static String scriptSafeJson(ObjectNode data) {
        String json;
        try {
            json = ResultsJson.MAPPER.writer().withoutFeatures(
                    com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the report data: " + e.getMessage(), e);
        }
        // these characters only occur inside JSON strings, where the escapes mean the same
        return json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    }


    private static String template() {
        try (InputStream in = HtmlReport.class.getResourceAsStream("report-template.html")) {
            if (in == null) {
                throw new IllegalStateException("report-template.html is missing from the perf-core jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read report-template.html: " + e.getMessage(), e);
        }
    }
}
