package org.loadperf.postgres;

import java.util.Set;
import java.util.function.Function;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.postgres.CopyFieldEncoder.Target;

/**
 * Arrow types to PostgreSQL types: the column type a new table gets ({@link #ddl}), and the encoder that writes an
 * Arrow field into an existing column ({@link #encoderFor}), widening where no value can change and refusing
 * otherwise, before anything is sent.
 */
final class PgTypeMapping {

    static final int BOOL = 16;
    static final int BYTEA = 17;
    static final int INT8 = 20;
    static final int INT2 = 21;
    static final int INT4 = 23;
    static final int TEXT = 25;
    static final int JSON = 114;
    static final int FLOAT4 = 700;
    static final int FLOAT8 = 701;
    static final int BPCHAR = 1042;
    static final int VARCHAR = 1043;
    static final int DATE = 1082;
    static final int TIME = 1083;
    static final int TIMESTAMP = 1114;
    static final int TIMESTAMPTZ = 1184;
    static final int NUMERIC = 1700;
    static final int JSONB = 3802;

    private static final Set<Integer> TEXT_TYPES = Set.of(TEXT, VARCHAR, BPCHAR);

    /** A column of an existing table, as read from the catalog. */
    record PgColumn(String name, int oid, String typeName, int elementOid, String elementTypeName) {
        boolean isArray() {
            return elementOid != 0;
        }
    }

    /** Makes the encoder of one column for a given vector (vectors may change between batches). */
    interface EncoderFactory extends Function<FieldVector, CopyFieldEncoder> {
    }

    private PgTypeMapping() {
    }

    /** The PostgreSQL type a new column for {@code field} gets. */
    static String ddl(Field field) {
        ArrowType t = field.getType();
        return switch (t.getTypeID()) {
            case Int -> {
                ArrowType.Int i = (ArrowType.Int) t;
                int bits = i.getBitWidth() + (i.getIsSigned() ? 0 : 1);
                yield bits <= 16 ? "smallint" : bits <= 32 ? "integer" : bits <= 64 ? "bigint" : "numeric(20,0)";
            }
            case FloatingPoint -> ((ArrowType.FloatingPoint) t).getPrecision()
                    == org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE ? "double precision" : "real";
            case Decimal -> {
                ArrowType.Decimal d = (ArrowType.Decimal) t;
                if (d.getScale() < 0 || d.getScale() > d.getPrecision()) {
                    yield "numeric";
                }
                yield "numeric(" + d.getPrecision() + "," + d.getScale() + ")";
            }
            case Utf8, LargeUtf8 -> "text";
            case Binary, LargeBinary, FixedSizeBinary -> "bytea";
            case Bool -> "boolean";
            case Date -> "date";
            case Time -> "time";
            case Timestamp -> ((ArrowType.Timestamp) t).getTimezone() != null ? "timestamptz" : "timestamp";
            case List, LargeList, FixedSizeList -> {
                Field child = field.getChildren().get(0);
                yield isScalar(child.getType()) ? ddl(child) + "[]" : "jsonb";
            }
            case Struct, Map -> "jsonb";
            default -> throw unsupported(field);
        };
    }

    private static boolean isScalar(ArrowType t) {
        return switch (t.getTypeID()) {
            case Int, FloatingPoint, Decimal, Utf8, LargeUtf8, Binary, LargeBinary, FixedSizeBinary, Bool, Date, Time,
                    Timestamp -> true;
            default -> false;
        };
    }

    private static LoaderException unsupported(Field field) {
        return new LoaderException("Column \"" + field.getName() + "\": Arrow type " + field.getType()
                + " is not supported by the PostgreSQL loader (supported: integers, floats, decimals, utf8, binary,"
                + " bool, date, time, timestamp, list, struct, map)");
    }

    /**
     * The encoder writing {@code field} into {@code column}.
     *
     * @throws LoaderException naming the column and both types when no value-preserving encoding exists
     */
    static EncoderFactory encoderFor(Field field, PgColumn column, String table) {
        EncoderFactory f = resolve(field, column);
        if (f == null) {
            throw new LoaderException("Column \"" + column.name() + "\" of table " + table + " has PostgreSQL type "
                    + column.typeName() + ", but the Arrow field has type " + field.getType()
                    + " (which maps to " + safeDdl(field) + "); the values cannot be written to it without loss."
                    + " Change the column's type or the data's");
        }
        return f;
    }

    private static String safeDdl(Field field) {
        try {
            return ddl(field);
        } catch (LoaderException e) {
            return "no PostgreSQL type";
        }
    }

