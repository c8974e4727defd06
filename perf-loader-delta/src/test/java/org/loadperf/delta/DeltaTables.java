package org.loadperf.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ArrayValue;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
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
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;

/** Reads Delta tables back through Kernel (independently of the loader) and makes fresh table dirs under target/. */
final class DeltaTables {

    static final Engine ENGINE = DefaultEngine.create(new Configuration());

    private DeltaTables() {
    }

    /** A Delta loader writing {@code table}, configured by {@code extra} besides its {@code table_path}. */
    static Loader loader(Path table, Map<String, Object> extra) {
        Map<String, Object> c = new java.util.HashMap<>(extra);
        c.put("table_path", table.toString());
        return new DeltaLoaderProvider().create(LoaderConfig.of(c));
    }

    /** A fresh, not yet existing directory under target/delta-tables. */
    static Path freshDir(String name) {
        Path p = Paths.get("target", "delta-tables", name + "-" + UUID.randomUUID().toString().substring(0, 8))
                .toAbsolutePath();
        try {
            Files.createDirectories(p.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    static Snapshot snapshot(Path table) {
        return Table.forPath(ENGINE, table.toString()).getLatestSnapshot(ENGINE);
    }

    static long version(Path table) {
        return snapshot(table).getVersion();
    }

    /** Every row of the latest version, columns by name, values as plain Java objects. */
    static List<Map<String, Object>> rows(Path table) {
        return rows(snapshot(table));
    }

    static List<Map<String, Object>> rows(Snapshot snapshot) {
        List<Map<String, Object>> out = new ArrayList<>();
        Scan scan = snapshot.getScanBuilder().build();
        Row scanState = scan.getScanState(ENGINE);
        StructType physical = ScanStateRow.getPhysicalDataReadSchema(ENGINE, scanState);
        try (CloseableIterator<FilteredColumnarBatch> files = scan.getScanFiles(ENGINE)) {
            while (files.hasNext()) {
                try (CloseableIterator<Row> fileRows = files.next().getRows()) {
                    while (fileRows.hasNext()) {
                        Row scanFile = fileRows.next();
                        FileStatus fs = InternalScanFileUtils.getAddFileStatus(scanFile);
                        CloseableIterator<ColumnarBatch> data = ENGINE.getParquetHandler().readParquetFiles(
                                DeltaLoader.toIteratorOf(List.of(fs)), physical, Optional.empty());
                        try (CloseableIterator<FilteredColumnarBatch> logical =
                                     Scan.transformPhysicalData(ENGINE, scanState, scanFile, data)) {
                            while (logical.hasNext()) {
                                FilteredColumnarBatch b = logical.next();
                                ColumnarBatch d = b.getData();
                                for (int r = 0; r < d.getSize(); r++) {
                                    if (b.getSelectionVector().isPresent()
                                            && !b.getSelectionVector().get().getBoolean(r)) {
                                        continue;
                                    }
                                    Map<String, Object> row = new LinkedHashMap<>();
                                    for (int c = 0; c < d.getSchema().length(); c++) {
                                        row.put(d.getSchema().at(c).getName(), value(d.getColumnVector(c), r));
                                    }
                                    out.add(row);
                                }
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** A Kernel value as a Java object: lists, maps (LinkedHashMap), structs (LinkedHashMap by field name). */
    static Object value(ColumnVector v, int r) {
        if (v.isNullAt(r)) {
            return null;
        }
        DataType t = v.getDataType();
        if (t instanceof BooleanType) {
            return v.getBoolean(r);
        } else if (t instanceof ByteType) {
            return v.getByte(r);
        } else if (t instanceof ShortType) {
            return v.getShort(r);
        } else if (t instanceof IntegerType || t instanceof DateType) {
            return v.getInt(r);
        } else if (t instanceof LongType || t instanceof TimestampType || t instanceof TimestampNTZType) {
            return v.getLong(r);
        } else if (t instanceof FloatType) {
            return v.getFloat(r);
        } else if (t instanceof DoubleType) {
            return v.getDouble(r);
        } else if (t instanceof StringType) {
            return v.getString(r);
        } else if (t instanceof BinaryType) {
            return Arrays.toString(v.getBinary(r));
        } else if (t instanceof DecimalType) {
            return v.getDecimal(r);
        } else if (t instanceof ArrayType) {
            ArrayValue a = v.getArray(r);
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < a.getSize(); i++) {
                l.add(value(a.getElements(), i));
            }
            return l;
        } else if (t instanceof MapType) {
            MapValue m = v.getMap(r);
            Map<Object, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < m.getSize(); i++) {
                map.put(value(m.getKeys(), i), value(m.getValues(), i));
            }
            return map;
        } else if (t instanceof StructType s) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < s.length(); i++) {
                m.put(s.at(i).getName(), value(v.getChild(i), r));
            }
            return m;
        }
        throw new IllegalArgumentException("type " + t);
    }

    /** Parquet data files under the table directory (live or not). */
    static List<Path> dataFiles(Path table) {
        if (!Files.exists(table)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(table)) {
            return s.filter(p -> p.toString().endsWith(".parquet") && !p.toString().contains("_delta_log"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Live files of the latest version. */
    static long liveFiles(Path table) {
        return TableMaintenance.scanFiles(ENGINE, snapshot(table)).size();
    }
}
