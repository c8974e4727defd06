package org.loadperf.postgres;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.Float16;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;

/**
 * Writes one column's value of a row as a binary COPY field: a 4-byte length (-1 for NULL) followed by the value in
 * the target PostgreSQL type's binary format. Values are read straight from the Arrow buffers; nothing is boxed.
 *
 * <p>Buffers are re-read by {@link #prepare()} before each run of rows, because a reader may swap them between
 * batches.
 *
 * <p>Over 400 lines on purpose: one small encoder per Arrow kind, sharing the PostgreSQL epochs and range limits
 * above; {@link PgTypeMapping} picks among them, and they are read side by side.
 */
abstract class CopyFieldEncoder {

    /** PostgreSQL's epoch (2000-01-01) in days and microseconds after the Unix epoch. */
    static final int PG_EPOCH_DAYS = 10_957;
    static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
    /** Valid timestamp range of PostgreSQL, in microseconds after its epoch (4714-11-24 BC .. 294276 AD). */
    static final long MIN_TIMESTAMP = -211_813_488_000_000_000L;
    static final long END_TIMESTAMP = 9_223_371_331_200_000_000L;
    /** Valid date range of PostgreSQL, in days after its epoch. */
    static final long MIN_DATE = -2_451_545L;
    static final long END_DATE = 2_145_031_949L;
    static final long MICROS_PER_DAY = 86_400_000_000L;

    final FieldVector vector;
    final String column;

    CopyFieldEncoder(FieldVector vector, String column) {
        this.vector = vector;
        this.column = column;
    }

    /** Re-reads the vector's buffers; called before each run of rows. */
    void prepare() {
    }

    final void encode(int row, CopyBuffer out) {
        if (vector.isNull(row)) {
            out.putInt(-1);
        } else {
            encodeValue(row, out);
        }
    }

    /** Writes the length and the value of a non-null row. */
    abstract void encodeValue(int row, CopyBuffer out);

    EncodeException fail(int row, String problem) {
        return new EncodeException(column, row, problem);
    }

    /** Target kinds an integer or float source can be written as. */
    enum Target { INT2, INT4, INT8, FLOAT4, FLOAT8, NUMERIC }

    /** Signed or unsigned integers of 1, 2, 4 or 8 bytes, written to an integer, float or numeric column. */
    static final class IntegerEncoder extends CopyFieldEncoder {
        private final int width;
        private final boolean unsigned;
        private final Target target;
        private final NumericWriter numeric;
        private ArrowBuf data;

        IntegerEncoder(FieldVector vector, String column, int width, boolean unsigned, Target target) {
            super(vector, column);
            this.width = width;
            this.unsigned = unsigned;
            this.target = target;
            this.numeric = target == Target.NUMERIC ? new NumericWriter() : null;
        }

        @Override
        void prepare() {
            data = vector.getDataBuffer();
        }

        @Override
        void encodeValue(int row, CopyBuffer out) {
            long v;
            switch (width) {
                case 1 -> v = unsigned ? data.getByte(row) & 0xFFL : data.getByte(row);
                case 2 -> v = unsigned ? data.getShort(2L * row) & 0xFFFFL : data.getShort(2L * row);
                case 4 -> v = unsigned ? data.getInt(4L * row) & 0xFFFF_FFFFL : data.getInt(4L * row);
                default -> v = data.getLong(8L * row);
            }
            switch (target) {
                case INT2 -> {
                    out.putInt(2);
                    out.putShort((short) v);
                }
                case INT4 -> {
                    out.putInt(4);
                    out.putInt((int) v);
                }
                case INT8 -> {
                    out.putInt(8);
                    out.putLong(v);
                }
                case FLOAT4 -> {
                    out.putInt(4);
                    out.putInt(Float.floatToRawIntBits((float) v));
                }
                case FLOAT8 -> {
                    out.putInt(8);
                    out.putLong(Double.doubleToRawLongBits((double) v));
                }
                default -> {
                    boolean negative = !unsigned && v < 0;
                    numeric.write(out, negative ? -v : v, negative, 0);
                }
            }
        }
    }

    /** Half, single or double floats, written to real or double precision. */
    static final class FloatEncoder extends CopyFieldEncoder {
        private final int width;
        private final boolean toDouble;
        private ArrowBuf data;

        FloatEncoder(FieldVector vector, String column, int width, boolean toDouble) {
            super(vector, column);
            this.width = width;
            this.toDouble = toDouble;
        }