    private static EncoderFactory resolve(Field field, PgColumn col) {
        ArrowType t = field.getType();
        String name = col.name();
        int oid = col.oid();
        switch (t.getTypeID()) {
            case Int -> {
                ArrowType.Int i = (ArrowType.Int) t;
                int width = i.getBitWidth() / 8;
                boolean unsigned = !i.getIsSigned();
                int bits = i.getBitWidth() + (unsigned ? 1 : 0);
                Target target = switch (oid) {
                    case INT2 -> bits <= 16 ? Target.INT2 : null;
                    case INT4 -> bits <= 32 ? Target.INT4 : null;
                    case INT8 -> bits <= 64 ? Target.INT8 : null;
                    case FLOAT4 -> bits <= 24 ? Target.FLOAT4 : null;
                    case FLOAT8 -> bits <= 53 ? Target.FLOAT8 : null;
                    case NUMERIC -> Target.NUMERIC;
                    default -> null;
                };
                return target == null ? null : v -> new CopyFieldEncoder.IntegerEncoder(v, name, width, unsigned, target);
            }
            case FloatingPoint -> {
                int width = switch (((ArrowType.FloatingPoint) t).getPrecision()) {
                    case HALF -> 2;
                    case SINGLE -> 4;
                    case DOUBLE -> 8;
                };
                if (oid == FLOAT8) {
                    return v -> new CopyFieldEncoder.FloatEncoder(v, name, width, true);
                }
                return oid == FLOAT4 && width <= 4 ? v -> new CopyFieldEncoder.FloatEncoder(v, name, width, false) : null;
            }
            case Decimal -> {
                ArrowType.Decimal d = (ArrowType.Decimal) t;
                return oid == NUMERIC
                        ? v -> new CopyFieldEncoder.DecimalEncoder(v, name, d.getBitWidth() / 8, d.getScale()) : null;
            }
            case Utf8, LargeUtf8 -> {
                int offsetWidth = t.getTypeID() == ArrowType.ArrowTypeID.Utf8 ? 4 : 8;
                return TEXT_TYPES.contains(oid) ? v -> new CopyFieldEncoder.BytesEncoder(v, name, offsetWidth, 0, true)
                        : null;
            }
            case Binary, LargeBinary, FixedSizeBinary -> {
                if (oid != BYTEA) {
                    return null;
                }
                int fixed = t instanceof ArrowType.FixedSizeBinary fb ? fb.getByteWidth() : 0;
                int offsetWidth = t.getTypeID() == ArrowType.ArrowTypeID.LargeBinary ? 8 : 4;
                return v -> new CopyFieldEncoder.BytesEncoder(v, name, offsetWidth, fixed, false);
            }
            case Bool -> {
                return oid == BOOL ? v -> new CopyFieldEncoder.BoolEncoder((BitVector) v, name) : null;
            }
            case Date -> {
                boolean millis = ((ArrowType.Date) t).getUnit() == org.apache.arrow.vector.types.DateUnit.MILLISECOND;
                return oid == DATE ? v -> new CopyFieldEncoder.DateEncoder(v, name, millis) : null;
            }
            case Time -> {
                ArrowType.Time tt = (ArrowType.Time) t;
                long mul = switch (tt.getUnit()) {
                    case SECOND -> 1_000_000L;
                    case MILLISECOND -> 1_000L;
                    default -> 1L;
                };
                long div = tt.getUnit() == org.apache.arrow.vector.types.TimeUnit.NANOSECOND ? 1_000L : 1L;
                int width = tt.getBitWidth() / 8;
                return oid == TIME ? v -> new CopyFieldEncoder.TimeEncoder(v, name, width, mul, div) : null;
            }
            case Timestamp -> {
                ArrowType.Timestamp ts = (ArrowType.Timestamp) t;
                long mul = switch (ts.getUnit()) {
                    case SECOND -> 1_000_000L;
                    case MILLISECOND -> 1_000L;
                    default -> 1L;
                };
                long div = ts.getUnit() == org.apache.arrow.vector.types.TimeUnit.NANOSECOND ? 1_000L : 1L;
                int wanted = ts.getTimezone() != null ? TIMESTAMPTZ : TIMESTAMP;
                return oid == wanted ? v -> new CopyFieldEncoder.TimestampEncoder(v, name, mul, div) : null;
            }
            case List, LargeList, FixedSizeList -> {
                if (oid == JSONB || oid == JSON) {
                    boolean jsonb = oid == JSONB;
                    return v -> new CopyFieldEncoder.JsonEncoder(v, name, jsonb);
                }
                if (!col.isArray()) {
                    return null;
                }
                Field child = field.getChildren().get(0);
                if (!isScalar(child.getType())) {
                    return null;
                }
                EncoderFactory element = resolve(child, new PgColumn(name, col.elementOid(), col.elementTypeName(),
                        0, null));
                if (element == null) {
                    return null;
                }
                int elementOid = col.elementOid();
                return v -> new CopyFieldEncoder.ArrayEncoder(v, name, element.apply(dataVector(v)), elementOid);
            }
            case Struct, Map -> {
                if (oid == JSONB || oid == JSON) {
                    boolean jsonb = oid == JSONB;
                    return v -> new CopyFieldEncoder.JsonEncoder(v, name, jsonb);
                }
                return null;
            }
            default -> throw unsupported(field);
        }
    }

    private static FieldVector dataVector(FieldVector list) {
        if (list instanceof ListVector l) {
            return l.getDataVector();
        }
        if (list instanceof LargeListVector l) {
            return l.getDataVector();
        }
        return ((FixedSizeListVector) list).getDataVector();
    }
}
