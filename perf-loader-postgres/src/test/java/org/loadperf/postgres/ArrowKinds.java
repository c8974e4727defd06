package org.loadperf.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.util.Float16;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
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
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Test-side knowledge of each Arrow type the loader supports: how to make a field, random values (with extremes,
 * NULL-free: the test adds NULLs), how to put a value into a vector, and how to read the stored value back through
 * JDBC as the same Java value. Values use plain Java types: Long for integers, BigInteger for uint64, Float/Double,
 * BigDecimal, String, ByteBuffer for bytes, LocalDate/LocalTime/LocalDateTime/Instant, List, and JsonNode for
 * struct, map and nested lists.
 */
final class ArrowKinds {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIN_EPOCH_SECOND = LocalDate.of(1, 1, 1).toEpochDay() * 86_400L;
    private static final long MAX_EPOCH_SECOND = LocalDate.of(9999, 12, 31).toEpochDay() * 86_400L + 86_399L;

    private ArrowKinds() {
    }

    /** One Arrow type, with what the test needs to generate, write and read back its values. */
    abstract static class Kind {
        final String name;

        Kind(String name) {
            this.name = name;
        }

        abstract Field field(String column);

        abstract Object random(Random r);

        abstract void set(FieldVector v, int row, Object value);

        /** The value read back from a non-null column {@code c}. */
        abstract Object read(ResultSet rs, int c) throws SQLException;

        /** What PostgreSQL holds for {@code value} (e.g. nanoseconds truncated to microseconds). */
        Object expected(Object value) {
            return value;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Field nullable(String name, ArrowType type, Field... children) {
        return new Field(name, FieldType.nullable(type), children.length == 0 ? null : Arrays.asList(children));
    }

    private static long pick(Random r, long[] extremes, long min, long max) {
        if (r.nextInt(5) == 0) {
            return extremes[r.nextInt(extremes.length)];
        }
        return min + (long) (r.nextDouble() * ((double) max - (double) min));
    }

    /** Signed and unsigned integers. */
    static Kind integer(int bits, boolean signed) {
        long min = signed ? -(1L << (bits - 1)) : 0;
        long max = signed ? (1L << (bits - 1)) - 1 : (bits == 64 ? -1 : (1L << bits) - 1);
        String name = (signed ? "int" : "uint") + bits;
        return new Kind(name) {
            @Override
            Field field(String column) {
                return nullable(column, new ArrowType.Int(bits, signed));
            }

            @Override
            Object random(Random r) {
                if (!signed && bits == 64) {
                    BigInteger[] ex = {BigInteger.ZERO, BigInteger.ONE, new BigInteger("18446744073709551615"),
                        BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE)};
                    return r.nextInt(4) == 0 ? ex[r.nextInt(ex.length)] : new BigInteger(64, r);
                }
                if (bits == 64) {
                    return r.nextInt(5) == 0 ? new long[] {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1}[r.nextInt(4)]
                            : r.nextLong();
                }
                return pick(r, new long[] {min, max, 0, signed ? -1 : 1}, min, max);
            }

            @Override
            void set(FieldVector v, int row, Object value) {
                if (value instanceof BigInteger b) {
                    ((UInt8Vector) v).setSafe(row, b.longValue());
                    return;
                }
                long x = (Long) value;
                switch (name) {
                    case "int8" -> ((TinyIntVector) v).setSafe(row, (byte) x);
                    case "int16" -> ((SmallIntVector) v).setSafe(row, (short) x);
                    case "int32" -> ((IntVector) v).setSafe(row, (int) x);
                    case "int64" -> ((BigIntVector) v).setSafe(row, x);
                    case "uint8" -> ((UInt1Vector) v).setSafe(row, (int) x);
                    case "uint16" -> ((UInt2Vector) v).setSafe(row, (int) x);
                    case "uint32" -> ((UInt4Vector) v).setSafe(row, (int) x);
                    default -> throw new IllegalStateException(name);
                }
            }

            @Override
            Object read(ResultSet rs, int c) throws SQLException {
                if (!signed && bits == 64) {
                    return rs.getBigDecimal(c).toBigIntegerExact();
                }
                return rs.getLong(c);
            }
        };
    }

