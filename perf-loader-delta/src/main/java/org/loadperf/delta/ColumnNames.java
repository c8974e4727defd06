package org.loadperf.delta;

import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.loadperf.api.loader.LoaderException;

/**
 * The column names a Delta table without column mapping can hold (Kernel's {@code SchemaUtils.validateSchema} rules,
 * checked here first so that the error names the column): not empty, none of {@code  ,;{}()\n\t=} (special in a
 * Parquet schema), and no two fields of one struct whose names differ only in case (Delta names are
 * case-insensitive). Nested struct fields, also inside lists and maps, follow the same rules.
 */
final class ColumnNames {

    private static final String FORBIDDEN = " ,;{}()\n\t=";

    private ColumnNames() {
    }

    /** @throws LoaderException naming the first column whose name Delta cannot store */
    static void check(StructType schema, String tablePath) {
        check(schema, "", tablePath);
    }

    private static void check(DataType type, String parent, String tablePath) {
        if (type instanceof StructType struct) {
            Map<String, String> seen = new HashMap<>();
            for (StructField f : struct.fields()) {
                String name = f.getName();
                String where = parent.isEmpty() ? "Column " + shown(name)
                        : "Field " + shown(name) + " of column " + shown(parent);
                if (name.isEmpty()) {
                    throw new LoaderException(where + " has an empty name, which Delta cannot store; nothing was "
                            + "written to " + tablePath);
                }
                for (char c : name.toCharArray()) {
                    if (FORBIDDEN.indexOf(c) >= 0) {
                        throw new LoaderException(where + " contains " + shown(String.valueOf(c)) + ": a Delta "
                                + "table without column mapping cannot store a name with any of "
                                + shown(FORBIDDEN) + "; nothing was written to " + tablePath);
                    }
                }
                String other = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
                if (other != null) {
                    throw new LoaderException((other.equals(name) ? where + " appears twice"
                            : where + " and " + shown(other) + " differ only in case, and Delta column names are "
                            + "case-insensitive") + "; nothing was written to " + tablePath);
                }
                check(f.getDataType(), parent.isEmpty() ? name : parent + "." + name, tablePath);
            }
        } else if (type instanceof ArrayType array) {
            check(array.getElementType(), parent, tablePath);
        } else if (type instanceof MapType map) {
            check(map.getKeyType(), parent, tablePath);
            check(map.getValueType(), parent, tablePath);
        }
    }

    /** A name in quotes, with line feeds and tabs visible. */
    private static String shown(String name) {
        return "'" + name.replace("\n", "\\n").replace("\t", "\\t") + "'";
    }
}
