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
import org.apache.arrow.vector.DecimalVector;
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
        "struct", "map"};

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
                StructVector s = (StructVector) v;
                Map<String, Object> m = new LinkedHashMap<>();
                BigIntVector a = (BigIntVector) s.getChild("a");
                VarCharVector b = (VarCharVector) s.getChild("b");
                s.setIndexDefined(r);
                if (random.nextInt(5) == 0) {
                    a.setNull(r);
                    m.put("a", null);
                } else {
                    long x = random.nextLong();
                    a.setSafe(r, x);
                    m.put("a", x);
                }
                String y = "b" + random.nextInt(50);
                b.setSafe(r, y.getBytes(StandardCharsets.UTF_8));
                m.put("b", y);
                return m;
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
            default:
                throw new IllegalArgumentException(kind);
        }
    }

    static VectorSchemaRoot root(Schema schema, BufferAllocator allocator) {
        return VectorSchemaRoot.create(schema, allocator);
    }
}
