package org.loadperf.redis;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Base64;
import java.util.function.IntFunction;
import java.util.function.IntToLongFunction;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.LargeVarBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.ViewVarBinaryVector;
import org.apache.arrow.vector.ViewVarCharVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.loadperf.api.loader.LoaderException;

/**
 * Encodes one Arrow column's values straight from its vector, in the one encoding documented on {@link RedisLoader}:
 * a text (or, for binary columns, raw byte) form used for hash and stream fields, set members and keys, and a JSON
 * form used where a row is stored as a JSON object. Nulls are handled by the caller ({@link #isNull}).
 *
 * <p>Over 400 lines on purpose: one small encoder per Arrow kind, in both forms (text and JSON), sharing the
 * number and timestamp formatting above; {@link RedisLoader} picks among them, and they are read side by side.
 */
abstract class RedisValueEncoder {

    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ONE = {'1'};
    private static final byte[] ZERO = {'0'};
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final String name;
    private final byte[] nameBytes;
    private final byte[] jsonName;
    private final FieldVector vector;
    private final ByteSink scratch = new ByteSink(32);

    RedisValueEncoder(FieldVector vector) {
        this.vector = vector;
        this.name = vector.getName();
        this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        ByteSink s = new ByteSink(nameBytes.length + 4);
        writeJsonString(nameBytes, s);
        s.write(':');
        this.jsonName = s.toByteArray();
    }

    /**
     * The encoder of {@code vector}'s type.
     *
     * @throws LoaderException when the type has no encoding (nested and dictionary types), naming the column
     */
    static RedisValueEncoder of(FieldVector vector) {
        ArrowType type = vector.getField().getType();
        if (vector.getField().getDictionary() != null) {
            throw unsupported(vector, "dictionary-encoded " + type);
        }
        if (vector instanceof UInt8Vector v) {
            return new UnsignedLongEncoder(v);
        }
        if (vector instanceof BaseIntVector v && type instanceof ArrowType.Int) {
            return new IntEncoder(vector, v);
        }
        if (vector instanceof FloatingPointVector v) {
            boolean single = ((ArrowType.FloatingPoint) type).getPrecision() != FloatingPointPrecision.DOUBLE;
            return new FloatEncoder(vector, v, single);
        }
        if (vector instanceof BitVector v) {
            return new BoolEncoder(v);
        }
        if (vector instanceof VarCharVector v) {
            return new Utf8Encoder(v, v::get, slices(v));
        }
        if (vector instanceof LargeVarCharVector v) {
            return new Utf8Encoder(v, v::get, slices(v));
        }
        if (vector instanceof ViewVarCharVector v) {
            return new Utf8Encoder(v, v::get, (row, out) -> out.write(v.get(row)));
        }
        if (vector instanceof VarBinaryVector v) {
            return new BinaryEncoder(v, v::get, slices(v));
        }
        if (vector instanceof LargeVarBinaryVector v) {
            return new BinaryEncoder(v, v::get, slices(v));
        }
        if (vector instanceof ViewVarBinaryVector v) {
            return new BinaryEncoder(v, v::get, (row, out) -> out.write(v.get(row)));
        }
        if (vector instanceof FixedSizeBinaryVector v) {
            int width = v.getByteWidth();
            return new BinaryEncoder(v, v::get, (row, out) -> out.write(v.getDataBuffer(), (long) row * width, width));
        }
        if (vector instanceof DateDayVector v) {
            return new DateEncoder(v, v::get, 1);
        }
        if (vector instanceof DateMilliVector v) {
            return new DateEncoder(v, v::get, 86_400_000L);
        }
        if (vector instanceof TimeStampVector v) {
            ArrowType.Timestamp ts = (ArrowType.Timestamp) type;
            return new TimestampEncoder(v, ts.getUnit(), ts.getTimezone() != null);
        }
        if (vector instanceof TimeSecVector v) {
            return new TimeEncoder(v, v::get, TimeUnit.SECOND);
        }
        if (vector instanceof TimeMilliVector v) {
            return new TimeEncoder(v, v::get, TimeUnit.MILLISECOND);
        }
        if (vector instanceof TimeMicroVector v) {
            return new TimeEncoder(v, v::get, TimeUnit.MICROSECOND);
        }
        if (vector instanceof TimeNanoVector v) {
            return new TimeEncoder(v, v::get, TimeUnit.NANOSECOND);
        }
        if (vector instanceof DecimalVector v) {
            return new DecimalEncoder(v, v::getObject);
        }
        if (vector instanceof Decimal256Vector v) {
            return new DecimalEncoder(v, v::getObject);
        }
        if (vector instanceof NullVector) {
            return new NullEncoder(vector);
        }
        throw unsupported(vector, type.toString());
    }

