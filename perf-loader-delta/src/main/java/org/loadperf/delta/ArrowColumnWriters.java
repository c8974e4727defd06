package org.loadperf.delta;

import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
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
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.ViewVarBinaryVector;
import org.apache.arrow.vector.ViewVarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * Writes Arrow values straight into parquet-mr's column writers, with the repetition and definition levels computed
 * here (the Dremel encoding), instead of going through parquet-mr's row-by-row {@code RecordConsumer}: that layer
 * (field bookkeeping, per-record bit sets, a virtual call per start/end of every field) cost about 15% of a plain
 * parquet-hadoop write of the guide's data, and the values need no intermediate object at all here (strings are
 * copied from the Arrow buffer into a reused array, parquet-mr copies what it keeps).
 *
 * <p>A tree of {@link Node}s mirrors the Parquet schema of {@link ParquetSchemas}; each is bound to its Arrow vector
 * and to the current column writers, so it is rebuilt for every chunk and every row group (cheap: one object per
 * field). Indexes are absolute positions in the node's Arrow vector; list elements and map entries index the child
 * vector through the offsets.
 *
 * <p>Over 400 lines on purpose: one node per Arrow kind and the level computation they share, read side by side.
 */
final class ArrowColumnWriters {

    private ArrowColumnWriters() {
    }

    /** One field of the Parquet schema bound to its Arrow vector (or to nothing: a column of NULLs). */
    abstract static class Node {
        /** Writes the value at {@code i}, the first value of it at repetition level {@code r}, under {@code d} levels. */
        abstract void write(int i, int r, int d);

        /** Writes a NULL (or an absent ancestor) at {@code (r, d)} into every leaf column under this field. */
        abstract void writeNull(int r, int d);

        /**
         * Writes rows {@code from} to {@code to - 1} of a top-level field, one column after the other: the caller
         * ends their records afterwards. A column's values, its writer and its buffers stay in the cache for the
         * whole run, where a row at a time goes through every column's for each row.
         */
        void writeRun(int from, int to) {
            for (int i = from; i < to; i++) {
                write(i, 0, 0);
            }
        }
    }

    /**
     * The root nodes of {@code schema} (a physical Delta schema) bound to {@code vectors} (one per field, {@code null}
     * for a column missing from the data) and to the column writers of {@code store}.
     */
    static Node[] bind(StructType schema, FieldVector[] vectors, MessageType parquet, ColumnWriteStore store) {
        Node[] nodes = new Node[schema.length()];
        for (int c = 0; c < nodes.length; c++) {
            StructField f = schema.at(c);
            List<String> path = new ArrayList<>();
            path.add(f.getName());
            nodes[c] = node(f.getDataType(), f.isNullable(), vectors[c], path, 0, parquet, store);
        }
        return nodes;
    }

