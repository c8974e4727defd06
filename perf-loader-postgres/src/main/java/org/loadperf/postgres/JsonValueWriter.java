package org.loadperf.postgres;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.Float16;
import org.apache.arrow.vector.BaseFixedWidthVector;
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
import org.apache.arrow.vector.Float2Vector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Writes an Arrow value (struct, map, list or scalar) as JSON text. Structs become objects keyed by field name,
 * maps objects keyed by the key's text, lists arrays; dates and times ISO-8601 strings, binary {@code "\\x<hex>"}
 * strings, non-finite floats the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} (JSON has no
 * such numbers). Used for nested columns only, so clarity wins over speed here.
 */
final class JsonValueWriter {

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private JsonValueWriter() {
    }

    /**
     * Writes the value at {@code index}.
     *
     * @throws IllegalArgumentException for text with a NUL character, which jsonb cannot store
     */
    static void write(FieldVector v, int index, CopyBuffer out) {
        if (v.isNull(index)) {
            out.putAscii("null");
            return;
        }
        if (v instanceof MapVector map) {
            writeMap(map, index, out);
        } else if (v instanceof ListVector list) {
            writeElements(list.getDataVector(), list.getElementStartIndex(index), list.getElementEndIndex(index), out);
        } else if (v instanceof LargeListVector list) {
            writeElements(list.getDataVector(), (int) list.getElementStartIndex(index),
                    (int) list.getElementEndIndex(index), out);
        } else if (v instanceof FixedSizeListVector list) {
            int n = list.getListSize();
            writeElements(list.getDataVector(), index * n, index * n + n, out);
        } else if (v instanceof StructVector struct) {
            out.putByte('{');
            List<FieldVector> children = struct.getChildrenFromFields();
            for (int i = 0; i < children.size(); i++) {
                if (i > 0) {
                    out.putByte(',');
                }
                writeString(children.get(i).getName(), out);
                out.putByte(':');
                write(children.get(i), index, out);
            }
            out.putByte('}');
        } else {
            writeScalar(v, index, out);
        }
    }

    private static void writeElements(FieldVector data, int start, int end, CopyBuffer out) {
        out.putByte('[');
        for (int i = start; i < end; i++) {
            if (i > start) {
                out.putByte(',');
            }
            write(data, i, out);
        }
        out.putByte(']');
    }

    private static void writeMap(MapVector map, int index, CopyBuffer out) {
        StructVector entries = (StructVector) map.getDataVector();
        FieldVector keys = entries.getChildrenFromFields().get(0);
        FieldVector values = entries.getChildrenFromFields().get(1);
        out.putByte('{');
        for (int i = map.getElementStartIndex(index), end = map.getElementEndIndex(index); i < end; i++) {
            if (i > map.getElementStartIndex(index)) {
                out.putByte(',');
            }
            if (keys instanceof VarCharVector || keys instanceof LargeVarCharVector) {
                writeScalar(keys, i, out);
            } else {
                CopyBuffer key = new CopyBuffer(32);
                write(keys, i, key);
                writeString(new String(key.array(), 0, key.position(), java.nio.charset.StandardCharsets.UTF_8), out);
            }
            out.putByte(':');
            write(values, i, out);
        }
        out.putByte('}');
    }

