package org.loadperf.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.resps.Tuple;

/**
 * Random Arrow schemas of every type the loader encodes (nulls and edge values included), loaded into every structure
 * and read back through Jedis, compared with what the documented encoding says, computed here with java.time,
 * BigDecimal, Base64 and Jackson.
 */
class RedisRoundTripTest {

    private static final int SCHEMAS = 4;
    private static final int ROWS = 40;
    private static RedisTestServer server;
    private static BufferAllocator allocator;
    private String prefix;

    @BeforeAll
    static void start() {
        server = RedisTestServer.shared();
        allocator = new RootAllocator();
    }

    @AfterAll
    static void closeAllocator() {
        allocator.close();
    }

    @BeforeEach
    void uniquePrefix() {
        prefix = "lprtt_" + UUID.randomUUID().toString().substring(0, 8) + "_";
    }

    @AfterEach
    void cleanUp() {
        server.deleteKeys(prefix);
    }

    /** One column: its vector, and per row the expected text form (null for a null) and JSON value. */
    private record Column(FieldVector vector, List<byte[]> text, List<JsonNode> json) {
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @ParameterizedTest
    @EnumSource(value = DataStructure.class)
    void randomSchemasReadBackAsEncoded(DataStructure structure) throws Exception {
        if (structure == DataStructure.JSON && !hasRedisJson()) {
            return;
        }
        for (int s = 0; s < SCHEMAS; s++) {
            long seed = structure.ordinal() * 1000L + s;
            Random random = new Random(seed);
            List<Column> columns = new ArrayList<>();
            columns.add(keyColumn(random));
            int n = 1 + random.nextInt(12);
            for (int c = 0; c < n; c++) {
                columns.add(randomColumn(random, c));
            }
            String table = prefix + structure.configName() + s;
            List<FieldVector> vectors = columns.stream().map(Column::vector).toList();
            try (VectorSchemaRoot root = new VectorSchemaRoot(vectors);
                 ArrowReader reader = read(root);
                 Loader loader = new RedisProviderLoader(structure).open()) {
                assertThat(loader.loadTable(reader, table, LoadMode.APPEND).rowsLoaded()).isEqualTo(ROWS);
            }
            check(structure, table, columns, "seed " + seed + ", schema " + vectors.stream()
                    .map(v -> v.getName() + " " + v.getField().getType()).toList());
        }
    }

    private static ArrowReader read(VectorSchemaRoot root) {
        root.setRowCount(ROWS);
        return Expected.reader(allocator, root, 17);
    }

    /** Creates the loader for one structure: key {table}:{k}, small batches and windows. */
    private record RedisProviderLoader(DataStructure structure) {
        Loader open() {
            return new RedisLoaderProvider().create(server.loaderConfig().with("data_structure", structure.configName())
                    .with("key_pattern", "{table}:{k}").with("batch_size", 7).with("pipeline_size", 5));
        }
    }

    private static boolean hasRedisJson() {
        try (Jedis j = server.jedis()) {
            Object info = j.sendCommand(Protocol.Command.COMMAND, "INFO".getBytes(StandardCharsets.US_ASCII),
                    "JSON.SET".getBytes(StandardCharsets.US_ASCII));
            return info instanceof List<?> l && !l.isEmpty() && l.get(0) != null;
        }
    }