        @Override
        void prepare() {
            data = vector.getDataBuffer();
        }

        @Override
        void encodeValue(int row, CopyBuffer out) {
            if (width == 8) {
                out.putInt(8);
                out.putLong(Double.doubleToRawLongBits(data.getDouble(8L * row)));
                return;
            }
            float f = width == 4 ? data.getFloat(4L * row) : Float16.toFloat(data.getShort(2L * row));
            if (toDouble) {
                out.putInt(8);
                out.putLong(Double.doubleToRawLongBits(f));
            } else {
                out.putInt(4);
                out.putInt(Float.floatToRawIntBits(f));
            }
        }
    }

    /** Decimal128 / Decimal256 written as numeric; values that fit in a long take a path without allocation. */
    static final class DecimalEncoder extends CopyFieldEncoder {
        private final int byteWidth;
        private final int scale;
        private final NumericWriter numeric = new NumericWriter();
        private ArrowBuf data;

        DecimalEncoder(FieldVector vector, String column, int byteWidth, int scale) {
            super(vector, column);
            this.byteWidth = byteWidth;
            this.scale = scale;
        }

        @Override
        void prepare() {
            data = vector.getDataBuffer();
        }

        @Override
        void encodeValue(int row, CopyBuffer out) {
            long at = (long) byteWidth * row;
            long low = data.getLong(at);
            long signWord = low >> 63;
            boolean fitsLong = true;
            for (int w = 8; w < byteWidth; w += 8) {
                if (data.getLong(at + w) != signWord) {
                    fitsLong = false;
                    break;
                }
            }
            if (fitsLong && scale >= 0) {
                boolean negative = low < 0;
                numeric.write(out, negative ? -low : low, negative, scale);
            } else {
                numeric.write(out, (BigDecimal) vector.getObject(row));
            }
        }
    }

    /**
     * UTF-8 text or bytes (variable width with 4- or 8-byte offsets, or fixed width) copied as they are. Text is
     * checked for NUL bytes, which PostgreSQL text cannot hold; {@code jsonbVersion} prefixes jsonb's version byte.
     */
    static final class BytesEncoder extends CopyFieldEncoder {
        private final int offsetWidth;
        private final int fixedWidth;
        private final boolean text;
        private ArrowBuf offsets;
        private ArrowBuf data;

        BytesEncoder(FieldVector vector, String column, int offsetWidth, int fixedWidth, boolean text) {
            super(vector, column);
            this.offsetWidth = offsetWidth;
            this.fixedWidth = fixedWidth;
            this.text = text;
        }

        @Override
        void prepare() {
            data = vector.getDataBuffer();
            offsets = fixedWidth > 0 ? null : vector.getOffsetBuffer();
        }

        @Override
        void encodeValue(int row, CopyBuffer out) {
            long start;
            long end;
            if (fixedWidth > 0) {
                start = (long) fixedWidth * row;
                end = start + fixedWidth;
            } else if (offsetWidth == 4) {
                start = offsets.getInt(4L * row);
                end = offsets.getInt(4L * row + 4);
            } else {
                start = offsets.getLong(8L * row);
                end = offsets.getLong(8L * row + 8);
            }
            long length = end - start;
            if (length > Integer.MAX_VALUE - 8) {
                throw fail(row, "value of " + length + " bytes exceeds PostgreSQL's 1 GB field limit");
            }
            out.putInt((int) length);
            int at = out.putBytes(data, start, (int) length);
            if (text) {
                int nul = out.indexOfNul(at, (int) length);
                if (nul >= 0) {
                    throw fail(row, "text contains a NUL byte (0x00) at byte " + nul
                            + ", which PostgreSQL text cannot store");
                }
            }
        }
    }

    /** Arrow booleans (bit-packed) as bool. */
    static final class BoolEncoder extends CopyFieldEncoder {
        private final BitVector bits;

        BoolEncoder(BitVector vector, String column) {
            super(vector, column);
            this.bits = vector;
        }

        @Override
        void encodeValue(int row, CopyBuffer out) {
            out.putInt(1);
            out.putByte(bits.get(row));
        }
    }

    /** date32 (days) or date64 (milliseconds) as date. */
    static final class DateEncoder extends CopyFieldEncoder {
        private final boolean millis;
        private ArrowBuf data;

        DateEncoder(FieldVector vector, String column, boolean millis) {
            super(vector, column);
            this.millis = millis;
        }

