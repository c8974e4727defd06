package org.loadperf.core.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.MetricSummary;
import org.loadperf.api.Verdict;

/**
 * {@code results.json}: every {@link BenchmarkResult} of a run, complete (all samples, statistics, verdicts,
 * machine, notes), so that a tool or a later report can use them without the baseline store.
 *
 * <pre>{@code
 * {"format": "loadperf-results/1", "run_id": "...", "generated": "2025-...Z", "store": "/.../performance_benchmarks.json",
 *  "results": [{"key": "postgresql_throughput_comparison", "test_name": ..., "loader_type": ..., "dataset_size": ...,
 *               "throughput_rows_per_sec": median, "memory_mb": median, "duration_seconds": median, ...,
 *               "verdict": "OK", "summaries": {metric: {count, median, mean, stddev, min, max, noise_percent}},
 *               "samples": {metric: [...]}, "verdicts": [{metric, status, regression_percent, ...}], ...}]}
 * }</pre>
 * JSON has no NaN: a missing figure is {@code null}.
 */
final class ResultsJson {

    static final String FORMAT = "loadperf-results/1";

    static final ObjectMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private ResultsJson() {
    }

    /** The document of {@code results}. */
    static ObjectNode document(String runId, String store, List<BenchmarkResult> results) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("format", FORMAT);
        root.put("run_id", runId);
        root.put("generated", OffsetDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        root.put("store", store);
        ArrayNode list = root.putArray("results");
        results.forEach(r -> list.add(encode(r)));
        return root;
    }

    static String toJson(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write results as JSON: " + e.getMessage(), e);
        }
    }

    static ObjectNode encode(BenchmarkResult r) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("key", r.key());
        o.put("test_name", r.testName());
        o.put("loader_type", r.loaderType());
        o.put("dataset_size", r.datasetSize());
        for (Metric m : Metric.values()) {
            MetricSummary s = r.summaries().get(m);
            ReportText.number(o, m.key(), s == null ? Double.NaN : s.median());
        }
        o.put("timestamp", r.timestamp().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        o.put("git_commit", r.gitCommit());
        o.put("git_dirty", r.gitDirty());
        o.put("environment", r.environment());
        o.put("warmup_iterations", r.warmupIterations());
        o.put("measured_iterations", r.measuredIterations());
        o.put("verdict", VerdictText.verdictSummary(r));
        ObjectNode summaries = o.putObject("summaries");
        r.summaries().forEach((m, s) -> {
            ObjectNode n = summaries.putObject(m.key());
            n.put("count", s.count());
            ReportText.number(n, "median", s.median());
            ReportText.number(n, "mean", s.mean());
            ReportText.number(n, "stddev", s.stddev());
            ReportText.number(n, "min", s.min());
            ReportText.number(n, "max", s.max());
            ReportText.number(n, "noise_percent", s.noisePercent());
        });
        ObjectNode samples = o.putObject("samples");
        r.samples().forEach((m, list) -> {
            ArrayNode a = samples.putArray(m.key());
            list.forEach(v -> {
                if (Double.isFinite(v)) {
                    a.add(v);
                } else {
                    a.addNull();
                }
            });
        });
        ArrayNode verdicts = o.putArray("verdicts");
        for (Verdict v : r.verdicts()) {
            ObjectNode n = verdicts.addObject();
            n.put("metric", v.metric().key());
            n.put("status", v.status().name());
            ReportText.number(n, "regression_percent", v.regressionPercent());
            ReportText.number(n, "baseline", v.baseline());
            ReportText.number(n, "current", v.current());
            ReportText.number(n, "confidence_bound", v.confidenceBound());
            ReportText.number(n, "confidence", v.confidence());
            ReportText.number(n, "threshold_percent", v.thresholdPercent());
            ReportText.number(n, "noise_percent", v.noisePercent());
            ReportText.number(n, "min_detectable_percent", v.minDetectablePercent());
            n.put("method", v.method());
            n.put("message", v.message());
        }
        ObjectNode machine = o.putObject("machine");
        r.fingerprint().forEach(machine::put);
        ArrayNode notes = o.putArray("notes");
        r.notes().forEach(notes::add);
        return o;
    }


    /**
     * The result an {@link #encode encoded} node describes.
     *
     * @throws IllegalArgumentException naming the field that is missing or malformed
     */
    static BenchmarkResult decode(JsonNode o) {
        String key = o.path("key").asText("?");
        try {
            Map<Metric, List<Double>> samples = new EnumMap<>(Metric.class);
            o.path("samples").properties().forEach(e -> {
                List<Double> list = new ArrayList<>();
                e.getValue().forEach(v -> list.add(v.isNumber() ? v.asDouble() : Double.NaN));
                samples.put(Metric.fromKey(e.getKey()), list);
            });
            Map<Metric, MetricSummary> summaries = new EnumMap<>(Metric.class);
            o.path("summaries").properties().forEach(e -> {
                Metric m = Metric.fromKey(e.getKey());
                JsonNode s = e.getValue();
                summaries.put(m, new MetricSummary(m, s.path("count").asInt(), num(s, "median"), num(s, "mean"),
                        num(s, "stddev"), num(s, "min"), num(s, "max")));
            });
            List<Verdict> verdicts = new ArrayList<>();
            for (JsonNode v : o.path("verdicts")) {
                verdicts.add(new Verdict(Metric.fromKey(text(v, "metric")),
                        Verdict.Status.valueOf(text(v, "status")), num(v, "regression_percent"), num(v, "baseline"),
                        num(v, "current"), num(v, "confidence_bound"), num(v, "confidence"),
                        num(v, "threshold_percent"), num(v, "noise_percent"), num(v, "min_detectable_percent"),
                        text(v, "method"), text(v, "message")));
            }
            Map<String, String> machine = new LinkedHashMap<>();
            o.path("machine").properties().forEach(e -> machine.put(e.getKey(), e.getValue().asText()));
            List<String> notes = new ArrayList<>();
            o.path("notes").forEach(n -> notes.add(n.asText()));
            return new BenchmarkResult(text(o, "test_name"), text(o, "loader_type"), o.path("dataset_size").asLong(),
                    o.path("warmup_iterations").asInt(), samples, summaries, verdicts,
                    OffsetDateTime.parse(text(o, "timestamp")), text(o, "git_commit"),
                    o.path("git_dirty").asBoolean(), text(o, "environment"), machine, notes);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("result '" + key + "' is not a loadperf result: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("field '" + field + "' is missing");
        }
        return v.asText();
    }

    private static double num(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || !v.isNumber() ? Double.NaN : v.asDouble();
    }
}