    private static Node node(DataType type, boolean optional, ValueVector v, List<String> path, int rep,
                             MessageType parquet, ColumnWriteStore store) {
        if (v == null) {
            return nulls(type, path, parquet, store);
        }
        if (type instanceof StructType s) {
            StructVector sv = (StructVector) v;
            Node[] children = new Node[s.length()];
            for (int i = 0; i < children.length; i++) {
                StructField f = s.at(i);
                children[i] = node(f.getDataType(), f.isNullable(), sv.getChildByOrdinal(i), with(path, f.getName()),
                        rep, parquet, store);
            }
            return new Struct(v, optional, children);
        }
        if (type instanceof ArrayType a) {
            ValueVector data;
            Offsets offsets;
            if (v instanceof ListVector l) {
                data = l.getDataVector();
                ArrowBuf o = l.getOffsetBuffer();
                offsets = i -> o.getInt((long) i * ListVector.OFFSET_WIDTH);
            } else if (v instanceof LargeListVector l) {
                data = l.getDataVector();
                ArrowBuf o = l.getOffsetBuffer();
                offsets = i -> Math.toIntExact(o.getLong((long) i * LargeListVector.OFFSET_WIDTH));
            } else {
                FixedSizeListVector l = (FixedSizeListVector) v;
                data = l.getDataVector();
                int size = l.getListSize();
                offsets = i -> i * size;
            }
            Node element = node(a.getElementType(), a.containsNull(), data, with(with(path, "list"), "element"),
                    rep + 1, parquet, store);
            return new Repeated(v, optional, offsets, element, rep + 1);
        }
        if (type instanceof MapType m) {
            MapVector mv = (MapVector) v;
            StructVector entries = (StructVector) mv.getDataVector();
            List<String> kv = with(path, "key_value");
            Node key = node(m.getKeyType(), false, entries.getChildByOrdinal(0), with(kv, "key"), rep + 1, parquet,
                    store);
            Node value = node(m.getValueType(), m.isValueContainsNull(), entries.getChildByOrdinal(1),
                    with(kv, "value"), rep + 1, parquet, store);
            ArrowBuf o = mv.getOffsetBuffer();
            // The entries struct is never null in Arrow's map layout; it is Parquet's required key_value group.
            return new Repeated(v, optional, i -> o.getInt((long) i * MapVector.OFFSET_WIDTH),
                    new Struct(null, false, new Node[] {key, value}), rep + 1);
        }
        ColumnWriter w = store.getColumnWriter(parquet.getColumnDescription(path.toArray(new String[0])));
        return leaf(type, optional, v, w);
    }

    private static List<String> with(List<String> path, String name) {
        List<String> p = new ArrayList<>(path);
        p.add(name);
        return p;
    }

    /** Nodes for a column the data does not have: every leaf under it gets NULLs. */
    private static Node nulls(DataType type, List<String> path, MessageType parquet, ColumnWriteStore store) {
        List<ColumnWriter> leaves = new ArrayList<>();
        for (org.apache.parquet.column.ColumnDescriptor c : parquet.getColumns()) {
            String[] p = c.getPath();
            if (p.length >= path.size() && List.of(p).subList(0, path.size()).equals(path)) {
                leaves.add(store.getColumnWriter(c));
            }
        }
        ColumnWriter[] ws = leaves.toArray(new ColumnWriter[0]);
        return new Node() {
            @Override
            void write(int i, int r, int d) {
                writeNull(r, d);
            }

            @Override
            void writeNull(int r, int d) {
                for (ColumnWriter w : ws) {
                    w.writeNull(r, d);
                }
            }
        };
    }

    /** Offsets of a list-like vector: element {@code i} spans {@code at(i)} to {@code at(i + 1)}. */
    private interface Offsets {
        int at(int i);
    }

    /**
     * A buffer read by address after one range check per read: ArrowBuf's own checks (reference count, bounds, on
     * every call) cost more than the read, and these reads are most of a large load's own work.
     */
    static final class Raw {
        private final long address;
        private final long capacity;

        Raw(ArrowBuf buf) {
            this.address = buf.memoryAddress();
            this.capacity = buf.capacity();
        }

        /** The address of {@code width} bytes at {@code offset}, which must lie inside the buffer. */
        long at(long offset, long width) {
            if (offset < 0 || width < 0 || offset > capacity - width) {
                throw new IndexOutOfBoundsException(width + " bytes at " + offset + " of an Arrow buffer of "
                        + capacity + " bytes");
            }
            return address + offset;
        }

        long capacity() {
            return capacity;
        }

        boolean bit(int i) {
            return (MemoryUtil.getByte(at(i >>> 3, 1)) & (1 << (i & 7))) != 0;
        }

        int getInt(long offset) {
            return MemoryUtil.getInt(at(offset, 4));
        }

        long getLong(long offset) {
            return MemoryUtil.getLong(at(offset, 8));
        }
    }

    private static final class Struct extends Node {
        private final Raw validity;
        private final boolean optional;
        private final Node[] children;

        Struct(ValueVector v, boolean optional, Node[] children) {
            this.optional = optional && v != null;
            this.validity = this.optional ? new Raw(v.getValidityBuffer()) : null;
            this.children = children;
        }

