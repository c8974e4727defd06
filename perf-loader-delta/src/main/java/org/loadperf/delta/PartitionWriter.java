package org.loadperf.delta;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.arrow.vector.FieldVector;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.loadperf.api.loader.LoaderException;

/**
 * Writes the rows of one partition, batch after batch, on the caller's thread: an {@link ArrowParquetWriter} turns
 * them into data files, and Kernel's public {@code Transaction.generateAppendActions} turns the files' statuses into
 * the {@code add} actions of the commit, so the log stays Kernel's.
 *
 * <p>Which columns go into the files is Kernel's decision too: the physical schema is what
 * {@code Transaction.transformLogicalData} makes of the table schema for this partition (in Kernel 4.0.0, the
 * table's columns without the partition columns). A physical column that is not a table column with the same type
 * (a layout only a table feature Kernel 4.0.0 cannot write would need) fails the load before anything is written.
 */
final class PartitionWriter {

    private final Engine engine;
    private final Row txnState;
    private final String label;
    private final DataWriteContext context;
    /** For each physical column, its index in the table schema. */
    private final int[] tableIndex;
    private final ArrowParquetWriter writer;
    private long rows;
    private long fileBytes;

    PartitionWriter(Engine engine, Row txnState, Configuration conf, StructType tableSchema,
                    Map<String, Literal> partitionValues, DeltaLoaderConfig config, String label,
                    WrittenFiles written, DictionaryFallbacks.Memory dictionaryMemory) {
        this.engine = engine;
        this.txnState = txnState;
        this.label = label;
        StructType physical;
        synchronized (txnState) { // the lanes of a load share the transaction: Kernel's calls on it go one at a time
            this.context = Transaction.getWriteContext(engine, txnState, partitionValues);
            physical = physicalSchema(engine, txnState, tableSchema, partitionValues);
        }
        this.tableIndex = new int[physical.length()];
        for (int i = 0; i < tableIndex.length; i++) {
            StructField f = physical.at(i);
            int t = tableSchema.indexOf(f.getName());
            if (t < 0 || !tableSchema.at(t).getDataType().equals(f.getDataType())) {
                throw new LoaderException("Delta Kernel writes column '" + f.getName() + "' (" + f.getDataType()
                        + ") into the data files of " + config.tablePath + ", which is not a column of the table "
                        + "schema " + tableSchema + "; the loader's Parquet writer cannot produce that layout");
            }
            tableIndex[i] = t;
        }
        // The target directory is a URI (escaped): as a path string it would be escaped a second time on disk.
        this.writer = new ArrowParquetWriter(conf, new Path(URI.create(context.getTargetDirectory())), written,
                physical, context.getStatisticsColumns(), config.targetFileSize, config.maxRowsPerFile,
                dictionaryMemory);
    }

    /**
     * Rows {@code base} to {@code base + length - 1} of {@code columns} (one per table column, {@code null} for a
     * column the data lacks), those {@code selected} marks if it is not {@code null} ({@code selectedRows} of them).
     */
    record Chunk(FieldVector[] columns, int base, int length, boolean[] selected, int selectedRows) {
    }

    String label() {
        return label;
    }

    long rows() {
        return rows;
    }

    void write(Chunk chunk) {
        FieldVector[] physical = new FieldVector[tableIndex.length];
        for (int i = 0; i < physical.length; i++) {
            physical[i] = chunk.columns()[tableIndex[i]];
        }
        writer.write(physical, chunk.base(), chunk.length(), chunk.selected());
        rows += chunk.selectedRows();
    }

    /** Closes the last file and returns the {@code add} actions of every file written. */
    List<Row> finish() {
        List<DataFileStatus> files = writer.finish();
        for (DataFileStatus f : files) {
            fileBytes += f.getSize();
        }
        List<Row> actions = new ArrayList<>(files.size());
        synchronized (txnState) {
            appendActions(files, actions);
        }
        return actions;
    }

    private void appendActions(List<DataFileStatus> files, List<Row> actions) {
        try (CloseableIterator<Row> adds = Transaction.generateAppendActions(engine, txnState,
                DeltaLoader.toIteratorOf(files), context)) {
            while (adds.hasNext()) {
                actions.add(adds.next());
            }
        } catch (IOException e) {
            throw new LoaderException("Building the add actions of partition " + label + " failed: " + e, e);
        }
    }

    /** Bytes of the files {@link #finish()} closed. */
    long fileBytes() {
        return fileBytes;
    }

    /** Drops the open file; the load deletes the files of this partition ({@link WrittenFiles}). */
    void abort() {
        writer.abort();
    }

    /** The schema of the data files, as Kernel's {@code transformLogicalData} makes it (on an empty batch). */
    private static StructType physicalSchema(Engine engine, Row txnState, StructType tableSchema,
                                             Map<String, Literal> partitionValues) {
        ColumnVector[] none = new ColumnVector[tableSchema.length()];
        for (int i = 0; i < none.length; i++) {
            none[i] = ArrowColumnVectors.nulls(tableSchema.at(i).getDataType(), 0);
        }
        FilteredColumnarBatch empty = new FilteredColumnarBatch(new ArrowColumnarBatch(tableSchema, none, 0),
                Optional.empty());
        try (CloseableIterator<FilteredColumnarBatch> physical = Transaction.transformLogicalData(engine, txnState,
                DeltaLoader.toIteratorOf(List.of(empty)), partitionValues)) {
            return physical.next().getData().getSchema();
        } catch (IOException e) {
            throw new LoaderException("Kernel's physical schema of partition " + partitionValues + ": " + e, e);
        }
    }
}