        @Override
        void prepare() {
            data = vector.getDataBuffer();
        }

        @Override
        void encodeValue(int row, CopyBuffer out) {
            long days = millis ? Math.floorDiv(data.getLong(8L * row), 86_400_000L) : data.getInt(4L * row);
            long pgDays = days - PG_EPOCH_DAYS;
            if (pgDays < MIN_DATE || pgDays >= END_DATE) {
                throw fail(row, "date " + days + " days after 1970-01-01 is outside PostgreSQL's date range");
            }
            out.putInt(4);
            out.putInt((int) pgDays);
        }
    }

    /** time32 (s, ms) or time64 (us, ns) as time (microseconds; nanoseconds are truncated). */
    static final class TimeEncoder extends CopyFieldEncoder {
        private final int width;
        private final long toMicrosMultiplier;
        private final long toMicrosDivisor;
        private ArrowBuf data;

        TimeEncoder(FieldVector vector, String column, int width, long toMicrosMultiplier, long toMicrosDivisor) {
            super(vector, column);
            this.width = width;
            this.toMicrosMultiplier = toMicrosMultiplier;
            this.toMicrosDivisor = toMicrosDivisor;
        }

        @Override
        void prepare() {
            data = vector.getDataBuffer();
        }

        @Override
        void encodeValue(int row, CopyBuffer out) {
            long raw = width == 4 ? data.getInt(4L * row) : data.getLong(8L * row);
            long micros = Math.floorDiv(raw, toMicrosDivisor) * toMicrosMultiplier;
            if (micros < 0 || micros > MICROS_PER_DAY) {
                throw fail(row, "time of day " + raw + " is outside 00:00..24:00");
            }
            out.putInt(8);
            out.putLong(micros);
        }
    }

    /** Timestamps of any unit as timestamp or timestamptz (microseconds after 2000-01-01; nanoseconds truncated). */
    static final class TimestampEncoder extends CopyFieldEncoder {
        private final long toMicrosMultiplier;
        private final long toMicrosDivisor;
        private ArrowBuf data;

        TimestampEncoder(FieldVector vector, String column, long toMicrosMultiplier, long toMicrosDivisor) {
            super(vector, column);
            this.toMicrosMultiplier = toMicrosMultiplier;
            this.toMicrosDivisor = toMicrosDivisor;
        }

        @Override
        void prepare() {
            data = vector.getDataBuffer();
        }

        @Override
        void encodeValue(int row, CopyBuffer out) {
            long raw = data.getLong(8L * row);
            long micros;
            if (toMicrosMultiplier == 1) {
                micros = toMicrosDivisor == 1 ? raw : Math.floorDiv(raw, toMicrosDivisor);
            } else {
                long hi = Math.multiplyHigh(raw, toMicrosMultiplier);
                micros = raw * toMicrosMultiplier;
                if (hi != (micros >> 63)) {
                    throw fail(row, "timestamp " + raw + " is outside PostgreSQL's timestamp range");
                }
            }
            long pg = micros - PG_EPOCH_MICROS;
            if (micros < MIN_TIMESTAMP + PG_EPOCH_MICROS || pg >= END_TIMESTAMP) {
                throw fail(row, "timestamp " + raw + " is outside PostgreSQL's timestamp range");
            }
            out.putInt(8);
            out.putLong(pg);
        }
    }

    /** A list (4- or 8-byte offsets, or fixed size) as a one-dimensional PostgreSQL array. */
    static final class ArrayEncoder extends CopyFieldEncoder {
        private final CopyFieldEncoder element;
        private final int elementOid;
        private final int offsetWidth;
        private final int fixedSize;
        private ArrowBuf offsets;

        ArrayEncoder(FieldVector vector, String column, CopyFieldEncoder element, int elementOid) {
            super(vector, column);
            this.element = element;
            this.elementOid = elementOid;
            if (vector instanceof FixedSizeListVector f) {
                this.fixedSize = f.getListSize();
                this.offsetWidth = 0;
            } else {
                this.fixedSize = -1;
                this.offsetWidth = vector instanceof LargeListVector ? 8 : 4;
            }
        }

        @Override
        void prepare() {
            offsets = fixedSize >= 0 ? null : vector.getOffsetBuffer();
            element.prepare();
        }

