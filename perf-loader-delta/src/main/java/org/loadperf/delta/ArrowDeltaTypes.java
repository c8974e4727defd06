package org.loadperf.delta;

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
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.loadperf.api.loader.LoaderException;

/**
 * Maps Arrow types to Delta types. Unsigned integers widen losslessly (uint8 to short, uint16 to int, uint32 to
 * long); a type Delta cannot hold (uint64, time of day, intervals, unions, dictionary-encoded columns, decimals
 * wider than 38 digits) fails before anything is written, naming the column.
 */
final class ArrowDeltaTypes {

    private ArrowDeltaTypes() {
    }

    static StructType toDelta(Schema schema) {
        StructType struct = new StructType();
        for (Field f : schema.getFields()) {
            struct = struct.add(new StructField(f.getName(), toDelta(f, f.getName()), f.isNullable()));
        }
        return struct;
    }

    static DataType toDelta(Field field, String path) {
        if (field.getDictionary() != null) {
            throw unsupported(path, "dictionary-encoded " + field.getType() + " (decode it first)");
        }
        ArrowType t = field.getType();
        List<Field> children = field.getChildren();
        switch (t.getTypeID()) {
            case Int: {
                ArrowType.Int i = (ArrowType.Int) t;
                if (i.getIsSigned()) {
                    switch (i.getBitWidth()) {
                        case 8: return ByteType.BYTE;
                        case 16: return ShortType.SHORT;
                        case 32: return IntegerType.INTEGER;
                        default: return LongType.LONG;
                    }
                }
                switch (i.getBitWidth()) {
                    case 8: return ShortType.SHORT;
                    case 16: return IntegerType.INTEGER;
                    case 32: return LongType.LONG;
                    default: throw unsupported(path, "uint64 (Delta has no unsigned 64-bit type; cast to int64 "
                            + "or decimal(20,0))");
                }
            }
            case FloatingPoint:
                return ((ArrowType.FloatingPoint) t).getPrecision()
                        == org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE
                        ? DoubleType.DOUBLE : FloatType.FLOAT;
            case Utf8:
            case LargeUtf8:
            case Utf8View:
                return StringType.STRING;
            case Binary:
            case LargeBinary:
            case FixedSizeBinary:
            case BinaryView:
                return BinaryType.BINARY;
            case Bool:
                return BooleanType.BOOLEAN;
            case Decimal: {
                ArrowType.Decimal d = (ArrowType.Decimal) t;
                if (d.getPrecision() > 38 || d.getScale() < 0 || d.getScale() > d.getPrecision()) {
                    throw unsupported(path, "decimal(" + d.getPrecision() + "," + d.getScale()
                            + ") (Delta decimals hold at most 38 digits with 0 <= scale <= precision)");
                }
                return new DecimalType(d.getPrecision(), d.getScale());
            }
            case Date:
                return DateType.DATE;
            case Timestamp:
                return ((ArrowType.Timestamp) t).getTimezone() == null
                        ? TimestampNTZType.TIMESTAMP_NTZ : TimestampType.TIMESTAMP;
            case List:
            case LargeList:
            case FixedSizeList: {
                Field element = children.get(0);
                return new ArrayType(toDelta(element, path + ".element"), element.isNullable());
            }
            case Struct: {
                StructType struct = new StructType();
                for (Field c : children) {
                    struct = struct.add(new StructField(c.getName(), toDelta(c, path + "." + c.getName()),
                            c.isNullable()));
                }
                return struct;
            }
            case Map: {
                List<Field> kv = children.get(0).getChildren();
                Field key = kv.get(0);
                Field value = kv.get(1);
                return new MapType(toDelta(key, path + ".key"), toDelta(value, path + ".value"),
                        value.isNullable());
            }
            default:
                throw unsupported(path, t.toString());
        }
    }

    /** Whether {@code a} and {@code b} are the same type when nullability is ignored. */
    static boolean sameShape(DataType a, DataType b) {
        if (a instanceof StructType sa && b instanceof StructType sb) {
            if (sa.length() != sb.length()) {
                return false;
            }
            for (int i = 0; i < sa.length(); i++) {
                if (!sa.at(i).getName().equals(sb.at(i).getName())
                        || !sameShape(sa.at(i).getDataType(), sb.at(i).getDataType())) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof ArrayType aa && b instanceof ArrayType ab) {
            return sameShape(aa.getElementType(), ab.getElementType());
        }
        if (a instanceof MapType ma && b instanceof MapType mb) {
            return sameShape(ma.getKeyType(), mb.getKeyType()) && sameShape(ma.getValueType(), mb.getValueType());
        }
        return a.equals(b);
    }

    private static LoaderException unsupported(String path, String what) {
        return new LoaderException("Column '" + path + "' has Arrow type " + what
                + " which Delta Lake cannot store; nothing was written");
    }
}