    /** Half, single and double floats. */
    static Kind floating(FloatingPointPrecision precision) {
        return new Kind("float_" + precision.name().toLowerCase()) {
            @Override
            Field field(String column) {
                return nullable(column, new ArrowType.FloatingPoint(precision));
            }

            @Override
            Object random(Random r) {
                switch (precision) {
                    case HALF -> {
                        return Float16.toFloat((short) r.nextInt(65536));
                    }
                    case SINGLE -> {
                        float[] ex = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
                            -Float.MAX_VALUE, Float.MIN_VALUE, Float.MIN_NORMAL, -0.0f, 0.0f};
                        return r.nextInt(4) == 0 ? ex[r.nextInt(ex.length)] : Float.intBitsToFloat(r.nextInt());
                    }
                    default -> {
                        double[] ex = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                            Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_VALUE, Double.MIN_NORMAL, -0.0, 0.1};
                        double d = r.nextInt(4) == 0 ? ex[r.nextInt(ex.length)] : Double.longBitsToDouble(r.nextLong());
                        return Double.isNaN(d) ? Double.NaN : d;
                    }
                }
            }

            @Override
            void set(FieldVector v, int row, Object value) {
                switch (precision) {
                    case HALF -> ((Float2Vector) v).setSafe(row, Float16.toFloat16((Float) value));
                    case SINGLE -> ((Float4Vector) v).setSafe(row, (Float) value);
                    default -> ((Float8Vector) v).setSafe(row, (Double) value);
                }
            }

            @Override
            Object read(ResultSet rs, int c) throws SQLException {
                return precision == FloatingPointPrecision.DOUBLE ? (Object) rs.getDouble(c) : (Object) rs.getFloat(c);
            }

