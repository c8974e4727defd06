package org.loadperf.delta;

import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StructType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.apache.arrow.memory.ArrowBuf;
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

/**
 * Kernel {@link ColumnVector} views over Arrow vectors. Nothing is copied up front: every getter reads the Arrow
 * buffers at {@code base + rowId}, so a view covers any row range of a vector (a batch_size chunk, or the elements
 * of one list). Values the Kernel API hands out as objects ({@code String}, {@code byte[]}, {@code BigDecimal})
 * are materialized per call, because that is the only form the interface accepts.
 *
 * <p>The data files are no longer written through these views ({@link ArrowParquetWriter} reads the Arrow buffers
 * itself); they serve where Kernel's API wants a {@code ColumnVector}: the partition values of each row, the empty
 * batch from which Kernel's physical schema is learned, and the tests that write through Kernel's own writer. Views
 * are read-only and hold no state besides their range.
 *
 * <p>Over 400 lines on purpose: one small view per Arrow kind, read side by side.
 */
final class ArrowColumnVectors {

    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[256]);

    private ArrowColumnVectors() {
    }

    /**
     * A view of {@code length} rows of {@code vector} starting at {@code base}, typed {@code type} (the Delta type
     * of the vector's field, possibly with the table's nullability).
     */
    static ColumnVector view(ValueVector vector, DataType type, int base, int length) {
        if (vector instanceof BitVector v) {
            ArrowBuf data = v.getDataBuffer();
            return new View(type, base, length, vector) {
                @Override
                public boolean getBoolean(int rowId) {
                    int i = base + rowId;
                    return (data.getByte(i >>> 3) & (1 << (i & 7))) != 0;
                }
            };
        }
        if (vector instanceof TinyIntVector v) {
            return new View(type, base, length, vector) {
                @Override
                public byte getByte(int rowId) {
                    return v.get(base + rowId);
                }
            };
        }
        if (vector instanceof SmallIntVector v) {
            return new View(type, base, length, vector) {
                @Override
                public short getShort(int rowId) {
                    return v.get(base + rowId);
                }
            };
        }
        if (vector instanceof IntVector v) {
            ArrowBuf data = v.getDataBuffer();
            return new View(type, base, length, vector) {
                @Override
                public int getInt(int rowId) {
                    return data.getInt((long) (base + rowId) * IntVector.TYPE_WIDTH);
                }
            };
        }
        if (vector instanceof BigIntVector v) {
            ArrowBuf data = v.getDataBuffer();
            return new View(type, base, length, vector) {
                @Override
                public long getLong(int rowId) {
                    return data.getLong((long) (base + rowId) * BigIntVector.TYPE_WIDTH);
                }
            };
        }
        if (vector instanceof UInt1Vector v) {
            return new View(type, base, length, vector) {
                @Override
                public short getShort(int rowId) {
                    return (short) (v.get(base + rowId) & 0xFF);
                }
            };
        }
        if (vector instanceof UInt2Vector v) {
            return new View(type, base, length, vector) {
                @Override
                public int getInt(int rowId) {
                    return v.get(base + rowId);
                }
            };
        }
        if (vector instanceof UInt4Vector v) {
            return new View(type, base, length, vector) {
                @Override
                public long getLong(int rowId) {
                    return v.get(base + rowId) & 0xFFFF_FFFFL;
                }
            };
        }
        if (vector instanceof Float2Vector v) {
            return new View(type, base, length, vector) {
                @Override
                public float getFloat(int rowId) {
                    return v.getValueAsFloat(base + rowId);
                }
            };
        }
        if (vector instanceof Float4Vector v) {
            return new View(type, base, length, vector) {
                @Override
                public float getFloat(int rowId) {
                    return v.get(base + rowId);
                }
            };
        }
        if (vector instanceof Float8Vector v) {
            ArrowBuf data = v.getDataBuffer();
            return new View(type, base, length, vector) {
                @Override
                public double getDouble(int rowId) {
                    return data.getDouble((long) (base + rowId) * Float8Vector.TYPE_WIDTH);
                }
            };
        }
        if (vector instanceof DecimalVector v) {
            return new View(type, base, length, vector) {
                @Override
                public BigDecimal getDecimal(int rowId) {
                    return v.getObject(base + rowId);
                }
            };
        }
        if (vector instanceof Decimal256Vector v) {
            return new View(type, base, length, vector) {
                @Override
                public BigDecimal getDecimal(int rowId) {
                    return v.getObject(base + rowId);
                }
            };
        }
        if (vector instanceof DateDayVector v) {
            return new View(type, base, length, vector) {
                @Override
                public int getInt(int rowId) {
                    return v.get(base + rowId);
                }
            };
        }
        if (vector instanceof DateMilliVector v) {
            return new View(type, base, length, vector) {
                @Override
                public int getInt(int rowId) {
                    return (int) Math.floorDiv(v.get(base + rowId), 86_400_000L);
                }
            };
        }
        if (vector instanceof TimeStampVector v) {
            return timestamp(v, type, base, length);
        }
        if (vector instanceof BaseVariableWidthVector || vector instanceof BaseLargeVariableWidthVector
                || vector instanceof ViewVarCharVector || vector instanceof ViewVarBinaryVector
                || vector instanceof FixedSizeBinaryVector) {
            return bytes(vector, type, base, length);
        }
        if (vector instanceof MapVector v) {
            return map(v, (MapType) type, base, length);
        }
        if (vector instanceof ListVector v) {
            DataType elementType = ((ArrayType) type).getElementType();
            FieldVector data = v.getDataVector();
            return new View(type, base, length, vector) {
                @Override
                public ArrayValue getArray(int rowId) {
                    int start = v.getElementStartIndex(base + rowId);
                    return array(data, elementType, start, v.getElementEndIndex(base + rowId) - start);
                }
            };
        }
        if (vector instanceof LargeListVector v) {
            DataType elementType = ((ArrayType) type).getElementType();
            FieldVector data = v.getDataVector();
            return new View(type, base, length, vector) {
                @Override
                public ArrayValue getArray(int rowId) {
                    long start = v.getElementStartIndex(base + rowId);
                    return array(data, elementType, Math.toIntExact(start),
                            Math.toIntExact(v.getElementEndIndex(base + rowId) - start));
                }
            };
        }
        if (vector instanceof FixedSizeListVector v) {
            DataType elementType = ((ArrayType) type).getElementType();
            FieldVector data = v.getDataVector();
            int listSize = v.getListSize();
            return new View(type, base, length, vector) {
                @Override
                public ArrayValue getArray(int rowId) {
                    return array(data, elementType, (base + rowId) * listSize, listSize);
                }
            };
        }
        if (vector instanceof StructVector v) {
            StructType struct = (StructType) type;
            ColumnVector[] children = new ColumnVector[struct.length()];
            for (int i = 0; i < children.length; i++) {
                children[i] = view(v.getChildByOrdinal(i), struct.at(i).getDataType(), base, length);
            }
            return new View(type, base, length, vector) {
                @Override
                public ColumnVector getChild(int ordinal) {
                    return children[ordinal];
                }
            };
        }
        throw new IllegalArgumentException("no Delta view for Arrow vector " + vector.getClass().getSimpleName()
                + " of field '" + vector.getName() + "'");
    }

    private static ColumnVector timestamp(TimeStampVector v, DataType type, int base, int length) {
        ArrowType.Timestamp ts = (ArrowType.Timestamp) v.getField().getType();
        // Delta stores microseconds; nanoseconds are truncated toward negative infinity (documented in the README).
        switch (ts.getUnit()) {
            case SECOND:
                return new View(type, base, length, v) {
                    @Override
                    public long getLong(int rowId) {
                        return Math.multiplyExact(v.get(base + rowId), 1_000_000L);
                    }
                };
            case MILLISECOND:
                return new View(type, base, length, v) {
                    @Override
                    public long getLong(int rowId) {
                        return Math.multiplyExact(v.get(base + rowId), 1_000L);
                    }
                };
            case MICROSECOND: {
                ArrowBuf data = v.getDataBuffer();
                return new View(type, base, length, v) {
                    @Override
                    public long getLong(int rowId) {
                        return data.getLong((long) (base + rowId) * TimeStampVector.TYPE_WIDTH);
                    }
                };
            }
            default:
                return new View(type, base, length, v) {
                    @Override
                    public long getLong(int rowId) {
                        return Math.floorDiv(v.get(base + rowId), 1_000L);
                    }
                };
        }
    }

    private static ColumnVector bytes(ValueVector vector, DataType type, int base, int length) {
        if (vector instanceof BaseVariableWidthVector v) {
            ArrowBuf offsets = v.getOffsetBuffer();
            ArrowBuf data = v.getDataBuffer();
            return new View(type, base, length, vector) {
                @Override
                public String getString(int rowId) {
                    // Decoded from a per-thread scratch array: Kernel turns the String straight back into bytes, so
                    // an intermediate byte[] per value would be pure garbage.
                    long at = (long) (base + rowId) * BaseVariableWidthVector.OFFSET_WIDTH;
                    int start = offsets.getInt(at);
                    int len = offsets.getInt(at + BaseVariableWidthVector.OFFSET_WIDTH) - start;
                    byte[] scratch = SCRATCH.get();
                    if (scratch.length < len) {
                        scratch = new byte[Math.max(len, scratch.length * 2)];
                        SCRATCH.set(scratch);
                    }
                    data.getBytes(start, scratch, 0, len);
                    return new String(scratch, 0, len, StandardCharsets.UTF_8);
                }

                @Override
                public byte[] getBinary(int rowId) {
                    long at = (long) (base + rowId) * BaseVariableWidthVector.OFFSET_WIDTH;
                    int start = offsets.getInt(at);
                    byte[] b = new byte[offsets.getInt(at + BaseVariableWidthVector.OFFSET_WIDTH) - start];
                    data.getBytes(start, b, 0, b.length);
                    return b;
                }
            };
        }
        return new View(type, base, length, vector) {
            @Override
            public String getString(int rowId) {
                return new String(raw(rowId), StandardCharsets.UTF_8);
            }

            @Override
            public byte[] getBinary(int rowId) {
                return raw(rowId);
            }

            private byte[] raw(int rowId) {
                int i = base + rowId;
                if (vector instanceof BaseVariableWidthVector v) {
                    return v.get(i);
                }
                if (vector instanceof BaseLargeVariableWidthVector v) {
                    return v.get(i);
                }
                if (vector instanceof ViewVarCharVector v) {
                    return v.get(i);
                }
                if (vector instanceof ViewVarBinaryVector v) {
                    return v.get(i);
                }
                return ((FixedSizeBinaryVector) vector).get(i);
            }
        };
    }

    private static ColumnVector map(MapVector v, MapType mapType, int base, int length) {
        StructVector entries = (StructVector) v.getDataVector();
        ValueVector keys = entries.getChildByOrdinal(0);
        ValueVector values = entries.getChildByOrdinal(1);
        return new View(mapType, base, length, v) {
            @Override
            public MapValue getMap(int rowId) {
                int start = v.getElementStartIndex(base + rowId);
                int size = v.getElementEndIndex(base + rowId) - start;
                ColumnVector k = view(keys, mapType.getKeyType(), start, size);
                ColumnVector val = view(values, mapType.getValueType(), start, size);
                return new MapValue() {
                    @Override
                    public int getSize() {
                        return size;
                    }

                    @Override
                    public ColumnVector getKeys() {
                        return k;
                    }

                    @Override
                    public ColumnVector getValues() {
                        return val;
                    }
                };
            }
        };
    }

    private static ArrayValue array(FieldVector data, DataType elementType, int start, int size) {
        ColumnVector elements = view(data, elementType, start, size);
        return new ArrayValue() {
            @Override
            public int getSize() {
                return size;
            }

            @Override
            public ColumnVector getElements() {
                return elements;
            }
        };
    }

    /** The common part of every view: type, range and null bits. */
    private abstract static class View implements ColumnVector {
        final DataType type;
        final int base;
        final int length;
        private final ArrowBuf validity;

        View(DataType type, int base, int length, ValueVector vector) {
            this.type = type;
            this.base = base;
            this.length = length;
            this.validity = vector.getValidityBuffer();
        }

        @Override
        public DataType getDataType() {
            return type;
        }

        @Override
        public int getSize() {
            return length;
        }

        @Override
        public boolean isNullAt(int rowId) {
            // The validity bitmap read directly: ValueVector.isNull is an interface call on every value.
            int i = base + rowId;
            return (validity.getByte(i >>> 3) & (1 << (i & 7))) == 0;
        }

        @Override
        public void close() {
            // The Arrow vectors belong to the caller's VectorSchemaRoot.
        }
    }

    /** A column of nulls, for a nullable table column the loaded data does not have. */
    static ColumnVector nulls(DataType type, int length) {
        return new ColumnVector() {
            @Override
            public DataType getDataType() {
                return type;
            }

            @Override
            public int getSize() {
                return length;
            }

            @Override
            public boolean isNullAt(int rowId) {
                return true;
            }

            @Override
            public ColumnVector getChild(int ordinal) {
                return nulls(((StructType) type).at(ordinal).getDataType(), length);
            }

            @Override
            public void close() {
            }
        };
    }
}
