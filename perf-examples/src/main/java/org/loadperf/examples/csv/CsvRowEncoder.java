package org.loadperf.examples.csv;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.loadperf.api.loader.LoaderException;

/**
 * Encodes rows of Arrow batches as RFC 4180 CSV lines (UTF-8, CRLF-free: lines end in LF) into a reusable byte
 * buffer. Every column's type is checked when the encoder is made, so an unsupported column fails before a byte
 * is written. Integers, floats, booleans, UTF-8 strings, dates, timestamps and decimals are supported; timestamps
 * are ISO-8601 ({@code 2024-01-01T00:00:01Z} for a zoned type, which is stored in UTC).
 */
final class CsvRowEncoder {

    private final Schema schema;
    private final byte delimiter;
    private final byte[] nullValue;
    private final List<ColumnWriter> writers;
    private byte[] buf = new byte[1 << 16];
    private int len;

    private CsvRowEncoder(Schema schema, char delimiter, String nullValue, List<ColumnWriter> writers) {
        this.schema = schema;
        this.delimiter = (byte) delimiter;
        this.nullValue = nullValue.getBytes(StandardCharsets.UTF_8);
        this.writers = writers;
    }

    /**
     * An encoder for batches of {@code schema}.
     *
     * @throws LoaderException naming the first column whose type CSV cannot hold
     */
    static CsvRowEncoder forSchema(Schema schema, char delimiter, String nullValue) {
        List<ColumnWriter> writers = new ArrayList<>();
        for (Field f : schema.getFields()) {
            writers.add(writerFor(f));
        }
        return new CsvRowEncoder(schema, delimiter, nullValue, writers);
    }

    Schema schema() {
        return schema;
    }

    /** The header line: the column names, quoted where needed. */
    byte[] header() {
        len = 0;
        for (int c = 0; c < schema.getFields().size(); c++) {
            if (c > 0) {
                put(delimiter);
            }
            text(schema.getFields().get(c).getName().getBytes(StandardCharsets.UTF_8));
        }
        put((byte) '\n');
        return Arrays.copyOf(buf, len);
    }

    /** Encodes rows {@code [from, to)} of {@code batch}; the bytes are {@link #bytes()}[0, {@link #length()}). */
    void encode(VectorSchemaRoot batch, int from, int to) {
        len = 0;
        List<FieldVector> vectors = batch.getFieldVectors();
        int columns = vectors.size();
        for (int row = from; row < to; row++) {
            for (int c = 0; c < columns; c++) {
                if (c > 0) {
                    put(delimiter);
                }
                FieldVector v = vectors.get(c);
                if (v.isNull(row)) {
                    putAll(nullValue);
                } else {
                    try {
                        writers.get(c).write(this, v, row);
                    } catch (RuntimeException e) {
                        throw new LoaderException("Cannot encode column '" + v.getName() + "' at row " + row + ": "
                                + e.getMessage(), e);
                    }
                }
            }
            put((byte) '\n');
        }
    }

    byte[] bytes() {
        return buf;
    }

    int length() {
        return len;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void putAll(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    private void ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    /** A text field: quoted when it holds the delimiter, a quote, CR or LF, is empty or equals the null marker. */
    private void text(byte[] utf8) {
        boolean quote = utf8.length == 0 || Arrays.equals(utf8, nullValue);
        for (int i = 0; i < utf8.length && !quote; i++) {
            byte b = utf8[i];
            quote = b == delimiter || b == '"' || b == '\n' || b == '\r';
        }
        if (!quote) {
            putAll(utf8);
            return;
        }
        ensure(utf8.length * 2 + 2);
        buf[len++] = '"';
        for (byte b : utf8) {
            if (b == '"') {
                buf[len++] = '"';
            }
            buf[len++] = b;
        }
        buf[len++] = '"';
    }

    @FunctionalInterface
    private interface ColumnWriter {
        void write(CsvRowEncoder out, FieldVector vector, int row);
    }

    private static ColumnWriter writerFor(Field field) {
        ArrowType type = field.getType();
        if (type instanceof ArrowType.Int i) {
            if (!i.getIsSigned() && i.getBitWidth() == 64) {
                return (o, v, r) -> o.ascii(Long.toUnsignedString(((UInt8Vector) v).get(r)));
            }
            return (o, v, r) -> o.ascii(Long.toString(((BaseIntVector) v).getValueAsLong(r)));
        }
        if (type instanceof ArrowType.FloatingPoint fp) {
            return switch (fp.getPrecision()) {
                case SINGLE -> (o, v, r) -> o.ascii(Float.toString(((Float4Vector) v).get(r)));
                case DOUBLE -> (o, v, r) -> o.ascii(Double.toString(((Float8Vector) v).get(r)));
                default -> throw unsupported(field);
            };
        }
        if (type instanceof ArrowType.Bool) {
            return (o, v, r) -> o.ascii(((BitVector) v).get(r) == 1 ? "true" : "false");
        }
        if (type instanceof ArrowType.Utf8) {
            return (o, v, r) -> o.text(((VarCharVector) v).get(r));
        }
        if (type instanceof ArrowType.LargeUtf8) {
            return (o, v, r) -> o.text(((LargeVarCharVector) v).get(r));
        }
        if (type instanceof ArrowType.Date d) {
            return switch (d.getUnit()) {
                case DAY -> (o, v, r) -> o.ascii(LocalDate.ofEpochDay(((DateDayVector) v).get(r)).toString());
                case MILLISECOND -> (o, v, r) -> o.ascii(LocalDate.ofEpochDay(
                        Math.floorDiv(((DateMilliVector) v).get(r), 86_400_000L)).toString());
            };
        }
        if (type instanceof ArrowType.Timestamp ts) {
            long perSecond = switch (ts.getUnit()) {
                case SECOND -> 1L;
                case MILLISECOND -> 1_000L;
                case MICROSECOND -> 1_000_000L;
                case NANOSECOND -> 1_000_000_000L;
            };
            long nanosPerUnit = 1_000_000_000L / perSecond;
            boolean zoned = ts.getTimezone() != null;
            return (o, v, r) -> {
                long value = ((TimeStampVector) v).get(r);
                long seconds = Math.floorDiv(value, perSecond);
                long nanos = Math.floorMod(value, perSecond) * nanosPerUnit;
                o.ascii(zoned ? Instant.ofEpochSecond(seconds, nanos).toString()
                        : LocalDateTime.ofEpochSecond(seconds, (int) nanos, ZoneOffset.UTC).toString());
            };
        }
        if (type instanceof ArrowType.Decimal dec && dec.getBitWidth() == 128) {
            return (o, v, r) -> {
                BigDecimal d = ((DecimalVector) v).getObject(r);
                o.ascii(d.toPlainString());
            };
        }
        throw unsupported(field);
    }

    private static LoaderException unsupported(Field field) {
        return new LoaderException("CSV cannot hold column '" + field.getName() + "' of type " + field.getType()
                + " (supported: integers, floats, booleans, utf8, dates, timestamps, decimal128); nothing was written");
    }
}
