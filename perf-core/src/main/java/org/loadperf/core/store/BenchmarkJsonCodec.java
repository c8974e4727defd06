// Over 400 lines: both directions of the performance_benchmarks.json entry (the guide's fields, samples,
// extras) and every check of a malformed entry, kept together so that reading and writing cannot drift apart.
package org.loadperf.core.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;

/**
 * Converts between {@link BenchmarkRecord} and the entries of {@code performance_benchmarks.json}.
 *
 * <p>An entry starts with the guide's nine fields in the guide's order, so that the guide's own tooling and eyes
 * find them where they expect; our fields follow, then whatever else the record carries ({@link
 * BenchmarkRecord#extras()}), then {@code history}. Floating-point numbers go through {@link #number(double)}:
 * plain decimals that Python reads back as floats, never {@code NaN} or exponents.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class BenchmarkJsonCodec {

    static final String TEST_NAME = "test_name";
    static final String LOADER_TYPE = "loader_type";
    static final String DATASET_SIZE = "dataset_size";
    static final String TIMESTAMP = "timestamp";
    static final String GIT_COMMIT = "git_commit";
    static final String ENVIRONMENT = "environment";
    static final String GIT_DIRTY = "git_dirty";
    static final String SAMPLES = "samples";
    static final String MACHINE = "machine";
    public static final String HISTORY = "history";

    /** The guide's metrics: written even when unknown (as null), so that the guide's readers find the keys. */
    private static final List<Metric> GUIDE_METRICS = List.of(Metric.THROUGHPUT, Metric.MEMORY, Metric.DURATION);

    /** Fields this codec reads and writes itself; everything else in an entry is an extra. */
    private static final Set<String> KNOWN_FIELDS;

    static {
        java.util.HashSet<String> known = new java.util.HashSet<>(List.of(TEST_NAME, LOADER_TYPE, DATASET_SIZE,
                TIMESTAMP, GIT_COMMIT, ENVIRONMENT, GIT_DIRTY, SAMPLES, MACHINE, HISTORY));
        for (Metric m : Metric.values()) {
            known.add(m.key());
        }
        KNOWN_FIELDS = Set.copyOf(known);
    }

    /**
     * Reads floats as exact decimals so that numbers we do not interpret are written back as they were read, and
     * accepts the {@code NaN} / {@code Infinity} tokens that Python's {@code json.dump} may have written. A key
     * twice in one object is an error: a tree keeps only the last, so a rewrite would silently drop the first.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                    .build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    /** Two-space indent, {@code "key": value} like Python's {@code json.dump(indent=2)}; arrays stay on one line. */
    static final DefaultPrettyPrinter PRINTER = new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"));

    private static final JsonNodeFactory NODES = MAPPER.getNodeFactory();

    private BenchmarkJsonCodec() {
    }

    // ---------------------------------------------------------------- writing

    /** The entry of {@code record} as the baseline of its key, without history. */
    public static ObjectNode entry(BenchmarkRecord record) {
        if (record.datasetSize() < 0) {
            // the store could not read it back
            throw new IllegalArgumentException("dataset_size of " + record.key() + " is " + record.datasetSize()
                    + "; the store keeps a row count, 0 or more");
        }
        ObjectNode e = NODES.objectNode();
        e.put(TEST_NAME, record.testName());
        e.put(LOADER_TYPE, record.loaderType());
        for (Metric m : GUIDE_METRICS) {
            e.set(m.key(), number(record.values().get(m)));
        }
        e.put(DATASET_SIZE, record.datasetSize());
        e.put(TIMESTAMP, record.timestamp());
        e.put(GIT_COMMIT, record.gitCommit());
        e.put(ENVIRONMENT, record.environment());
        e.put(GIT_DIRTY, record.gitDirty());
        putOtherMetrics(e, record);
        putSamples(e, record);
        if (!record.fingerprint().isEmpty()) {
            ObjectNode machine = e.putObject(MACHINE);
            record.fingerprint().forEach(machine::put);
        }
        record.extras().forEach((name, value) -> {
            if (KNOWN_FIELDS.contains(name)) {
                throw new IllegalArgumentException("Extra field '" + name + "' of " + record.key()
                        + " clashes with a field the baseline store writes itself; rename it");
            }
            e.set(name, sanitize(MAPPER.valueToTree(value)));
        });
        return e;
    }

    /**
     * The compact form of {@code record} kept in {@code history}: when, which commit, the figures, the samples, the
     * machine.
     */
    public static ObjectNode historyEntry(BenchmarkRecord record) {
        ObjectNode h = NODES.objectNode();
        h.put(TIMESTAMP, record.timestamp());
        h.put(GIT_COMMIT, record.gitCommit());
        h.put(GIT_DIRTY, record.gitDirty());
        h.put(ENVIRONMENT, record.environment());
        h.put(DATASET_SIZE, record.datasetSize());
        for (Metric m : GUIDE_METRICS) {
            if (finite(record, m)) {
                h.set(m.key(), number(record.values().get(m)));
            }
        }
        putOtherMetrics(h, record);
        putSamples(h, record);
        // The machine of every run: the run-to-run noise counts only runs of the current machine, and the speed
        // correction needs each run's speed (SpeedAdjustment).
        if (!record.fingerprint().isEmpty()) {
            ObjectNode machine = h.putObject(MACHINE);
            record.fingerprint().forEach(machine::put);
        }
        return h;
    }

    private static void putOtherMetrics(ObjectNode node, BenchmarkRecord record) {
        for (Metric m : Metric.values()) {
            if (!GUIDE_METRICS.contains(m) && finite(record, m)) {
                node.set(m.key(), number(record.values().get(m)));
            }
        }
    }

    private static boolean finite(BenchmarkRecord record, Metric m) {
        Double v = record.values().get(m);
        return v != null && Double.isFinite(v);
    }

    private static void putSamples(ObjectNode node, BenchmarkRecord record) {
        if (record.samples().values().stream().allMatch(List::isEmpty)) {
            return;
        }
        ObjectNode samples = node.putObject(SAMPLES);
        for (Metric m : Metric.values()) {
            List<Double> list = record.samples(m);
            if (!list.isEmpty()) {
                ArrayNode array = samples.putArray(m.key());
                list.forEach(v -> array.add(number(v)));
            }
        }
    }

    /**
     * {@code value} as a plain decimal with at least one fractional digit ({@code 100.0}, {@code 0.0000001}),
     * which reads back as the same double; {@code null} for a missing, NaN or infinite value (JSON has no NaN).
     */
    static JsonNode number(Double value) {
        if (value == null || !Double.isFinite(value)) {
            return NODES.nullNode();
        }
        return NODES.numberNode(floatDecimal(new BigDecimal(Double.toString(value)).stripTrailingZeros()));
    }

    /** Keeps a float a float for Python: {@code 1E+2} would print as the integer {@code 100}. */
    private static BigDecimal floatDecimal(BigDecimal d) {
        return d.scale() < 1 ? d.setScale(1) : d;
    }

    /**
     * Makes a tree safe to write: no NaN or infinity (null instead) and every float a plain decimal. Applied to the
     * whole file before each write, so that values taken over from other tools follow the same rules.
     */
    static JsonNode sanitize(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                o.set(name, sanitize(o.get(name)));
            }
            return o;
        }
        if (node.isArray()) {
            ArrayNode a = (ArrayNode) node;
            for (int i = 0; i < a.size(); i++) {
                a.set(i, sanitize(a.get(i)));
            }
            return a;
        }
        if (node.isDouble() || node.isFloat()) {
            return number(node.doubleValue());
        }
        if (node.isBigDecimal()) {
            return NODES.numberNode(floatDecimal(node.decimalValue()));
        }
        return node;
    }

    // ---------------------------------------------------------------- reading

    /** Thrown by the readers below for an entry that is valid JSON but not a benchmark entry. */
    static final class MalformedEntryException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedEntryException(String message) {
            super(message);
        }
    }

    /** The baseline kept in {@code entry}, the value of {@code key}. */
    static BenchmarkRecord baseline(String key, JsonNode entry) {
        ObjectNode e = object(entry, key);
        String testName = text(e, TEST_NAME, null, key);
        String loaderType = text(e, LOADER_TYPE, null, key);
        Map<String, Object> extras = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : e.properties()) {
            if (!KNOWN_FIELDS.contains(f.getKey())) {
                extras.put(f.getKey(), plain(f.getValue()));
            }
        }
        return new BenchmarkRecord(testName, loaderType, count(e, DATASET_SIZE, 0L, key), metrics(e, key),
                samples(e, key), text(e, TIMESTAMP, null, key), text(e, GIT_COMMIT, "unknown", key),
                bool(e, GIT_DIRTY, false, key), text(e, ENVIRONMENT, "local", key), machine(e, key), extras);
    }

    /**
     * The history of {@code entry}, oldest first. An entry written by the guide's tooling has none: its baseline
     * is its only known run, so it counts as the history's first element.
     */
    static ArrayNode history(String key, JsonNode entry) {
        ObjectNode e = object(entry, key);
        JsonNode h = e.get(HISTORY);
        if (h == null || h.isNull()) {
            ArrayNode seeded = NODES.arrayNode();
            seeded.add(historyEntry(baseline(key, e)));
            return seeded;
        }
        if (!h.isArray()) {
            throw new MalformedEntryException("'" + key + "." + HISTORY + "' is " + h.getNodeType()
                    + ", expected an array");
        }
        return (ArrayNode) h;
    }

    /** A history element of {@code entry} as a record; name, loader and defaults come from the entry. */
    static BenchmarkRecord historyRecord(ObjectNode entry, String key, JsonNode element, int index) {
        String where = key + "." + HISTORY + "[" + index + "]";
        ObjectNode h = object(element, where);
        Map<String, Object> extras = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : h.properties()) {
            if (!KNOWN_FIELDS.contains(f.getKey())) {
                extras.put(f.getKey(), plain(f.getValue()));
            }
        }
        return new BenchmarkRecord(text(entry, TEST_NAME, null, key), text(entry, LOADER_TYPE, null, key),
                count(h, DATASET_SIZE, count(entry, DATASET_SIZE, 0L, key), where), metrics(h, where),
                samples(h, where), text(h, TIMESTAMP, null, where), text(h, GIT_COMMIT, "unknown", where),
                bool(h, GIT_DIRTY, false, where), text(h, ENVIRONMENT, text(entry, ENVIRONMENT, "local", key), where),
                machine(h, where), extras);
    }

    private static ObjectNode object(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw new MalformedEntryException("'" + where + "' is " + (node == null ? "missing" : node.getNodeType())
                    + ", expected an object with test_name, loader_type, throughput_rows_per_sec, ...");
        }
        return (ObjectNode) node;
    }

    private static Map<Metric, Double> metrics(ObjectNode node, String where) {
        Map<Metric, Double> values = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            JsonNode v = node.get(m.key());
            if (v != null && !v.isNull()) {
                values.put(m, doubleValue(v, where + "." + m.key()));
            }
        }
        return values;
    }

    private static Map<Metric, List<Double>> samples(ObjectNode node, String where) {
        JsonNode s = node.get(SAMPLES);
        Map<Metric, List<Double>> samples = new EnumMap<>(Metric.class);
        if (s == null || s.isNull()) {
            return samples;
        }
        ObjectNode o = object(s, where + "." + SAMPLES);
        for (Metric m : Metric.values()) {
            JsonNode list = o.get(m.key());
            if (list == null || list.isNull()) {
                continue;
            }
            String field = where + "." + SAMPLES + "." + m.key();
            if (!list.isArray()) {
                throw new MalformedEntryException("'" + field + "' is " + list.getNodeType() + ", expected an array");
            }
            List<Double> values = new ArrayList<>(list.size());
            // null stands for a sample we could not write as a number (NaN): keep its place
            list.forEach(v -> values.add(v.isNull() ? Double.NaN : doubleValue(v, field)));
            samples.put(m, values);
        }
        return samples;
    }

    private static Map<String, String> machine(ObjectNode node, String where) {
        JsonNode m = node.get(MACHINE);
        Map<String, String> fingerprint = new LinkedHashMap<>();
        if (m == null || m.isNull()) {
            return fingerprint;
        }
        object(m, where + "." + MACHINE).properties()
                .forEach(f -> fingerprint.put(f.getKey(), f.getValue().isValueNode()
                        ? f.getValue().asText() : f.getValue().toString()));
        return fingerprint;
    }

    private static double doubleValue(JsonNode v, String field) {
        if (!v.isNumber()) {
            throw new MalformedEntryException("'" + field + "' is " + v.getNodeType() + " " + v
                    + ", expected a number");
        }
        double d = v.doubleValue();
        // NaN and Infinity come only from their own tokens (Python writes them); a decimal must fit a double
        if (Double.isInfinite(d) && v.isBigDecimal()) {
            throw new MalformedEntryException("'" + field + "' is " + v + ", out of the range of a number the store "
                    + "keeps (a double)");
        }
        return d;
    }

    private static String text(ObjectNode node, String name, String dflt, String where) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            if (dflt == null) {
                throw new MalformedEntryException("'" + where + "' has no " + name);
            }
            return dflt;
        }
        if (!v.isTextual()) {
            throw new MalformedEntryException("'" + where + "." + name + "' is " + v.getNodeType() + " " + v
                    + ", expected a string");
        }
        return v.asText();
    }

    /** A count (dataset_size): a whole number from 0 to {@link Long#MAX_VALUE}; {@code 1000.0} is 1000. */
    private static long count(ObjectNode node, String name, long dflt, String where) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        BigDecimal d = v.isBigDecimal() || v.isIntegralNumber() ? v.decimalValue() : null;
        if (d == null || d.signum() < 0 || d.stripTrailingZeros().scale() > 0
                || d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new MalformedEntryException("'" + where + "." + name + "' is " + v.getNodeType() + " " + v
                    + ", expected a whole number from 0 to " + Long.MAX_VALUE);
        }
        return d.longValueExact();
    }

    private static boolean bool(ObjectNode node, String name, boolean dflt, String where) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new MalformedEntryException("'" + where + "." + name + "' is " + v.getNodeType() + " " + v
                    + ", expected true or false");
        }
        return v.booleanValue();
    }

    /** A JSON value as plain Java (Map, List, String, Double/Integer/Long, Boolean, null) for the record's extras. */
    private static Object plain(JsonNode value) {
        if (value.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            value.properties().forEach(f -> map.put(f.getKey(), plain(f.getValue())));
            return map;
        }
        if (value.isArray()) {
            List<Object> list = new ArrayList<>(value.size());
            value.forEach(v -> list.add(plain(v)));
            return list;
        }
        if (value.isFloatingPointNumber()) {
            // callers put doubles in; the exact decimal stays in the file until the entry is replaced
            return value.doubleValue();
        }
        if (value.isNumber()) {
            return value.numberValue();
        }
        if (value.isNull()) {
            return null;
        }
        return value.isBoolean() ? value.booleanValue() : value.asText();
    }
}