        @Override
        void write(int i, int r, int d) {
            if (optional) {
                if (!validity.bit(i)) {
                    writeNull(r, d);
                    return;
                }
                d++;
            }
            for (Node c : children) {
                c.write(i, r, d);
            }
        }

        @Override
        void writeNull(int r, int d) {
            for (Node c : children) {
                c.writeNull(r, d);
            }
        }
    }

    /** A list or a map: an (optional) group holding a repeated group of elements or key/value entries. */
    private static final class Repeated extends Node {
        private final Raw validity;
        private final boolean optional;
        private final Offsets offsets;
        private final Node element;
        private final int repetition;

        Repeated(ValueVector v, boolean optional, Offsets offsets, Node element, int repetition) {
            this.validity = optional ? new Raw(v.getValidityBuffer()) : null;
            this.optional = optional;
            this.offsets = offsets;
            this.element = element;
            this.repetition = repetition;
        }

        @Override
        void write(int i, int r, int d) {
            if (optional) {
                if (!validity.bit(i)) {
                    element.writeNull(r, d);
                    return;
                }
                d++;
            }
            int start = offsets.at(i);
            int end = offsets.at(i + 1);
            if (start == end) {
                element.writeNull(r, d); // an empty list: the list group is present, its repeated group is not
                return;
            }
            element.write(start, r, d + 1);
            for (int k = start + 1; k < end; k++) {
                element.write(k, repetition, d + 1);
            }
        }

        @Override
        void writeNull(int r, int d) {
            element.writeNull(r, d);
        }
    }

    /** A primitive column: the value of row {@code i} written with {@link #value}. */
    private abstract static class Leaf extends Node {
        final ColumnWriter w;
        private final Raw validity;
        private final boolean optional;

        Leaf(ColumnWriter w, ValueVector v, boolean optional) {
            this.w = w;
            this.validity = optional ? new Raw(v.getValidityBuffer()) : null;
            this.optional = optional;
        }

        @Override
        final void write(int i, int r, int d) {
            if (!optional) {
                value(i, r, d);
            } else if (!validity.bit(i)) {
                w.writeNull(r, d);
            } else {
                value(i, r, d + 1);
            }
        }

        @Override
        final void writeNull(int r, int d) {
            w.writeNull(r, d);
        }

        @Override
        final void writeRun(int from, int to) {
            if (!optional) {
                for (int i = from; i < to; i++) {
                    value(i, 0, 0);
                }
                return;
            }
            for (int i = from; i < to; i++) {
                if (validity.bit(i)) {
                    value(i, 0, 1);
                } else {
                    w.writeNull(0, 0);
                }
            }
        }

        abstract void value(int i, int r, int d);
    }

