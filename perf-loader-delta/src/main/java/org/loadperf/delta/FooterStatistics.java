package org.loadperf.delta;

import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.statistics.DataFileStatistics;
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
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.statistics.BinaryStatistics;
import org.apache.parquet.column.statistics.IntStatistics;
import org.apache.parquet.column.statistics.LongStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;

/**
 * The Delta statistics of a data file (numRecords; minValues, maxValues, nullCount of Kernel's statistics columns),
 * taken from the footer of the Parquet file just written, still in memory, so the file is not read back. The rules
 * are those of Kernel 4.0.0's default writer ({@code ParquetStatsReader}), which reads the same parquet-mr statistics
 * from the file: row groups merged; a column with a row group without statistics, or with NaNs (parquet-mr then
 * keeps no min/max), gets none; an all-NULL column gets NULL min and max; strings and binaries are kept whole (Kernel
 * truncates nothing, and parquet-mr's statistics truncation is off by default); only primitive, non-repeated columns
 * of supported types count. {@code KernelWriterParityTest} checks that both give the same statistics.
 */
final class FooterStatistics {

    private FooterStatistics() {
    }

    static DataFileStatistics of(ParquetMetadata footer, StructType schema, List<Column> statsColumns) {
        long rows = 0;
        Map<Column, List<ColumnChunkMetaData>> chunks = new LinkedHashMap<>();
        for (BlockMetaData block : footer.getBlocks()) {
            rows += block.getRowCount();
            for (ColumnChunkMetaData c : block.getColumns()) {
                chunks.computeIfAbsent(new Column(c.getPath().toArray()), k -> new ArrayList<>()).add(c);
            }
        }
        Map<Column, Literal> min = new HashMap<>();
        Map<Column, Literal> max = new HashMap<>();
        Map<Column, Long> nulls = new HashMap<>();
        for (Column column : statsColumns) {
            List<ColumnChunkMetaData> list = chunks.get(column);
            DataType type = typeOf(schema, column);
            if (list == null || !supported(type)) {
                continue;
            }
            Statistics<?> stats = merge(list);
            if (stats == null) {
                continue;
            }
            Long nullCount = stats.isNumNullsSet() ? stats.getNumNulls() : null;
            nulls.put(column, nullCount);
            if (nullCount != null && nullCount == rows) {
                min.put(column, Literal.ofNull(type));
                max.put(column, Literal.ofNull(type));
                continue;
            }
            min.put(column, literal(type, stats, true));
            max.put(column, literal(type, stats, false));
        }
        return new DataFileStatistics(rows, min, max, nulls);
    }

    private static Statistics<?> merge(List<ColumnChunkMetaData> chunks) {
        for (ColumnChunkMetaData c : chunks) {
            Statistics<?> s = c.getStatistics();
            if (s == null || s.isEmpty() || !s.isNumNullsSet()
                    || (!s.hasNonNullValue() && s.getNumNulls() != c.getValueCount())) {
                return null;
            }
        }
        // Merged into the first row group's statistics, as Kernel does; the footer is not used after this.
        Statistics<?> merged = chunks.get(0).getStatistics();
        for (int i = 1; i < chunks.size(); i++) {
            merged.mergeStatistics(chunks.get(i).getStatistics());
        }
        return merged;
    }

    private static DataType typeOf(StructType schema, Column column) {
        DataType t = schema;
        for (String part : column.getNames()) {
            if (!(t instanceof StructType s) || s.indexOf(part) < 0) {
                throw new IllegalArgumentException("Cannot resolve column " + column + " in schema " + schema);
            }
            t = s.get(part).getDataType();
        }
        return t;
    }

    private static boolean supported(DataType t) {
        return t instanceof BooleanType || t instanceof ByteType || t instanceof ShortType || t instanceof IntegerType
                || t instanceof LongType || t instanceof FloatType || t instanceof DoubleType
                || t instanceof DecimalType || t instanceof DateType || t instanceof TimestampType
                || t instanceof TimestampNTZType || t instanceof StringType || t instanceof BinaryType;
    }

    private static Literal literal(DataType t, Statistics<?> s, boolean min) {
        Object v = min ? s.genericGetMin() : s.genericGetMax();
        if (v == null) {
            return null;
        }
        if (t instanceof BooleanType) {
            return Literal.ofBoolean((Boolean) v);
        } else if (t instanceof ByteType) {
            return Literal.ofByte(((Number) v).byteValue());
        } else if (t instanceof ShortType) {
            return Literal.ofShort(((Number) v).shortValue());
        } else if (t instanceof IntegerType) {
            return Literal.ofInt(((Number) v).intValue());
        } else if (t instanceof LongType) {
            return Literal.ofLong(((Number) v).longValue());
        } else if (t instanceof FloatType) {
            return Literal.ofFloat(((Number) v).floatValue());
        } else if (t instanceof DoubleType) {
            return Literal.ofDouble(((Number) v).doubleValue());
        } else if (t instanceof DecimalType d) {
            BigDecimal value;
            if (s instanceof IntStatistics) {
                value = BigDecimal.valueOf((Integer) v).movePointLeft(d.getScale());
            } else if (s instanceof LongStatistics) {
                value = BigDecimal.valueOf((Long) v).movePointLeft(d.getScale());
            } else if (s instanceof BinaryStatistics) {
                value = new BigDecimal(new BigInteger(min ? s.getMinBytes() : s.getMaxBytes()), d.getScale());
            } else {
                throw new IllegalStateException("Unexpected statistics " + s.getClass() + " for " + t);
            }
            return Literal.ofDecimal(value, d.getPrecision(), d.getScale());
        } else if (t instanceof DateType) {
            return Literal.ofDate((Integer) v);
        } else if (t instanceof TimestampType) {
            return Literal.ofTimestamp((Long) v);
        } else if (t instanceof TimestampNTZType) {
            return Literal.ofTimestampNtz((Long) v);
        } else if (t instanceof StringType) {
            return Literal.ofString(new String(min ? s.getMinBytes() : s.getMaxBytes(), StandardCharsets.UTF_8));
        }
        return Literal.ofBinary(min ? s.getMinBytes() : s.getMaxBytes());
    }
}