    /** Copies a value's bytes from its vector into a sink, without an array per value. */
    @FunctionalInterface
    interface Slices {
        void copy(int row, ByteSink out);
    }

    private static Slices slices(BaseVariableWidthVector v) {
        return (row, out) -> out.write(v.getDataBuffer(), v.getStartOffset(row), v.getValueLength(row));
    }

    private static Slices slices(BaseLargeVariableWidthVector v) {
        return (row, out) -> out.write(v.getDataBuffer(),
                v.getOffsetBuffer().getLong((long) row * BaseLargeVariableWidthVector.OFFSET_WIDTH), v.getValueLength(row));
    }

    private static LoaderException unsupported(FieldVector vector, String type) {
        return new LoaderException("column '" + vector.getName() + "' has Arrow type " + type
                + ", which the redis loader cannot encode (supported: integers, floats, bool, utf8, binary, date, time,"
                + " timestamp, decimal, null)");
    }

    String name() {
        return name;
    }

    byte[] nameBytes() {
        return nameBytes;
    }

    /** {@code "name":} as JSON. */
    byte[] jsonName() {
        return jsonName;
    }

    FieldVector vector() {
        return vector;
    }

    boolean isNull(int row) {
        return vector.isNull(row);
    }

    /** Writes the text form of the non-null value at {@code row}. */
    abstract void writeText(int row, ByteSink out);

    /** The text form of the non-null value at {@code row}, as a new array. */
    byte[] text(int row) {
        scratch.reset();
        writeText(row, scratch);
        return scratch.toByteArray();
    }

    /** Writes the JSON form of the non-null value at {@code row}; by default the text form as a JSON string. */
    void writeJson(int row, ByteSink out) {
        scratch.reset();
        writeText(row, scratch);
        writeJsonString(scratch.array(), scratch.length(), out);
    }

    /** Whether values can be a sorted_set score. */
    boolean numeric() {
        return false;
    }

    /** The value at {@code row} as a score; only when {@link #numeric()}. */
    double score(int row) {
        throw new UnsupportedOperationException(name);
    }

    /** The Arrow type, for messages. */
    String typeName() {
        return vector.getField().getType().toString();
    }

    /** The decimal digits of {@code v} in an array of exactly their length (the hot path of every integer value). */
    static byte[] longBytes(long v) {
        return Digits.of(v);
    }

    /** Writes {@code utf8} as a JSON string: quotes, backslashes and control characters escaped. */
    static void writeJsonString(byte[] utf8, ByteSink out) {
        writeJsonString(utf8, utf8.length, out);
    }

    /** Writes the first {@code length} bytes of {@code utf8} as a JSON string. */
    static void writeJsonString(byte[] utf8, int length, ByteSink out) {
        out.write('"');
        int start = 0;
        for (int i = 0; i < length; i++) {
            int b = utf8[i];
            if (b >= 0x20 && b != '"' && b != '\\' || b < 0) {
                continue;
            }
            out.write(utf8, start, i - start);
            start = i + 1;
            out.write('\\');
            switch (b) {
                case '"' -> out.write('"');
                case '\\' -> out.write('\\');
                case '\n' -> out.write('n');
                case '\r' -> out.write('r');
                case '\t' -> out.write('t');
                case '\b' -> out.write('b');
                case '\f' -> out.write('f');
                default -> {
                    out.write('u');
                    out.write('0');
                    out.write('0');
                    out.write(HEX[b >> 4]);
                    out.write(HEX[b & 0xF]);
                }
            }
        }
        out.write(utf8, start, length - start);
        out.write('"');
    }

    /** ISO-8601 date of {@code days} since 1970-01-01 (proleptic Gregorian); years outside 0000-9999 as java.time does. */
    static void writeDate(long days, ByteSink out) {
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long y = yoe + era * 400;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long d = doy - (153 * mp + 2) / 5 + 1;
        long m = mp < 10 ? mp + 3 : mp - 9;
        if (m <= 2) {
            y++;
        }
        if (y < 0 || y > 9999) {
            out.writeAscii(LocalDate.ofEpochDay(days).toString());
            return;
        }
        out.writePadded(y, 4);
        out.write('-');
        out.writePadded(m, 2);
        out.write('-');
        out.writePadded(d, 2);
    }