    private static Node leaf(DataType type, boolean optional, ValueVector vector, ColumnWriter w) {
        if (vector instanceof BitVector v) {
            Raw data = new Raw(v.getDataBuffer());
            return new Leaf(w, v, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write(data.bit(i), r, d);
                }
            };
        }
        if (vector instanceof TinyIntVector v) {
            ArrowBuf data = v.getDataBuffer();
            return new Leaf(w, v, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write((int) data.getByte(i), r, d);
                }
            };
        }
        if (vector instanceof SmallIntVector v) {
            ArrowBuf data = v.getDataBuffer();
            return new Leaf(w, v, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write((int) data.getShort((long) i * SmallIntVector.TYPE_WIDTH), r, d);
                }
            };
        }
        if (vector instanceof IntVector || vector instanceof DateDayVector) {
            Raw data = new Raw(((org.apache.arrow.vector.BaseFixedWidthVector) vector).getDataBuffer());
            return new Leaf(w, vector, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write(data.getInt((long) i * 4), r, d);
                }
            };
        }
        if (vector instanceof BigIntVector v) {
            Raw data = new Raw(v.getDataBuffer());
            return new Leaf(w, v, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write(data.getLong((long) i * BigIntVector.TYPE_WIDTH), r, d);
                }
            };
        }
        if (vector instanceof UInt1Vector v) {
            ArrowBuf data = v.getDataBuffer();
            return new Leaf(w, v, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write(data.getByte(i) & 0xFF, r, d);
                }
            };
        }
        if (vector instanceof UInt2Vector v) {
            ArrowBuf data = v.getDataBuffer();
            return new Leaf(w, v, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write(data.getShort((long) i * UInt2Vector.TYPE_WIDTH) & 0xFFFF, r, d);
                }
            };
        }
        if (vector instanceof UInt4Vector v) {
            ArrowBuf data = v.getDataBuffer();
            return new Leaf(w, v, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write(data.getInt((long) i * UInt4Vector.TYPE_WIDTH) & 0xFFFF_FFFFL, r, d);
                }
            };
        }
        if (vector instanceof Float2Vector v) {
            return new Leaf(w, v, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write(v.getValueAsFloat(i), r, d);
                }
            };
        }
        if (vector instanceof Float4Vector v) {
            ArrowBuf data = v.getDataBuffer();
            return new Leaf(w, v, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write(data.getFloat((long) i * Float4Vector.TYPE_WIDTH), r, d);
                }
            };
        }
        if (vector instanceof Float8Vector v) {
            Raw data = new Raw(v.getDataBuffer());
            return new Leaf(w, v, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write(Double.longBitsToDouble(data.getLong((long) i * Float8Vector.TYPE_WIDTH)), r, d);
                }
            };
        }
        if (vector instanceof DecimalVector || vector instanceof Decimal256Vector) {
            return decimal((DecimalType) type, optional, (FieldVector) vector, w);
        }
        if (vector instanceof DateMilliVector v) {
            ArrowBuf data = v.getDataBuffer();
            return new Leaf(w, v, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write((int) Math.floorDiv(data.getLong((long) i * DateMilliVector.TYPE_WIDTH), 86_400_000L), r,
                            d);
                }
            };
        }
        if (vector instanceof TimeStampVector v) {
            return timestamp(v, optional, w);
        }
        if (vector instanceof BaseVariableWidthVector v) {
            return new VariableWidth(w, v, optional);
        }
        if (vector instanceof BaseLargeVariableWidthVector v) {
            return bytes(v, optional, w, i -> v.get(i));
        }
        if (vector instanceof ViewVarCharVector v) {
            return bytes(v, optional, w, i -> v.get(i));
        }
        if (vector instanceof ViewVarBinaryVector v) {
            return bytes(v, optional, w, i -> v.get(i));
        }
        if (vector instanceof FixedSizeBinaryVector v) {
            return bytes(v, optional, w, i -> v.get(i));
        }
        throw new IllegalArgumentException("no Parquet writer for Arrow vector " + vector.getClass().getSimpleName()
                + " of field '" + vector.getName() + "'");
    }

    /**
     * Strings and binaries, copied from the Arrow data buffer into an array a window of {@link #WINDOW} bytes at a
     * time rather than one value at a time (a copy call per short value was 16% of a large load).
     */
    private static final class VariableWidth extends Leaf {
        static final int WINDOW = 64 * 1024;
        private final Raw offsets;
        private final Raw data;
        private byte[] window = new byte[0];
        private long windowStart;
        private long windowEnd;

        VariableWidth(ColumnWriter w, BaseVariableWidthVector v, boolean optional) {
            super(w, v, optional);
            this.offsets = new Raw(v.getOffsetBuffer());
            this.data = new Raw(v.getDataBuffer());
        }

        @Override
        void value(int i, int r, int d) {
            long at = (long) i * BaseVariableWidthVector.OFFSET_WIDTH;
            int start = offsets.getInt(at);
            int end = offsets.getInt(at + BaseVariableWidthVector.OFFSET_WIDTH);
            if (start < windowStart || end > windowEnd) {
                fill(start, end);
            }
            // "Reused": parquet-mr copies the bytes wherever it keeps them (dictionary, statistics).
            w.write(Binary.fromReusedByteArray(window, (int) (start - windowStart), end - start), r, d);
        }

        private void fill(int start, int end) {
            long len = Math.max((long) end - start, Math.min(WINDOW, data.capacity() - start));
            long from = data.at(start, len);
            if (end < start) {
                throw new IndexOutOfBoundsException("value offsets " + start + ".." + end + " go backwards");
            }
            if (window.length < len) {
                window = new byte[(int) Math.max(len, WINDOW)];
            }
            MemoryUtil.copyFromMemory(from, window, 0, len);
            windowStart = start;
            windowEnd = start + len;
        }
    }

    private interface Bytes {
        byte[] get(int i);
    }

    private static Node bytes(ValueVector v, boolean optional, ColumnWriter w, Bytes bytes) {
        return new Leaf(w, v, optional) {
            @Override
            void value(int i, int r, int d) {
                w.write(Binary.fromConstantByteArray(bytes.get(i)), r, d);
            }
        };
    }

    private static Node timestamp(TimeStampVector v, boolean optional, ColumnWriter w) {
        Raw data = new Raw(v.getDataBuffer());
        // Delta stores microseconds; nanoseconds are truncated toward negative infinity, as ArrowColumnVectors does.
        long multiply;
        long divide;
        switch (((ArrowType.Timestamp) v.getField().getType()).getUnit()) {
            case SECOND -> {
                multiply = 1_000_000L;
                divide = 1;
            }
            case MILLISECOND -> {
                multiply = 1_000L;
                divide = 1;
            }
            case MICROSECOND -> {
                multiply = 1;
                divide = 1;
            }
            default -> {
                multiply = 1;
                divide = 1_000L;
            }
        }
        if (multiply == 1 && divide == 1) {
            return new Leaf(w, v, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write(data.getLong((long) i * TimeStampVector.TYPE_WIDTH), r, d);
                }
            };
        }
        return new Leaf(w, v, optional) {
            @Override
            void value(int i, int r, int d) {
                long raw = data.getLong((long) i * TimeStampVector.TYPE_WIDTH);
                w.write(divide == 1 ? Math.multiplyExact(raw, multiply) : Math.floorDiv(raw, divide), r, d);
            }
        };
    }

    /**
     * Decimals as Kernel writes them: the unscaled value as INT32 (<= 9 digits), INT64 (<= 18 digits) or big-endian
     * two's complement in the smallest fixed length for the precision. Arrow holds the unscaled value as 16 (or 32)
     * little-endian bytes, so the low bytes are the value (it fits the precision) and are read without a BigDecimal.
     */
    private static Node decimal(DecimalType type, boolean optional, FieldVector v, ColumnWriter w) {
        ArrowBuf data = v.getDataBuffer();
        int width = v instanceof DecimalVector ? DecimalVector.TYPE_WIDTH : Decimal256Vector.TYPE_WIDTH;
        int precision = type.getPrecision();
        if (precision <= ParquetSchemas.MAX_DIGITS_IN_INT) {
            return new Leaf(w, v, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write(data.getInt((long) i * width), r, d);
                }
            };
        }
        if (precision <= ParquetSchemas.MAX_DIGITS_IN_LONG) {
            return new Leaf(w, v, optional) {
                @Override
                void value(int i, int r, int d) {
                    w.write(data.getLong((long) i * width), r, d);
                }
            };
        }
        int n = ParquetSchemas.fixedLengthBytes(precision);
        return new Leaf(w, v, optional) {
            private final byte[] le = new byte[width];
            private final byte[] be = new byte[n];

            @Override
            void value(int i, int r, int d) {
                data.getBytes((long) i * width, le, 0, width);
                for (int k = 0; k < n; k++) {
                    be[k] = le[n - 1 - k];
                }
                w.write(Binary.fromReusedByteArray(be), r, d);
            }
        };
    }
}