    private static void writeScalar(FieldVector v, int i, CopyBuffer out) {
        if (v instanceof BitVector b) {
            out.putAscii(b.get(i) != 0 ? "true" : "false");
        } else if (v instanceof UInt8Vector u) {
            out.putAscii(Long.toUnsignedString(u.get(i)));
        } else if (v instanceof BaseIntVector n && v instanceof BaseFixedWidthVector) {
            out.putAscii(Long.toString(n.getValueAsLong(i)));
        } else if (v instanceof Float8Vector f) {
            writeDouble(f.get(i), out);
        } else if (v instanceof Float4Vector f) {
            float x = f.get(i);
            if (Float.isFinite(x)) {
                out.putAscii(Float.toString(x));
            } else {
                writeDouble(x, out);
            }
        } else if (v instanceof Float2Vector f) {
            float x = Float16.toFloat(f.get(i));
            if (Float.isFinite(x)) {
                out.putAscii(Float.toString(x));
            } else {
                writeDouble(x, out);
            }
        } else if (v instanceof DecimalVector d) {
            out.putAscii(d.getObject(i).toPlainString());
        } else if (v instanceof Decimal256Vector d) {
            out.putAscii(d.getObject(i).toPlainString());
        } else if (v instanceof VarCharVector || v instanceof LargeVarCharVector) {
            writeUtf8(v, i, out);
        } else if (v instanceof BaseVariableWidthVector || v instanceof BaseLargeVariableWidthVector
                || v instanceof FixedSizeBinaryVector) {
            byte[] bytes = (byte[]) v.getObject(i);
            out.putByte('"');
            out.putAscii("\\\\x");
            for (byte b : bytes) {
                out.putByte(HEX[(b >> 4) & 0xF]);
                out.putByte(HEX[b & 0xF]);
            }
            out.putByte('"');
        } else if (v instanceof DateDayVector d) {
            writeString(LocalDate.ofEpochDay(d.get(i)).toString(), out);
        } else if (v instanceof DateMilliVector d) {
            writeString(LocalDate.ofEpochDay(Math.floorDiv(d.get(i), 86_400_000L)).toString(), out);
        } else if (v instanceof TimeSecVector t) {
            writeString(LocalTime.ofSecondOfDay(t.get(i)).toString(), out);
        } else if (v instanceof TimeMilliVector t) {
            writeString(LocalTime.ofNanoOfDay(t.get(i) * 1_000_000L).toString(), out);
        } else if (v instanceof TimeMicroVector t) {
            writeString(LocalTime.ofNanoOfDay(t.get(i) * 1_000L).toString(), out);
        } else if (v instanceof TimeNanoVector t) {
            writeString(LocalTime.ofNanoOfDay(t.get(i)).toString(), out);
        } else if (v instanceof TimeStampVector t) {
            ArrowType.Timestamp type = (ArrowType.Timestamp) t.getField().getType();
            long raw = t.get(i);
            TimeUnit unit = switch (type.getUnit()) {
                case SECOND -> TimeUnit.SECONDS;
                case MILLISECOND -> TimeUnit.MILLISECONDS;
                case MICROSECOND -> TimeUnit.MICROSECONDS;
                case NANOSECOND -> TimeUnit.NANOSECONDS;
            };
            long seconds = Math.floorDiv(raw, unit.convert(1, TimeUnit.SECONDS));
            long nanos = unit.toNanos(Math.floorMod(raw, unit.convert(1, TimeUnit.SECONDS)));
            Instant instant = Instant.ofEpochSecond(seconds, nanos);
            writeString(type.getTimezone() != null ? instant.toString()
                    : LocalDateTime.ofInstant(instant, ZoneOffset.UTC).toString(), out);
        } else {
            Object o = v.getObject(i);
            writeString(String.valueOf(o), out);
        }
    }

    private static void writeDouble(double x, CopyBuffer out) {
        if (Double.isNaN(x)) {
            out.putAscii("\"NaN\"");
        } else if (Double.isInfinite(x)) {
            out.putAscii(x > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        } else {
            out.putAscii(BigDecimal.valueOf(x).toString());
        }
    }

    private static void writeUtf8(FieldVector v, int i, CopyBuffer out) {
        ArrowBuf data = v.getDataBuffer();
        long start;
        long end;
        if (v instanceof LargeVarCharVector) {
            start = v.getOffsetBuffer().getLong(8L * i);
            end = v.getOffsetBuffer().getLong(8L * i + 8);
        } else {
            start = v.getOffsetBuffer().getInt(4L * i);
            end = v.getOffsetBuffer().getInt(4L * i + 4);
        }
        out.putByte('"');
        for (long p = start; p < end; p++) {
            escape(data.getByte(p), out);
        }
        out.putByte('"');
    }

    private static void writeString(String s, CopyBuffer out) {
        byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.putByte('"');
        for (byte b : bytes) {
            escape(b, out);
        }
        out.putByte('"');
    }

    private static void escape(byte b, CopyBuffer out) {
        if (b == 0) {
            throw new IllegalArgumentException("text contains a NUL character (0x00), which jsonb cannot store");
        }
        if (b == '"' || b == '\\') {
            out.putByte('\\');
            out.putByte(b);
        } else if (b >= 0 && b < 0x20) {
            out.putAscii("\\u00");
            out.putByte(HEX[(b >> 4) & 0xF]);
            out.putByte(HEX[b & 0xF]);
        } else {
            out.putByte(b);
        }
    }
}