        @Override
        void encodeValue(int row, CopyBuffer out) {
            long start;
            long end;
            if (fixedSize >= 0) {
                start = (long) fixedSize * row;
                end = start + fixedSize;
            } else if (offsetWidth == 4) {
                start = offsets.getInt(4L * row);
                end = offsets.getInt(4L * row + 4);
            } else {
                start = offsets.getLong(8L * row);
                end = offsets.getLong(8L * row + 8);
            }
            int lengthAt = out.position();
            out.putInt(0);
            int count = (int) (end - start);
            out.putInt(count == 0 ? 0 : 1);
            int flagsAt = out.position();
            out.putInt(0);
            out.putInt(elementOid);
            if (count > 0) {
                out.putInt(count);
                out.putInt(1);
                boolean hasNull = false;
                for (int i = (int) start; i < end; i++) {
                    try {
                        if (element.vector.isNull(i)) {
                            hasNull = true;
                            out.putInt(-1);
                        } else {
                            element.encodeValue(i, out);
                        }
                    } catch (EncodeException e) {
                        throw fail(row, "element " + (i - start) + ": " + e.problem());
                    }
                }
                if (hasNull) {
                    out.putIntAt(flagsAt, 1);
                }
            }
            out.putIntAt(lengthAt, out.position() - lengthAt - 4);
        }
    }

    /** Struct, map or nested list values as json or jsonb (jsonb's binary form is a version byte and the text). */
    static final class JsonEncoder extends CopyFieldEncoder {
        private final boolean jsonb;

        JsonEncoder(FieldVector vector, String column, boolean jsonb) {
            super(vector, column);
            this.jsonb = jsonb;
        }

        @Override
        void encodeValue(int row, CopyBuffer out) {
            int lengthAt = out.position();
            out.putInt(0);
            if (jsonb) {
                out.putByte(1);
            }
            try {
                JsonValueWriter.write(vector, row, out);
            } catch (IllegalArgumentException e) {
                throw fail(row, e.getMessage());
            }
            out.putIntAt(lengthAt, out.position() - lengthAt - 4);
        }
    }

    /**
     * Writes PostgreSQL's binary numeric: digit count, weight, sign, display scale, then base-10000 digits from the
     * most significant. The long path works on an unsigned magnitude, so {@code Long.MIN_VALUE} and uint64 fit.
     */
    static final class NumericWriter {
        private static final BigInteger NBASE = BigInteger.valueOf(10_000);
        private static final long[] POW10 = {1, 10, 100, 1000, 10_000};
        private final int[] groups = new int[64];

        void write(CopyBuffer out, long magnitude, boolean negative, int scale) {
            int n = 0;
            long mag = magnitude;
            int r = scale % 4;
            if (r != 0 && mag != 0) {
                long p = POW10[r];
                groups[n++] = (int) (Long.remainderUnsigned(mag, p) * POW10[4 - r]);
                mag = Long.divideUnsigned(mag, p);
            }
            while (mag != 0) {
                groups[n++] = (int) Long.remainderUnsigned(mag, 10_000);
                mag = Long.divideUnsigned(mag, 10_000);
            }
            emit(out, n, negative, scale);
        }

        void write(CopyBuffer out, BigDecimal value) {
            BigDecimal v = value.scale() < 0 ? value.setScale(0) : value;
            int scale = v.scale();
            BigInteger mag = v.unscaledValue().abs();
            int n = 0;
            int r = scale % 4;
            if (r != 0 && mag.signum() != 0) {
                BigInteger[] qr = mag.divideAndRemainder(BigInteger.TEN.pow(r));
                groups[n++] = qr[1].intValue() * (int) POW10[4 - r];
                mag = qr[0];
            }
            while (mag.signum() != 0) {
                BigInteger[] qr = mag.divideAndRemainder(NBASE);
                groups[n++] = qr[1].intValue();
                mag = qr[0];
            }
            emit(out, n, v.signum() < 0, scale);
        }

        private void emit(CopyBuffer out, int n, boolean negative, int scale) {
            int low = 0;
            while (low < n && groups[low] == 0) {
                low++;
            }
            int digits = n - low;
            int fracGroups = (scale + 3) / 4;
            int weight = digits == 0 ? 0 : n - 1 - fracGroups;
            out.putInt(8 + 2 * digits);
            out.putShort(digits);
            out.putShort(weight);
            out.putShort(negative && digits > 0 ? 0x4000 : 0);
            out.putShort(scale);
            for (int i = n - 1; i >= low; i--) {
                out.putShort(groups[i]);
            }
        }
    }
}
