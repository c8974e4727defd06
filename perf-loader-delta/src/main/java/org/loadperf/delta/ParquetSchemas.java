package org.loadperf.delta;

import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BOOLEAN;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.DOUBLE;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.FLOAT;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;

import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * The Parquet schema Delta Kernel 4.0.0's default writer gives a Delta schema ({@code ParquetSchemaUtils
 * .toParquetSchema}, package-private in kernel-defaults), reproduced so files written by {@link ArrowParquetWriter}
 * read exactly like Kernel's: byte/short/int as plain INT32, decimals as INT32 (<= 9 digits), INT64 (<= 18) or the
 * smallest FIXED_LEN_BYTE_ARRAY, timestamps as INT64 micros (adjusted to UTC for {@code timestamp}, not for
 * {@code timestamp_ntz}), 3-level lists ({@code list}/{@code element}) and maps ({@code key_value}/{@code key}/
 * {@code value}). No field ids: Kernel 4.0.0 refuses to write column-mapping tables, the only ones that need them.
 * {@code KernelWriterParityTest} compares the result with the footer of a file Kernel wrote.
 */
final class ParquetSchemas {

    /** The message name Kernel's writer uses. */
    static final String MESSAGE_NAME = "DefaultKernelSchema";
    static final int MAX_DIGITS_IN_INT = 9;
    static final int MAX_DIGITS_IN_LONG = 18;

    private ParquetSchemas() {
    }

    static MessageType toParquet(StructType schema) {
        List<Type> types = new ArrayList<>();
        for (StructField f : schema.fields()) {
            types.add(toParquet(f.getDataType(), f.getName(), repetition(f.isNullable())));
        }
        return new MessageType(MESSAGE_NAME, types);
    }

    /** Bytes of the FIXED_LEN_BYTE_ARRAY holding any unscaled value of {@code precision} digits (as Kernel). */
    static int fixedLengthBytes(int precision) {
        int n = 1;
        while (Math.pow(2.0, 8 * n - 1) < Math.pow(10.0, precision)) {
            n++;
        }
        return n;
    }

    private static Repetition repetition(boolean nullable) {
        return nullable ? Repetition.OPTIONAL : Repetition.REQUIRED;
    }

    private static Type toParquet(DataType t, String name, Repetition rep) {
        if (t instanceof BooleanType) {
            return Types.primitive(BOOLEAN, rep).named(name);
        } else if (t instanceof ByteType || t instanceof ShortType || t instanceof IntegerType) {
            return Types.primitive(INT32, rep).named(name);
        } else if (t instanceof LongType) {
            return Types.primitive(INT64, rep).named(name);
        } else if (t instanceof FloatType) {
            return Types.primitive(FLOAT, rep).named(name);
        } else if (t instanceof DoubleType) {
            return Types.primitive(DOUBLE, rep).named(name);
        } else if (t instanceof DecimalType d) {
            LogicalTypeAnnotation a = LogicalTypeAnnotation.decimalType(d.getScale(), d.getPrecision());
            if (d.getPrecision() <= MAX_DIGITS_IN_INT) {
                return Types.primitive(INT32, rep).as(a).named(name);
            } else if (d.getPrecision() <= MAX_DIGITS_IN_LONG) {
                return Types.primitive(INT64, rep).as(a).named(name);
            }
            return Types.primitive(FIXED_LEN_BYTE_ARRAY, rep).as(a).length(fixedLengthBytes(d.getPrecision()))
                    .named(name);
        } else if (t instanceof StringType) {
            return Types.primitive(BINARY, rep).as(LogicalTypeAnnotation.stringType()).named(name);
        } else if (t instanceof BinaryType) {
            return Types.primitive(BINARY, rep).named(name);
        } else if (t instanceof DateType) {
            return Types.primitive(INT32, rep).as(LogicalTypeAnnotation.dateType()).named(name);
        } else if (t instanceof TimestampType) {
            return Types.primitive(INT64, rep)
                    .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).named(name);
        } else if (t instanceof TimestampNTZType) {
            return Types.primitive(INT64, rep)
                    .as(LogicalTypeAnnotation.timestampType(false, LogicalTypeAnnotation.TimeUnit.MICROS)).named(name);
        } else if (t instanceof ArrayType a) {
            return Types.buildGroup(rep).as(LogicalTypeAnnotation.listType())
                    .addField(Types.repeatedGroup()
                            .addField(toParquet(a.getElementType(), "element", repetition(a.containsNull())))
                            .named("list"))
                    .named(name);
        } else if (t instanceof MapType m) {
            return Types.buildGroup(rep).as(LogicalTypeAnnotation.mapType())
                    .addField(Types.repeatedGroup()
                            .addField(toParquet(m.getKeyType(), "key", Repetition.REQUIRED))
                            .addField(toParquet(m.getValueType(), "value", repetition(m.isValueContainsNull())))
                            .named("key_value"))
                    .named(name);
        } else if (t instanceof StructType s) {
            List<Type> fields = new ArrayList<>();
            for (StructField f : s.fields()) {
                fields.add(toParquet(f.getDataType(), f.getName(), repetition(f.isNullable())));
            }
            return Types.buildGroup(rep).addFields(fields.toArray(new Type[0])).named(name);
        }
        throw new IllegalArgumentException("no Parquet type for Delta type " + t + " of column '" + name + "'");
    }
}