    @SuppressWarnings("unchecked")
    private static void check(DataStructure structure, String table, List<Column> columns, String what) {
        try (Jedis j = server.jedis()) {
            switch (structure) {
                case HASH -> {
                    for (int row = 0; row < ROWS; row++) {
                        Map<String, byte[]> actual = new LinkedHashMap<>();
                        j.hgetAll(key(table, columns, row)).forEach((k, v) -> actual.put(utf8(k), v));
                        assertFields(actual, fields(columns, row), what + ", row " + row);
                    }
                }
                case STRING -> {
                    for (int row = 0; row < ROWS; row++) {
                        assertThat(Expected.parse(j.get(key(table, columns, row)))).as("%s, row %d", what, row)
                                .isEqualTo(json(columns, row));
                    }
                }
                case JSON -> {
                    for (int row = 0; row < ROWS; row++) {
                        byte[] doc = (byte[]) j.sendCommand(() -> "JSON.GET".getBytes(StandardCharsets.US_ASCII),
                                key(table, columns, row));
                        assertThat(Expected.parse(doc)).as("%s, row %d", what, row).isEqualTo(json(columns, row));
                    }
                }
                case SORTED_SET -> {
                    List<Tuple> members = j.zrangeWithScores(bytes(table + ":zset"), 0, -1);
                    assertThat(members).as(what).hasSize(ROWS);
                    for (int row = 0; row < ROWS; row++) {
                        assertThat(members.get(row).getScore()).isEqualTo(row);
                        assertThat(Expected.parse(members.get(row).getBinaryElement())).as("%s, row %d", what, row)
                                .isEqualTo(json(columns, row));
                    }
                }
                case SET -> {
                    List<JsonNode> expected = new ArrayList<>();
                    for (int row = 0; row < ROWS; row++) {
                        expected.add(json(columns, row));
                    }
                    assertThat(new HashSet<>(j.smembers(bytes(table + ":set")).stream().map(Expected::parse).toList()))
                            .as(what).isEqualTo(new HashSet<>(expected));
                }
                case LIST -> {
                    List<byte[]> items = j.lrange(bytes(table + ":list"), 0, -1);
                    assertThat(items).as(what).hasSize(ROWS);
                    for (int row = 0; row < ROWS; row++) {
                        assertThat(Expected.parse(items.get(row))).as("%s, row %d", what, row)
                                .isEqualTo(json(columns, row));
                    }
                }
                case STREAM -> {
                    List<Object> entries = (List<Object>) j.sendCommand(Protocol.Command.XRANGE, bytes(table + ":stream"),
                            bytes("-"), bytes("+"));
                    assertThat(entries).as(what).hasSize(ROWS);
                    for (int row = 0; row < ROWS; row++) {
                        List<Object> flat = (List<Object>) ((List<Object>) entries.get(row)).get(1);
                        Map<String, byte[]> actual = new LinkedHashMap<>();
                        for (int f = 0; f < flat.size(); f += 2) {
                            actual.put(utf8((byte[]) flat.get(f)), (byte[]) flat.get(f + 1));
                        }
                        assertFields(actual, fields(columns, row), what + ", row " + row);
                    }
                }
            }
        }
    }

    private static void assertFields(Map<String, byte[]> actual, Map<String, byte[]> expected, String what) {
        assertThat(actual.keySet()).as(what).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((name, value) -> assertThat(actual.get(name)).as("%s, column %s", what, name).isEqualTo(value));
    }

    private static byte[] key(String table, List<Column> columns, int row) {
        ByteArrayBuilder b = new ByteArrayBuilder();
        b.add(bytes(table + ":"));
        b.add(columns.get(0).text().get(row));
        return b.bytes();
    }

    private static Map<String, byte[]> fields(List<Column> columns, int row) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (Column c : columns) {
            if (c.text().get(row) != null) {
                m.put(c.vector().getName(), c.text().get(row));
            }
        }
        return m;
    }