            @Override
            Object expected(Object value) {
                if (value instanceof Float f && Float.isNaN(f)) {
                    return Float.NaN;
                }
                return value;
            }
        };
    }

    /** Decimal128 / Decimal256 of a precision and scale. */
    static Kind decimal(int precision, int scale, int bitWidth) {
        BigInteger limit = BigInteger.TEN.pow(precision);
        return new Kind("decimal" + bitWidth + "_" + precision + "_" + scale) {
            @Override
            Field field(String column) {
                return nullable(column, new ArrowType.Decimal(precision, scale, bitWidth));
            }

            @Override
            Object random(Random r) {
                BigInteger unscaled;
                int pick = r.nextInt(6);
                if (pick == 0) {
                    unscaled = limit.subtract(BigInteger.ONE);
                } else if (pick == 1) {
                    unscaled = limit.subtract(BigInteger.ONE).negate();
                } else if (pick == 2) {
                    unscaled = BigInteger.valueOf(r.nextInt(20001) - 10000).remainder(limit);
                } else {
                    unscaled = new BigInteger(limit.bitLength() + 8, r).mod(limit);
                    if (r.nextBoolean()) {
                        unscaled = unscaled.negate();
                    }
                }
                return new BigDecimal(unscaled, scale);
            }

            @Override
            void set(FieldVector v, int row, Object value) {
                if (bitWidth == 128) {
                    ((DecimalVector) v).setSafe(row, (BigDecimal) value);
                } else {
                    ((Decimal256Vector) v).setSafe(row, (BigDecimal) value);
                }
            }

            @Override
            Object read(ResultSet rs, int c) throws SQLException {
                return rs.getBigDecimal(c);
            }
        };
    }

    /** Random text: ASCII with SQL/CSV specials, and unicode across planes (emoji, CJK, combining, RTL). */
    static String randomText(Random r) {
        int kind = r.nextInt(6);
        if (kind == 0) {
            return "";
        }
        int len = kind == 1 ? 200 + r.nextInt(3000) : r.nextInt(30);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            int cp = switch (r.nextInt(8)) {
                case 0 -> "\t\n\r\\\"',;|{}[]%_$".charAt(r.nextInt(16));
                case 1 -> 0x1F600 + r.nextInt(80);
                case 2 -> 0x4E00 + r.nextInt(0x5000);
                case 3 -> 0x0300 + r.nextInt(0x70);
                case 4 -> 0x05D0 + r.nextInt(27);
                case 5 -> 1 + r.nextInt(0x1F);
                case 6 -> 0x10000 + r.nextInt(0x100000 - 0x10000);
                default -> 0x20 + r.nextInt(0x5F);
            };
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 'x';
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    /** utf8 and large utf8. */
    static Kind text(boolean large) {
        return new Kind(large ? "large_utf8" : "utf8") {
            @Override
            Field field(String column) {
                return nullable(column, large ? ArrowType.LargeUtf8.INSTANCE : ArrowType.Utf8.INSTANCE);
            }

            @Override
            Object random(Random r) {
                return randomText(r);
            }

            @Override
            void set(FieldVector v, int row, Object value) {
                byte[] b = ((String) value).getBytes(StandardCharsets.UTF_8);
                if (large) {
                    ((LargeVarCharVector) v).setSafe(row, b);
                } else {
                    ((VarCharVector) v).setSafe(row, b);
                }
            }

            @Override
            Object read(ResultSet rs, int c) throws SQLException {
                return rs.getString(c);
            }
        };
    }

    /** binary, large binary, fixed-size binary. */
    static Kind binary(String flavour, int width) {
        return new Kind(flavour) {
            @Override
            Field field(String column) {
                ArrowType t = switch (flavour) {
                    case "binary" -> ArrowType.Binary.INSTANCE;
                    case "large_binary" -> ArrowType.LargeBinary.INSTANCE;
                    default -> new ArrowType.FixedSizeBinary(width);
                };
                return nullable(column, t);
            }

            @Override
            Object random(Random r) {
                byte[] b = new byte[flavour.equals("fixed_binary") ? width : r.nextInt(4) == 0 ? 0 : r.nextInt(300)];
                r.nextBytes(b);
                if (b.length > 0 && r.nextBoolean()) {
                    b[0] = 0;
                }
                return ByteBuffer.wrap(b);
            }

            @Override
            void set(FieldVector v, int row, Object value) {
                byte[] b = ((ByteBuffer) value).array();
                switch (flavour) {
                    case "binary" -> ((VarBinaryVector) v).setSafe(row, b);
                    case "large_binary" -> ((LargeVarBinaryVector) v).setSafe(row, b);
                    default -> ((FixedSizeBinaryVector) v).setSafe(row, b);
                }
            }

            @Override
            Object read(ResultSet rs, int c) throws SQLException {
                return ByteBuffer.wrap(rs.getBytes(c));
            }
        };
    }

    static Kind bool() {
        return new Kind("bool") {
            @Override
            Field field(String column) {
                return nullable(column, ArrowType.Bool.INSTANCE);
            }

            @Override
            Object random(Random r) {
                return r.nextBoolean();
            }

            @Override
            void set(FieldVector v, int row, Object value) {
                ((BitVector) v).setSafe(row, (Boolean) value ? 1 : 0);
            }

            @Override
            Object read(ResultSet rs, int c) throws SQLException {
                return rs.getBoolean(c);
            }
        };
    }

    private static LocalDate randomDate(Random r) {
        long min = LocalDate.of(1, 1, 1).toEpochDay();
        long max = LocalDate.of(9999, 12, 31).toEpochDay();
        return LocalDate.ofEpochDay(pick(r, new long[] {min, max, 0, -1}, min, max));
    }

    static Kind date(DateUnit unit) {
        return new Kind("date_" + unit.name().toLowerCase()) {
            @Override
            Field field(String column) {
                return nullable(column, new ArrowType.Date(unit));
            }

            @Override
            Object random(Random r) {
                return randomDate(r);
            }

            @Override
            void set(FieldVector v, int row, Object value) {
                long day = ((LocalDate) value).toEpochDay();
                if (unit == DateUnit.DAY) {
                    ((DateDayVector) v).setSafe(row, (int) day);
                } else {
                    ((DateMilliVector) v).setSafe(row, day * 86_400_000L);
                }
            }

            @Override
            Object read(ResultSet rs, int c) throws SQLException {
                return rs.getObject(c, LocalDate.class);
            }
        };
    }

    private static ChronoUnit chrono(TimeUnit unit) {
        return switch (unit) {
            case SECOND -> ChronoUnit.SECONDS;
            case MILLISECOND -> ChronoUnit.MILLIS;
            case MICROSECOND -> ChronoUnit.MICROS;
            case NANOSECOND -> ChronoUnit.NANOS;
        };
    }

    private static long perSecond(TimeUnit unit) {
        return switch (unit) {
            case SECOND -> 1L;
            case MILLISECOND -> 1_000L;
            case MICROSECOND -> 1_000_000L;
            case NANOSECOND -> 1_000_000_000L;
        };
    }

    static Kind time(TimeUnit unit) {
        int bits = unit == TimeUnit.SECOND || unit == TimeUnit.MILLISECOND ? 32 : 64;
        return new Kind("time_" + unit.name().toLowerCase()) {
            @Override
            Field field(String column) {
                return nullable(column, new ArrowType.Time(unit, bits));
            }

            @Override
            Object random(Random r) {
                long nanos = pick(r, new long[] {0, 86_399_999_999_999L}, 0, 86_399_999_999_999L);
                return LocalTime.ofNanoOfDay(nanos).truncatedTo(chrono(unit));
            }

            @Override
            void set(FieldVector v, int row, Object value) {
                long nanos = ((LocalTime) value).toNanoOfDay();
                switch (unit) {
                    case SECOND -> ((TimeSecVector) v).setSafe(row, (int) (nanos / 1_000_000_000L));
                    case MILLISECOND -> ((TimeMilliVector) v).setSafe(row, (int) (nanos / 1_000_000L));
                    case MICROSECOND -> ((TimeMicroVector) v).setSafe(row, nanos / 1_000L);
                    case NANOSECOND -> ((TimeNanoVector) v).setSafe(row, nanos);
                }
            }

            @Override
            Object read(ResultSet rs, int c) throws SQLException {
                return rs.getObject(c, LocalTime.class);
            }

            @Override
            Object expected(Object value) {
                return ((LocalTime) value).truncatedTo(ChronoUnit.MICROS);
            }
        };
    }

    /** Timestamps of each unit, without a zone (timestamp) or with one (timestamptz). */
    static Kind timestamp(TimeUnit unit, String zone) {
        return new Kind("timestamp_" + unit.name().toLowerCase() + (zone == null ? "" : "_tz")) {
            @Override
            Field field(String column) {
                return nullable(column, new ArrowType.Timestamp(unit, zone));
            }

            @Override
            Object random(Random r) {
                long second = unit == TimeUnit.NANOSECOND
                        ? pick(r, new long[] {-9_223_372_036L, 9_223_372_035L, 0}, -9_223_372_036L, 9_223_372_035L)
                        : pick(r, new long[] {MIN_EPOCH_SECOND, MAX_EPOCH_SECOND, 0, -1}, MIN_EPOCH_SECOND,
                                MAX_EPOCH_SECOND);
                Instant i = Instant.ofEpochSecond(second, r.nextInt(1_000_000_000)).truncatedTo(chrono(unit));
                return zone == null ? LocalDateTime.ofInstant(i, ZoneOffset.UTC) : i;
            }

            @Override
            void set(FieldVector v, int row, Object value) {
                Instant i = value instanceof Instant in ? in : ((LocalDateTime) value).toInstant(ZoneOffset.UTC);
                long per = perSecond(unit);
                long raw = Math.addExact(Math.multiplyExact(i.getEpochSecond(), per),
                        i.getNano() / (1_000_000_000L / per));
                ((TimeStampVector) v).setSafe(row, raw);
            }

            @Override
            Object read(ResultSet rs, int c) throws SQLException {
                return zone == null ? rs.getObject(c, LocalDateTime.class)
                        : rs.getObject(c, OffsetDateTime.class).toInstant();
            }

            @Override
            Object expected(Object value) {
                return value instanceof Instant i ? i.truncatedTo(ChronoUnit.MICROS)
                        : ((LocalDateTime) value).truncatedTo(ChronoUnit.MICROS);
            }
        };
    }

    /** A list of a scalar kind, stored as a PostgreSQL array; elements may be NULL. */
    static Kind list(Kind element) {
        return new Kind("list_" + element.name) {
            @Override
            Field field(String column) {
                return nullable(column, ArrowType.List.INSTANCE, element.field("item"));
            }

            @Override
            Object random(Random r) {
                int n = r.nextInt(4) == 0 ? 0 : r.nextInt(6);
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    out.add(r.nextInt(6) == 0 ? null : element.random(r));
                }
                return out;
            }

            @Override
            void set(FieldVector v, int row, Object value) {
                ListVector list = (ListVector) v;
                List<?> items = (List<?>) value;
                int start = list.startNewValue(row);
                FieldVector data = list.getDataVector();
                for (int i = 0; i < items.size(); i++) {
                    if (items.get(i) == null) {
                        data.setNull(start + i);
                    } else {
                        element.set(data, start + i, items.get(i));
                    }
                }
                list.endValue(row, items.size());
            }

            @Override
            Object read(ResultSet rs, int c) throws SQLException {
                Object[] arr = (Object[]) rs.getArray(c).getArray();
                List<Object> out = new ArrayList<>();
                for (Object o : arr) {
                    if (o == null) {
                        out.add(null);
                    } else if (o instanceof Float || o instanceof Double || o instanceof String) {
                        out.add(o);
                    } else if (o instanceof java.sql.Date d) {
                        out.add(d.toLocalDate());
                    } else if (o instanceof Number n) {
                        out.add(n.longValue());
                    } else {
                        out.add(o);
                    }
                }
                return out;
            }

            @Override
            Object expected(Object value) {
                List<Object> out = new ArrayList<>();
                for (Object o : (List<?>) value) {
                    out.add(o == null ? null : element.expected(o));
                }
                return out;
            }
        };
    }

    private static JsonNode json(Object value) {
        try {
            return JSON.readTree(JSON.writeValueAsString(value));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode readJson(ResultSet rs, int c) throws SQLException {
        try {
            return JSON.readTree(rs.getString(c));
        } catch (Exception e) {
            throw new SQLException(e);
        }
    }

    /** struct{a int32, b utf8, c bool, d list<int64>} as jsonb. */
    static Kind struct() {
        return new Kind("struct") {
            @Override
            Field field(String column) {
                return nullable(column, ArrowType.Struct.INSTANCE,
                        nullable("a", new ArrowType.Int(32, true)), nullable("b", ArrowType.Utf8.INSTANCE),
                        nullable("c", ArrowType.Bool.INSTANCE),
                        nullable("d", ArrowType.List.INSTANCE, nullable("item", new ArrowType.Int(64, true))));
            }

            @Override
            Object random(Random r) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("a", r.nextInt(5) == 0 ? null : (Object) r.nextInt());
                m.put("b", r.nextInt(5) == 0 ? null : randomText(r));
                m.put("c", r.nextInt(5) == 0 ? null : (Object) r.nextBoolean());
                List<Object> d = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    d.add(r.nextInt(4) == 0 ? null : (Object) r.nextLong());
                }
                m.put("d", r.nextInt(5) == 0 ? null : d);
                return m;
            }

            @Override
            @SuppressWarnings("unchecked")
            void set(FieldVector v, int row, Object value) {
                StructVector s = (StructVector) v;
                Map<String, Object> m = (Map<String, Object>) value;
                s.setIndexDefined(row);
                Object a = m.get("a");
                if (a != null) {
                    ((IntVector) s.getChild("a")).setSafe(row, (Integer) a);
                } else {
                    ((IntVector) s.getChild("a")).setNull(row);
                }
                VarCharVector b = (VarCharVector) s.getChild("b");
                if (m.get("b") != null) {
                    b.setSafe(row, ((String) m.get("b")).getBytes(StandardCharsets.UTF_8));
                } else {
                    b.setNull(row);
                }
                BitVector c = (BitVector) s.getChild("c");
                if (m.get("c") != null) {
                    c.setSafe(row, (Boolean) m.get("c") ? 1 : 0);
                } else {
                    c.setNull(row);
                }
                ListVector d = (ListVector) s.getChild("d");
                List<Object> items = (List<Object>) m.get("d");
                if (items == null) {
                    d.setNull(row);
                } else {
                    int start = d.startNewValue(row);
                    BigIntVector data = (BigIntVector) d.getDataVector();
                    for (int i = 0; i < items.size(); i++) {
                        if (items.get(i) == null) {
                            data.setNull(start + i);
                        } else {
                            data.setSafe(start + i, (Long) items.get(i));
                        }
                    }
                    d.endValue(row, items.size());
                }
            }

            @Override
            Object read(ResultSet rs, int c) throws SQLException {
                return readJson(rs, c);
            }

            @Override
            Object expected(Object value) {
                return json(value);
            }
        };
    }

    /** map<utf8, int64> as a jsonb object. */
    static Kind map() {
        return new Kind("map") {
            @Override
            Field field(String column) {
                Field entries = new Field("entries", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(
                        new Field("key", FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
                        nullable("value", new ArrowType.Int(64, true))));
                return new Field(column, FieldType.nullable(new ArrowType.Map(false)), List.of(entries));
            }

            @Override
            Object random(Random r) {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = r.nextInt(5); i > 0; i--) {
                    m.put(randomText(r).replace("\u0000", ""), r.nextInt(5) == 0 ? null : (Object) r.nextLong());
                }
                return m;
            }

            @Override
            @SuppressWarnings("unchecked")
            void set(FieldVector v, int row, Object value) {
                MapVector map = (MapVector) v;
                StructVector entries = (StructVector) map.getDataVector();
                VarCharVector keys = (VarCharVector) entries.getChildrenFromFields().get(0);
                BigIntVector values = (BigIntVector) entries.getChildrenFromFields().get(1);
                int start = map.startNewValue(row);
                int i = 0;
                for (Map.Entry<String, Object> e : ((Map<String, Object>) value).entrySet()) {
                    entries.setIndexDefined(start + i);
                    keys.setSafe(start + i, e.getKey().getBytes(StandardCharsets.UTF_8));
                    if (e.getValue() == null) {
                        values.setNull(start + i);
                    } else {
                        values.setSafe(start + i, (Long) e.getValue());
                    }
                    i++;
                }
                map.endValue(row, i);
            }

            @Override
            Object read(ResultSet rs, int c) throws SQLException {
                return readJson(rs, c);
            }

            @Override
            Object expected(Object value) {
                return json(value);
            }
        };
    }

    /** list<list<int32>> (not a PostgreSQL array: ragged) as jsonb. */
    static Kind nestedList() {
        return new Kind("list_list_int32") {
            @Override
            Field field(String column) {
                return nullable(column, ArrowType.List.INSTANCE, nullable("item", ArrowType.List.INSTANCE,
                        nullable("item", new ArrowType.Int(32, true))));
            }

            @Override
            Object random(Random r) {
                List<Object> outer = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    if (r.nextInt(5) == 0) {
                        outer.add(null);
                        continue;
                    }
                    List<Object> inner = new ArrayList<>();
                    for (int j = r.nextInt(4); j > 0; j--) {
                        inner.add(r.nextInt(5) == 0 ? null : (Object) r.nextInt());
                    }
                    outer.add(inner);
                }
                return outer;
            }

            @Override
            @SuppressWarnings("unchecked")
            void set(FieldVector v, int row, Object value) {
                ListVector outer = (ListVector) v;
                ListVector inner = (ListVector) outer.getDataVector();
                IntVector data = (IntVector) inner.getDataVector();
                List<Object> items = (List<Object>) value;
                int start = outer.startNewValue(row);
                for (int i = 0; i < items.size(); i++) {
                    List<Object> in = (List<Object>) items.get(i);
                    if (in == null) {
                        inner.setNull(start + i);
                        continue;
                    }
                    int s = inner.startNewValue(start + i);
                    for (int j = 0; j < in.size(); j++) {
                        if (in.get(j) == null) {
                            data.setNull(s + j);
                        } else {
                            data.setSafe(s + j, (Integer) in.get(j));
                        }
                    }
                    inner.endValue(start + i, in.size());
                }
                outer.endValue(row, items.size());
            }

            @Override
            Object read(ResultSet rs, int c) throws SQLException {
                return readJson(rs, c);
            }

            @Override
            Object expected(Object value) {
                return json(value);
            }
        };
    }

    /** Every kind the round-trip test draws from. */
    static List<Kind> all(Random r) {
        List<Kind> kinds = new ArrayList<>(List.of(
                integer(8, true), integer(16, true), integer(32, true), integer(64, true),
                integer(8, false), integer(16, false), integer(32, false), integer(64, false),
                floating(FloatingPointPrecision.HALF), floating(FloatingPointPrecision.SINGLE),
                floating(FloatingPointPrecision.DOUBLE),
                text(false), text(true), binary("binary", 0), binary("large_binary", 0),
                binary("fixed_binary", 1 + r.nextInt(16)), bool(), date(DateUnit.DAY), date(DateUnit.MILLISECOND),
                time(TimeUnit.SECOND), time(TimeUnit.MILLISECOND), time(TimeUnit.MICROSECOND),
                time(TimeUnit.NANOSECOND),
                list(integer(64, true)), list(text(false)), list(floating(FloatingPointPrecision.DOUBLE)),
                list(bool()), list(date(DateUnit.DAY)), struct(), map(), nestedList()));
        for (TimeUnit u : TimeUnit.values()) {
            kinds.add(timestamp(u, null));
            kinds.add(timestamp(u, "UTC"));
        }
        int p128 = 1 + r.nextInt(38);
        kinds.add(decimal(p128, r.nextInt(p128 + 1), 128));
        int p256 = 1 + r.nextInt(76);
        kinds.add(decimal(p256, r.nextInt(p256 + 1), 256));
        return kinds;
    }
}
