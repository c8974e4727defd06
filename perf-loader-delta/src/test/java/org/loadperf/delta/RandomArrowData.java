package org.loadperf.delta;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.TimeStampSecVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.complex.impl.UnionMapWriter;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Random Arrow schemas and values (seeded), with the value every cell must read back as through
 * {@link DeltaTables#value}. Every type Delta has is in the pool; about 15% of cells are null.
 */
final class RandomArrowData {

    static final String[] KINDS = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "float32",
        "float64", "decimal", "bool", "utf8", "binary", "date", "timestamp_tz", "timestamp_ntz_ms", "list",
        "struct", "map",
        // Every other Arrow layout the loader's Parquet writer reads: decimals stored as INT32 and as fixed-length
        // bytes, 256-bit decimals, 64-bit offsets, fixed widths, half floats, s/ns/ms units, nesting in lists.
        "decimal9", "decimal30", "decimal256", "large_utf8", "fixed_binary", "float16", "timestamp_ns_tz",
        "timestamp_s_ntz", "date_ms", "large_list", "fixed_list", "list_of_struct"};

    final Schema schema;
    final List<String> kinds;
    private final Random random;

    RandomArrowData(long seed, int columns) {
        random = new Random(seed);
        List<Field> fields = new ArrayList<>();
        List<String> k = new ArrayList<>();
        for (int i = 0; i < columns; i++) {
            String kind = i < KINDS.length ? KINDS[i] : KINDS[random.nextInt(KINDS.length)];
            k.add(kind);
            fields.add(field("c" + i + "_" + kind, kind));
        }
        kinds = k;
        schema = new Schema(fields);
    }

    static Field field(String name, String kind) {
        FieldType n = FieldType.nullable(type(kind));
        switch (kind) {
            case "list":
                return new Field(name, n, List.of(Field.nullable("element", new ArrowType.Int(32, true))));
            case "struct":
                return new Field(name, n, List.of(Field.nullable("a", new ArrowType.Int(64, true)),
                        Field.nullable("b", ArrowType.Utf8.INSTANCE)));
            case "large_list":
            case "fixed_list":
                return new Field(name, n, List.of(Field.nullable("element", new ArrowType.Int(64, true))));
            case "list_of_struct":
                return new Field(name, n, List.of(new Field("element", FieldType.nullable(ArrowType.Struct.INSTANCE),
                        List.of(Field.nullable("a", new ArrowType.Int(64, true)),
                                Field.nullable("b", ArrowType.Utf8.INSTANCE)))));
            case "map":
                return new Field(name, n, List.of(new Field("entries", FieldType.notNullable(ArrowType.Struct.INSTANCE),
                        List.of(Field.notNullable("key", ArrowType.Utf8.INSTANCE),
                                Field.nullable("value", new ArrowType.Int(32, true))))));
            default:
                return new Field(name, n, null);
        }
    }

    static ArrowType type(String kind) {
        switch (kind) {
            case "int8": return new ArrowType.Int(8, true);
            case "int16": return new ArrowType.Int(16, true);
            case "int32": return new ArrowType.Int(32, true);
            case "int64": return new ArrowType.Int(64, true);
            case "uint8": return new ArrowType.Int(8, false);
            case "uint16": return new ArrowType.Int(16, false);
            case "uint32": return new ArrowType.Int(32, false);
            case "uint64": return new ArrowType.Int(64, false);
            case "float32": return new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
            case "float64": return new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
            case "decimal": return new ArrowType.Decimal(18, 3, 128);
            case "bool": return ArrowType.Bool.INSTANCE;
            case "utf8": return ArrowType.Utf8.INSTANCE;
            case "binary": return ArrowType.Binary.INSTANCE;
            case "date": return new ArrowType.Date(DateUnit.DAY);
            case "timestamp_tz": return new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
            case "timestamp_ntz_ms": return new ArrowType.Timestamp(TimeUnit.MILLISECOND, null);
            case "list": return ArrowType.List.INSTANCE;
            case "struct": return ArrowType.Struct.INSTANCE;
            case "map": return new ArrowType.Map(false);
            case "decimal9": return new ArrowType.Decimal(9, 2, 128);
            case "decimal30": return new ArrowType.Decimal(30, 5, 128);
            case "decimal256": return new ArrowType.Decimal(38, 10, 256);
            case "large_utf8": return ArrowType.LargeUtf8.INSTANCE;
            case "fixed_binary": return new ArrowType.FixedSizeBinary(4);
            case "float16": return new ArrowType.FloatingPoint(FloatingPointPrecision.HALF);
            case "timestamp_ns_tz": return new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC");
            case "timestamp_s_ntz": return new ArrowType.Timestamp(TimeUnit.SECOND, null);
            case "date_ms": return new ArrowType.Date(DateUnit.MILLISECOND);
            case "large_list": return ArrowType.LargeList.INSTANCE;
            case "fixed_list": return new ArrowType.FixedSizeList(2);
            case "list_of_struct": return ArrowType.List.INSTANCE;
            default: throw new IllegalArgumentException(kind);
        }
    }

    /** Fills {@code root} with {@code rows} random rows and returns what each row must read back as. */
    List<Map<String, Object>> fill(VectorSchemaRoot root, int rows) {
        List<Map<String, Object>> expected = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            expected.add(new LinkedHashMap<>());
        }
        root.allocateNew();
        for (int c = 0; c < kinds.size(); c++) {
            FieldVector v = root.getVector(c);
            String name = v.getName();
            for (int r = 0; r < rows; r++) {
                boolean isNull = random.nextInt(100) < 15;
                expected.get(r).put(name, isNull ? null : set(v, kinds.get(c), r));
            }
            v.setValueCount(rows);
        }
        root.setRowCount(rows);
        return expected;
    }

    private Object set(FieldVector v, String kind, int r) {
        switch (kind) {
            case "int8": { byte x = (byte) random.nextInt(); ((TinyIntVector) v).setSafe(r, x); return x; }
            case "int16": { short x = (short) random.nextInt(); ((SmallIntVector) v).setSafe(r, x); return x; }
            case "int32": { int x = random.nextInt(); ((IntVector) v).setSafe(r, x); return x; }
            case "int64": { long x = random.nextLong(); ((BigIntVector) v).setSafe(r, x); return x; }
            case "uint8": { int x = random.nextInt(256); ((UInt1Vector) v).setSafe(r, x); return (short) x; }
            case "uint16": { int x = random.nextInt(65536); ((UInt2Vector) v).setSafe(r, x); return x; }
            case "uint32": {
                long x = random.nextLong() & 0xFFFF_FFFFL;
                ((UInt4Vector) v).setSafe(r, (int) x);
                return x;
            }
            case "float32": { float x = random.nextFloat() * 1e6f; ((Float4Vector) v).setSafe(r, x); return x; }
            case "float64": { double x = random.nextGaussian() * 1e9; ((Float8Vector) v).setSafe(r, x); return x; }
            case "decimal": {
                BigDecimal x = BigDecimal.valueOf(random.nextLong() % 1_000_000_000_000_000L, 3);
                ((DecimalVector) v).setSafe(r, x);
                return x;
            }
            case "bool": { boolean x = random.nextBoolean(); ((BitVector) v).setSafe(r, x ? 1 : 0); return x; }
            case "utf8": {
                String x = "s" + random.nextInt(1000) + (random.nextBoolean() ? "é☃" : "");
                ((VarCharVector) v).setSafe(r, x.getBytes(StandardCharsets.UTF_8));
                return x;
            }
            case "binary": {
                byte[] x = new byte[random.nextInt(8)];
                random.nextBytes(x);
                ((VarBinaryVector) v).setSafe(r, x);
                return Arrays.toString(x);
            }
            case "date": { int x = random.nextInt(40000) - 5000; ((DateDayVector) v).setSafe(r, x); return x; }
            case "timestamp_tz": {
                long x = random.nextLong() % 4_000_000_000_000_000L;
                ((TimeStampMicroTZVector) v).setSafe(r, x);
                return x;
            }
            case "timestamp_ntz_ms": {
                long x = random.nextLong() % 4_000_000_000_000L;
                ((TimeStampMilliVector) v).setSafe(r, x);
                return x * 1000;
            }
            case "list": {
                UnionListWriter w = ((ListVector) v).getWriter();
                w.setPosition(r);
                w.startList();
                List<Object> l = new ArrayList<>();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (random.nextInt(10) == 0) {
                        w.writeNull();
                        l.add(null);
                    } else {
                        int x = random.nextInt(100);
                        w.integer().writeInt(x);
                        l.add(x);
                    }
                }
                w.endList();
                return l;
            }
            case "struct": {
                return setStruct((StructVector) v, r, "b", 50);
            }
            case "map": {
                UnionMapWriter w = ((MapVector) v).getWriter();
                w.setPosition(r);
                w.startMap();
                Map<Object, Object> m = new LinkedHashMap<>();
                int n = random.nextInt(3);
                for (int i = 0; i < n; i++) {
                    String key = "k" + i;
                    w.startEntry();
                    byte[] kb = key.getBytes(StandardCharsets.UTF_8);
                    try (org.apache.arrow.memory.ArrowBuf buf = v.getAllocator().buffer(kb.length)) {
                        buf.setBytes(0, kb);
                        w.key().varChar().writeVarChar(0, kb.length, buf);
                    }
                    if (random.nextInt(4) == 0) {
                        w.value().integer().writeNull();
                        m.put(key, null);
                    } else {
                        int x = random.nextInt();
                        w.value().integer().writeInt(x);
                        m.put(key, x);
                    }
                    w.endEntry();
                }
                w.endMap();
                return m;
            }
            case "decimal9": {
                BigDecimal x = BigDecimal.valueOf(random.nextInt(2_000_000_000) - 1_000_000_000, 2);
                ((DecimalVector) v).setSafe(r, x);
                return x;
            }
            case "decimal30": {
                BigDecimal x = new BigDecimal(new java.math.BigInteger(96, random), 5);
                x = random.nextBoolean() ? x.negate() : x;
                ((DecimalVector) v).setSafe(r, x);
                return x;
            }
            case "decimal256": {
                BigDecimal x = new BigDecimal(new java.math.BigInteger(120, random), 10);
                x = random.nextBoolean() ? x.negate() : x;
                ((Decimal256Vector) v).setSafe(r, x);
                return x;
            }
            case "large_utf8": {
                String x = "L" + random.nextInt(100_000) + (random.nextBoolean() ? "ü" : "");
                ((LargeVarCharVector) v).setSafe(r, x.getBytes(StandardCharsets.UTF_8));
                return x;
            }
            case "fixed_binary": {
                byte[] x = new byte[4];
                random.nextBytes(x);
                ((FixedSizeBinaryVector) v).setSafe(r, x);
                return Arrays.toString(x);
            }
            case "float16": {
                // Values a half float holds exactly, so the expected float is the stored one.
                float x = (random.nextInt(2001) - 1000) / 4f;
                ((Float2Vector) v).setSafeWithPossibleTruncate(r, x);
                return x;
            }
            case "timestamp_ns_tz": {
                long x = random.nextLong() % 4_000_000_000_000_000_000L;
                ((TimeStampNanoTZVector) v).setSafe(r, x);
                return Math.floorDiv(x, 1000L);
            }
            case "timestamp_s_ntz": {
                long x = random.nextLong() % 4_000_000_000L;
                ((TimeStampSecVector) v).setSafe(r, x);
                return x * 1_000_000L;
            }
            case "date_ms": {
                int days = random.nextInt(40000) - 5000;
                ((DateMilliVector) v).setSafe(r, days * 86_400_000L);
                return days;
            }
            case "large_list": {
                LargeListVector l = (LargeListVector) v;
                BigIntVector data = (BigIntVector) l.getDataVector();
                long start = l.startNewValue(r);
                List<Object> out = new ArrayList<>();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    long x = random.nextLong();
                    data.setSafe((int) start + i, x);
                    out.add(x);
                }
                l.endValue(r, n);
                return out;
            }
            case "fixed_list": {
                FixedSizeListVector l = (FixedSizeListVector) v;
                BigIntVector data = (BigIntVector) l.getDataVector();
                int start = l.startNewValue(r);
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    if (random.nextInt(8) == 0) {
                        data.setNull(start + i);
                        out.add(null);
                    } else {
                        long x = random.nextLong();
                        data.setSafe(start + i, x);
                        out.add(x);
                    }
                }
                return out;
            }
            case "list_of_struct": {
                ListVector l = (ListVector) v;
                StructVector data = (StructVector) l.getDataVector();
                int start = l.startNewValue(r);
                List<Object> out = new ArrayList<>();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (random.nextInt(6) == 0) {
                        data.setNull(start + i);
                        out.add(null);
                    } else {
                        out.add(setStruct(data, start + i, "e", 20));
                    }
                }
                l.endValue(r, n);
                return out;
            }
            default:
                throw new IllegalArgumentException(kind);
        }
    }

    /** Sets struct {@code at} of {@code s} (fields a: int64, 20% null; b: utf8) and returns its expected value. */
    private Map<String, Object> setStruct(StructVector s, int at, String prefix, int distinct) {
        Map<String, Object> m = new LinkedHashMap<>();
        BigIntVector a = (BigIntVector) s.getChild("a");
        VarCharVector b = (VarCharVector) s.getChild("b");
        s.setIndexDefined(at);
        if (random.nextInt(5) == 0) {
            a.setNull(at);
            m.put("a", null);
        } else {
            long x = random.nextLong();
            a.setSafe(at, x);
            m.put("a", x);
        }
        String y = prefix + random.nextInt(distinct);
        b.setSafe(at, y.getBytes(StandardCharsets.UTF_8));
        m.put("b", y);
        return m;
    }

    static VectorSchemaRoot root(Schema schema, BufferAllocator allocator) {
        return VectorSchemaRoot.create(schema, allocator);
    }
}