    /** {@code HH:mm:ss} of {@code secondOfDay}, then {@code .} and {@code fraction} in {@code digits} digits. */
    static void writeTimeOfDay(long secondOfDay, long fraction, int digits, ByteSink out) {
        out.writePadded(secondOfDay / 3600, 2);
        out.write(':');
        out.writePadded(secondOfDay / 60 % 60, 2);
        out.write(':');
        out.writePadded(secondOfDay % 60, 2);
        if (digits > 0) {
            out.write('.');
            out.writePadded(fraction, digits);
        }
    }

    static long perSecond(TimeUnit unit) {
        return switch (unit) {
            case SECOND -> 1L;
            case MILLISECOND -> 1_000L;
            case MICROSECOND -> 1_000_000L;
            case NANOSECOND -> 1_000_000_000L;
        };
    }

    static int fractionDigits(TimeUnit unit) {
        return switch (unit) {
            case SECOND -> 0;
            case MILLISECOND -> 3;
            case MICROSECOND -> 6;
            case NANOSECOND -> 9;
        };
    }

    private static final class IntEncoder extends RedisValueEncoder {
        private final BaseIntVector ints;

        IntEncoder(FieldVector vector, BaseIntVector ints) {
            super(vector);
            this.ints = ints;
        }

        @Override
        void writeText(int row, ByteSink out) {
            out.writeLong(ints.getValueAsLong(row));
        }

        @Override
        byte[] text(int row) {
            return longBytes(ints.getValueAsLong(row));
        }

        @Override
        void writeJson(int row, ByteSink out) {
            out.writeLong(ints.getValueAsLong(row));
        }

        @Override
        boolean numeric() {
            return true;
        }

        @Override
        double score(int row) {
            return ints.getValueAsLong(row);
        }
    }

    private static final class UnsignedLongEncoder extends RedisValueEncoder {
        private final UInt8Vector v;

        UnsignedLongEncoder(UInt8Vector v) {
            super(v);
            this.v = v;
        }

        @Override
        void writeText(int row, ByteSink out) {
            long value = v.get(row);
            if (value >= 0) {
                out.writeLong(value);
            } else {
                out.writeAscii(Long.toUnsignedString(value));
            }
        }

        @Override
        void writeJson(int row, ByteSink out) {
            writeText(row, out);
        }

        @Override
        boolean numeric() {
            return true;
        }

        @Override
        double score(int row) {
            long value = v.get(row);
            return value >= 0 ? value : Double.parseDouble(Long.toUnsignedString(value));
        }
    }

    private static final class FloatEncoder extends RedisValueEncoder {
        private final FloatingPointVector floats;
        private final boolean single;

        FloatEncoder(FieldVector vector, FloatingPointVector floats, boolean single) {
            super(vector);
            this.floats = floats;
            this.single = single;
        }

        @Override
        void writeText(int row, ByteSink out) {
            out.writeAscii(toText(floats.getValueAsDouble(row)));
        }

        @Override
        byte[] text(int row) {
            return toText(floats.getValueAsDouble(row)).getBytes(StandardCharsets.ISO_8859_1);
        }

        private String toText(double d) {
            return single ? Float.toString((float) d) : Double.toString(d);
        }

        @Override
        void writeJson(int row, ByteSink out) {
            double d = floats.getValueAsDouble(row);
            if (Double.isFinite(d)) {
                writeText(row, out);
            } else {
                out.write('"');
                writeText(row, out);
                out.write('"');
            }
        }

        @Override
        boolean numeric() {
            return true;
        }

        @Override
        double score(int row) {
            return floats.getValueAsDouble(row);
        }
    }

    /** Text form {@code 1} / {@code 0} (Redis' own booleans; stored as small integers); JSON true / false. */
    private static final class BoolEncoder extends RedisValueEncoder {
        private final BitVector v;

        BoolEncoder(BitVector v) {
            super(v);
            this.v = v;
        }

        @Override
        void writeText(int row, ByteSink out) {
            out.write(v.get(row) != 0 ? '1' : '0');
        }

        @Override
        byte[] text(int row) {
            // Shared arrays: Jedis only reads its arguments.
            return v.get(row) != 0 ? ONE : ZERO;
        }

        @Override
        void writeJson(int row, ByteSink out) {
            out.write(v.get(row) != 0 ? TRUE : FALSE);
        }
    }

    private static final class Utf8Encoder extends RedisValueEncoder {
        private final IntFunction<byte[]> bytes;
        private final Slices slices;