    private static JsonNode json(List<Column> columns, int row) {
        ObjectNode o = NODES.objectNode();
        for (Column c : columns) {
            o.set(c.vector().getName(), c.json().get(row));
        }
        // As Jackson reads JSON text: numbers as the narrowest node that holds them.
        try {
            return Expected.parse(Expected.JSON.writeValueAsBytes(o));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The key column {@code k}: unique utf8 values, some holding ':'. */
    private static Column keyColumn(Random random) {
        VarCharVector v = new VarCharVector("k", allocator);
        List<byte[]> text = new ArrayList<>();
        List<JsonNode> json = new ArrayList<>();
        for (int row = 0; row < ROWS; row++) {
            String s = row + (random.nextBoolean() ? ":" + randomText(random, 4) : "");
            v.setSafe(row, bytes(s));
            text.add(bytes(s));
            json.add(NODES.textNode(s));
        }
        v.setValueCount(ROWS);
        return new Column(v, text, json);
    }

    private static final String[] TYPES = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float32", "float64", "bool", "utf8", "large_utf8", "binary", "large_binary", "fixed_binary", "date32", "date64",
        "time_s", "time_ms", "time_us", "time_ns", "ts_s", "ts_ms", "ts_us", "ts_ns", "decimal", "decimal256", "null"};

    private static Column randomColumn(Random random, int index) {
        String type = TYPES[random.nextInt(TYPES.length)];
        boolean tz = random.nextBoolean();
        // Names as JSON and hashes must carry them: quotes, backslashes, unicode.
        String name = switch (index % 4) {
            case 1 -> "c" + index + "_" + type + "\"q\\";
            case 2 -> "c" + index + "_é日_" + type;
            default -> "c" + index + "_" + type;
        };
        double nulls = random.nextInt(3) * 0.2;
        FieldVector v = vector(type, name, tz);
        List<byte[]> text = new ArrayList<>();
        List<JsonNode> json = new ArrayList<>();
        for (int row = 0; row < ROWS; row++) {
            if ("null".equals(type) || random.nextDouble() < nulls) {
                if (!(v instanceof NullVector)) {
                    v.setNull(row);
                }
                text.add(null);
                json.add(NODES.nullNode());
                continue;
            }
            boolean edge = random.nextInt(4) == 0;
            set(v, type, row, random, edge, tz, text, json);
        }
        v.setValueCount(ROWS);
        return new Column(v, text, json);
    }

    private static FieldVector vector(String type, String name, boolean tz) {
        ArrowType t = switch (type) {
            case "int8" -> new ArrowType.Int(8, true);
            case "int16" -> new ArrowType.Int(16, true);
            case "int32" -> new ArrowType.Int(32, true);
            case "int64" -> new ArrowType.Int(64, true);
            case "uint8" -> new ArrowType.Int(8, false);
            case "uint16" -> new ArrowType.Int(16, false);
            case "uint32" -> new ArrowType.Int(32, false);
            case "uint64" -> new ArrowType.Int(64, false);
            case "float32" -> new ArrowType.FloatingPoint(org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE);
            case "float64" -> new ArrowType.FloatingPoint(org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE);
            case "bool" -> ArrowType.Bool.INSTANCE;
            case "utf8" -> ArrowType.Utf8.INSTANCE;
            case "large_utf8" -> ArrowType.LargeUtf8.INSTANCE;
            case "binary" -> ArrowType.Binary.INSTANCE;
            case "large_binary" -> ArrowType.LargeBinary.INSTANCE;
            case "fixed_binary" -> new ArrowType.FixedSizeBinary(4);
            case "date32" -> new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.DAY);
            case "date64" -> new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.MILLISECOND);
            case "time_s" -> new ArrowType.Time(TimeUnit.SECOND, 32);
            case "time_ms" -> new ArrowType.Time(TimeUnit.MILLISECOND, 32);
            case "time_us" -> new ArrowType.Time(TimeUnit.MICROSECOND, 64);
            case "time_ns" -> new ArrowType.Time(TimeUnit.NANOSECOND, 64);
            case "ts_s" -> new ArrowType.Timestamp(TimeUnit.SECOND, tz ? "UTC" : null);
            case "ts_ms" -> new ArrowType.Timestamp(TimeUnit.MILLISECOND, tz ? "Europe/Paris" : null);
            case "ts_us" -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, tz ? "UTC" : null);
            case "ts_ns" -> new ArrowType.Timestamp(TimeUnit.NANOSECOND, tz ? "UTC" : null);
            case "decimal" -> new ArrowType.Decimal(38, 9, 128);
            case "decimal256" -> new ArrowType.Decimal(60, 0, 256);
            default -> ArrowType.Null.INSTANCE;
        };
        FieldVector v = FieldType.nullable(t).createNewSingleVector(name, allocator, null);
        v.allocateNew();
        return v;
    }

    private static final long[] SIGNED_EDGES = {0, -1, 1};

    private static void set(FieldVector v, String type, int row, Random r, boolean edge, boolean tz, List<byte[]> text,
                            List<JsonNode> json) {
        switch (type) {
            case "int8", "int16", "int32", "int64" -> {
                int bits = Integer.parseInt(type.substring(3));
                long min = bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1));
                long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
                long x = edge ? new long[] {min, max, SIGNED_EDGES[r.nextInt(3)]}[r.nextInt(3)]
                        : bits == 64 ? r.nextLong() : min + (long) (r.nextDouble() * (max - min));
                switch (bits) {
                    case 8 -> ((TinyIntVector) v).setSafe(row, (byte) x);
                    case 16 -> ((SmallIntVector) v).setSafe(row, (short) x);
                    case 32 -> ((IntVector) v).setSafe(row, (int) x);
                    default -> ((BigIntVector) v).setSafe(row, x);
                }
                number(Long.toString(x), text, json);
            }
            case "uint8", "uint16", "uint32", "uint64" -> {
                int bits = Integer.parseInt(type.substring(4));
                BigInteger max = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
                BigInteger x = edge ? (r.nextBoolean() ? max : BigInteger.ZERO)
                        : new BigInteger(bits, r);
                switch (bits) {
                    case 8 -> ((UInt1Vector) v).setSafe(row, x.intValue());
                    case 16 -> ((UInt2Vector) v).setSafe(row, x.intValue());
                    case 32 -> ((UInt4Vector) v).setSafe(row, x.intValue());
                    default -> ((UInt8Vector) v).setSafe(row, x.longValue());
                }
                number(x.toString(), text, json);
            }
            case "float32" -> {
                float[] edges = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE,
                    Float.MAX_VALUE, 0.1f};
                float x = edge ? edges[r.nextInt(edges.length)] : (float) (r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10));
                ((Float4Vector) v).setSafe(row, x);
                floating(Float.toString(x), Float.isFinite(x), text, json);
            }
            case "float64" -> {
                double[] edges = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE,
                    Double.MAX_VALUE, 1e-5, 0.1 + 0.2};
                double x = edge ? edges[r.nextInt(edges.length)] : r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
                ((Float8Vector) v).setSafe(row, x);
                floating(Double.toString(x), Double.isFinite(x), text, json);
            }
            case "bool" -> {
                boolean b = r.nextBoolean();
                ((BitVector) v).setSafe(row, b ? 1 : 0);
                text.add(bytes(b ? "1" : "0"));
                json.add(NODES.booleanNode(b));
            }
            case "utf8", "large_utf8" -> {
                String s = edge ? new String[] {"", "\u0000\u001f\u007f", "\"\\/\b\f\n\r\t", "\u2028\u2029 😀 𝄞",
                    "a:b:c"}[r.nextInt(5)] : randomText(r, r.nextInt(30));
                if (v instanceof VarCharVector vc) {
                    vc.setSafe(row, bytes(s));
                } else {
                    ((LargeVarCharVector) v).setSafe(row, bytes(s));
                }
                text.add(bytes(s));
                json.add(NODES.textNode(s));
            }
            case "binary", "large_binary", "fixed_binary" -> {
                byte[] b = new byte[v instanceof FixedSizeBinaryVector ? 4 : edge ? 0 : r.nextInt(40)];
                r.nextBytes(b);
                if (v instanceof VarBinaryVector vb) {
                    vb.setSafe(row, b);
                } else if (v instanceof LargeVarBinaryVector lb) {
                    lb.setSafe(row, b);
                } else {
                    ((FixedSizeBinaryVector) v).setSafe(row, b);
                }
                text.add(b);
                json.add(NODES.textNode(Base64.getEncoder().encodeToString(b)));
            }
            case "date32" -> {
                int[] edges = {0, -1, -719_528, 2_932_896, 2_932_897, -719_529, Integer.MIN_VALUE, Integer.MAX_VALUE};
                int d = edge ? edges[r.nextInt(edges.length)] : r.nextInt(2_932_896 + 719_528) - 719_528;
                ((DateDayVector) v).setSafe(row, d);
                string(LocalDate.ofEpochDay(d).toString(), text, json);
            }
            case "date64" -> {
                long day = edge ? new long[] {0, -1, -719_529, 2_932_897, 100_000_000}[r.nextInt(5)]
                        : r.nextInt(2_932_896 + 719_528) - 719_528;
                long ms = day * 86_400_000L + (edge ? 0 : r.nextInt(86_400_000));
                ((DateMilliVector) v).setSafe(row, ms);
                string(LocalDate.ofEpochDay(Math.floorDiv(ms, 86_400_000L)).toString(), text, json);
            }
            case "time_s", "time_ms", "time_us", "time_ns" -> {
                TimeUnit unit = ((ArrowType.Time) v.getField().getType()).getUnit();
                long perDay = 86_400L * perSecond(unit);
                long x = edge ? (r.nextBoolean() ? 0 : perDay - 1) : Math.floorMod(r.nextLong(), perDay);
                switch (unit) {
                    case SECOND -> ((TimeSecVector) v).setSafe(row, (int) x);
                    case MILLISECOND -> ((TimeMilliVector) v).setSafe(row, (int) x);
                    case MICROSECOND -> ((TimeMicroVector) v).setSafe(row, x);
                    default -> ((TimeNanoVector) v).setSafe(row, x);
                }
                LocalTime t = LocalTime.ofNanoOfDay(x * (1_000_000_000L / perSecond(unit)));
                string(t.format(DateTimeFormatter.ofPattern("HH:mm:ss" + fraction(unit))), text, json);
            }
            case "ts_s", "ts_ms", "ts_us", "ts_ns" -> {
                TimeUnit unit = ((ArrowType.Timestamp) v.getField().getType()).getUnit();
                long per = perSecond(unit);
                // Seconds within java.time's range (years -999999999..999999999); the other units' whole long range.
                long limit = unit == TimeUnit.SECOND ? 31_556_889_832_780_799L : Long.MAX_VALUE;
                long[] edges = {0, -1, 1, limit, unit == TimeUnit.SECOND ? -31_557_014_135_596_800L : Long.MIN_VALUE,
                    253_402_300_799L * per, -62_167_219_200L * per - 1};
                long x = edge ? edges[r.nextInt(edges.length)]
                        : (long) ((r.nextDouble() * 2 - 1) * 4e11) * (per / Math.min(per, 1000)) + r.nextInt(1000);
                ((TimeStampVector) v).setSafe(row, x);
                LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(x, per),
                        (int) (Math.floorMod(x, per) * (1_000_000_000L / per)), ZoneOffset.UTC);
                String iso = t.toLocalDate() + "T" + t.toLocalTime().format(DateTimeFormatter.ofPattern("HH:mm:ss"
                        + fraction(unit))) + (tz ? "Z" : "");
                text.add(bytes(Long.toString(x)));
                json.add(NODES.textNode(iso));
            }
            case "decimal", "decimal256" -> {
                ArrowType.Decimal d = (ArrowType.Decimal) v.getField().getType();
                BigInteger unscaled = edge
                        ? BigInteger.TEN.pow(d.getPrecision()).subtract(BigInteger.ONE).multiply(
                                BigInteger.valueOf(r.nextBoolean() ? 1 : -1))
                        : new BigInteger(d.getPrecision() * 3, r).mod(BigInteger.TEN.pow(d.getPrecision()))
                                .multiply(BigInteger.valueOf(r.nextBoolean() ? 1 : -1));
                BigDecimal x = new BigDecimal(unscaled, d.getScale());
                if (v instanceof DecimalVector dv) {
                    dv.setSafe(row, x);
                } else {
                    ((Decimal256Vector) v).setSafe(row, x);
                }
                string(x.toPlainString(), text, json);
            }
            default -> throw new IllegalStateException(type);
        }
    }

    private static long perSecond(TimeUnit unit) {
        return switch (unit) {
            case SECOND -> 1;
            case MILLISECOND -> 1_000;
            case MICROSECOND -> 1_000_000;
            case NANOSECOND -> 1_000_000_000;
        };
    }

    private static String fraction(TimeUnit unit) {
        return switch (unit) {
            case SECOND -> "";
            case MILLISECOND -> ".SSS";
            case MICROSECOND -> ".SSSSSS";
            case NANOSECOND -> ".SSSSSSSSS";
        };
    }

    private static void number(String digits, List<byte[]> text, List<JsonNode> json) {
        text.add(bytes(digits));
        json.add(NODES.numberNode(new BigDecimal(digits)));
    }

    private static void floating(String s, boolean finite, List<byte[]> text, List<JsonNode> json) {
        text.add(bytes(s));
        json.add(finite ? Expected.parse(bytes(s)) : NODES.textNode(s));
    }

    private static void string(String s, List<byte[]> text, List<JsonNode> json) {
        text.add(bytes(s));
        json.add(NODES.textNode(s));
    }

    private static String randomText(Random r, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = r.nextInt(6);
            sb.appendCodePoint(switch (kind) {
                case 0 -> r.nextInt(32);
                case 1 -> 0x4E00 + r.nextInt(100);
                case 2 -> 0x1F600 + r.nextInt(50);
                case 3 -> ":\"\\{}".charAt(r.nextInt(5));
                default -> 'a' + r.nextInt(26);
            });
        }
        return sb.toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Concatenates byte arrays. */
    private static final class ByteArrayBuilder {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

        void add(byte[] b) {
            out.writeBytes(b);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