        Utf8Encoder(FieldVector vector, IntFunction<byte[]> bytes, Slices slices) {
            super(vector);
            this.bytes = bytes;
            this.slices = slices;
        }

        @Override
        void writeText(int row, ByteSink out) {
            slices.copy(row, out);
        }

        @Override
        byte[] text(int row) {
            return bytes.apply(row);
        }
    }

    private static final class BinaryEncoder extends RedisValueEncoder {
        private final IntFunction<byte[]> bytes;
        private final Slices slices;

        BinaryEncoder(FieldVector vector, IntFunction<byte[]> bytes, Slices slices) {
            super(vector);
            this.bytes = bytes;
            this.slices = slices;
        }

        @Override
        void writeText(int row, ByteSink out) {
            slices.copy(row, out);
        }

        @Override
        byte[] text(int row) {
            return bytes.apply(row);
        }

        @Override
        void writeJson(int row, ByteSink out) {
            out.write('"');
            out.write(Base64.getEncoder().encode(bytes.apply(row)));
            out.write('"');
        }
    }

    /** Date32 (days) and Date64 (milliseconds, truncated to the day). */
    private static final class DateEncoder extends RedisValueEncoder {
        private final IntToLongFunction raw;
        private final long perDay;

        DateEncoder(FieldVector vector, IntToLongFunction raw, long perDay) {
            super(vector);
            this.raw = raw;
            this.perDay = perDay;
        }

        @Override
        void writeText(int row, ByteSink out) {
            writeDate(Math.floorDiv(raw.applyAsLong(row), perDay), out);
        }
    }

    /**
     * Text form: the integer count of the column's unit since the epoch (compact, sortable, stored by Redis as an
     * integer); JSON: ISO-8601 with 0/3/6/9 fraction digits, ending in Z when the column has a time zone.
     */
    private static final class TimestampEncoder extends RedisValueEncoder {
        private final TimeStampVector v;
        private final long perSecond;
        private final int digits;
        private final boolean utc;

        TimestampEncoder(TimeStampVector v, TimeUnit unit, boolean utc) {
            super(v);
            this.v = v;
            this.perSecond = perSecond(unit);
            this.digits = fractionDigits(unit);
            this.utc = utc;
        }

        @Override
        void writeText(int row, ByteSink out) {
            out.writeLong(v.get(row));
        }

        @Override
        byte[] text(int row) {
            return longBytes(v.get(row));
        }

        @Override
        void writeJson(int row, ByteSink out) {
            long value = v.get(row);
            long seconds = Math.floorDiv(value, perSecond);
            long fraction = Math.floorMod(value, perSecond);
            out.write('"');
            writeDate(Math.floorDiv(seconds, 86_400), out);
            out.write('T');
            writeTimeOfDay(Math.floorMod(seconds, 86_400), fraction, digits, out);
            if (utc) {
                out.write('Z');
            }
            out.write('"');
        }

        @Override
        boolean numeric() {
            return true;
        }

        @Override
        double score(int row) {
            return v.get(row);
        }
    }

    private static final class TimeEncoder extends RedisValueEncoder {
        private final IntToLongFunction raw;
        private final long perSecond;
        private final int digits;

        TimeEncoder(FieldVector vector, IntToLongFunction raw, TimeUnit unit) {
            super(vector);
            this.raw = raw;
            this.perSecond = perSecond(unit);
            this.digits = fractionDigits(unit);
        }

        @Override
        void writeText(int row, ByteSink out) {
            long value = raw.applyAsLong(row);
            writeTimeOfDay(Math.floorMod(Math.floorDiv(value, perSecond), 86_400), Math.floorMod(value, perSecond),
                    digits, out);
        }
    }

    private static final class DecimalEncoder extends RedisValueEncoder {
        private final IntFunction<BigDecimal> decimals;

        DecimalEncoder(FieldVector vector, IntFunction<BigDecimal> decimals) {
            super(vector);
            this.decimals = decimals;
        }

        @Override
        void writeText(int row, ByteSink out) {
            out.writeAscii(decimals.apply(row).toPlainString());
        }

        @Override
        boolean numeric() {
            return true;
        }

        @Override
        double score(int row) {
            return decimals.apply(row).doubleValue();
        }
    }

    private static final class NullEncoder extends RedisValueEncoder {
        NullEncoder(FieldVector vector) {
            super(vector);
        }

        @Override
        boolean isNull(int row) {
            return true;
        }

        @Override
        void writeText(int row, ByteSink out) {
            throw new IllegalStateException("column '" + name() + "' holds only nulls");
        }
    }
}
