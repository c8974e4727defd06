package org.loadperf.delta;

import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.SnapshotImpl;
import io.delta.kernel.internal.TableImpl;
import io.delta.kernel.internal.TransactionImpl;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.Metadata;
import io.delta.kernel.internal.actions.Protocol;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.fs.Path;
import io.delta.kernel.internal.tablefeatures.TableFeature;
import io.delta.kernel.internal.tablefeatures.TableFeatures;
import io.delta.kernel.internal.util.ColumnMapping;
import io.delta.kernel.internal.util.InternalUtils;
import io.delta.kernel.internal.util.SchemaUtils;
import io.delta.kernel.internal.util.Tuple2;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.loadperf.api.loader.LoaderException;

/**
 * The only place that touches Kernel's {@code io.delta.kernel.internal} classes. Delta Kernel 4.0.0's public API can
 * append files ({@code Transaction.generateAppendActions}, always {@code dataChange=true}) but has no way to remove
 * files or to add them as a rearrangement ({@code dataChange=false}); OVERWRITE needs the first, compaction both.
 * These helpers build exactly the action rows Kernel itself builds for REPLACE TABLE
 * ({@code TransactionImpl.getRemoveActionsForReplace}) and for appends ({@code AddFile.convertDataFileStatus}).
 *
 * <p>Nor can the public API widen the schema of a table without column mapping ({@code TransactionBuilder
 * .withSchema} throws for existing tables, and its validation would refuse a table without column mapping).
 * {@link #widenSchema} builds the transaction Kernel's own builder builds when it has a metadata update
 * ({@code TransactionBuilderImpl.buildTransactionInternal}): a {@code TransactionImpl} holding the snapshot's
 * metadata with the new schema ({@code Metadata.withNewSchema}, which keeps id, name, description, format,
 * partition columns, createdTime and configuration) and {@code shouldUpdateMetadata=true}. Kernel then writes that
 * one {@code metaData} action in the commit (with the load's {@code add}s), gives the new schema to the
 * transaction state (so the files are written with the new columns and get statistics for them) and puts it in
 * the version's CRC (the CHECKSUM_SIMPLE hook builds the CRC from the transaction's metadata), which Kernel reads
 * back as the table's metadata when it loads a later snapshot.
 * Pinned to the Kernel version in the pom; the module's tests exercise every helper, so an upgrade that changes
 * them fails the build instead of corrupting a table.
 */
final class KernelActions {

    private KernelActions() {
    }

    /** The {@code remove} action for the file of a scan-file row. */
    static Row remove(Row scanFile, boolean dataChange, long deletionTimestamp) {
        AddFile add = new AddFile(scanFile.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL));
        return SingleAction.createRemoveFileSingleAction(
                add.toRemoveFileRow(dataChange, Optional.of(deletionTimestamp)));
    }

    /** An {@code add} action with {@code dataChange=false} for a file that rearranges existing rows. */
    static Row addRearranged(StructType tableSchema, String tablePath, DataFileStatus file, MapValue partitionValues) {
        URI root = new Path(tablePath).toUri();
        String relative = InternalUtils.relativizePath(new Path(file.getPath()), root).toUri().toString();
        Row add = AddFile.createAddFileRow(tableSchema, relative, partitionValues, file.getSize(),
                file.getModificationTime(), false, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), file.getStatistics());
        return SingleAction.createAddFileSingleAction(add);
    }

    /** The file a scan-file row points at, with an absolute path. */
    static FileStatus fileStatus(Row scanFile) {
        return InternalScanFileUtils.getAddFileStatus(scanFile);
    }

    /** The partition values of a scan-file row, as Delta stores them (text). */
    static Map<String, String> partitionValues(Row scanFile) {
        return InternalScanFileUtils.getPartitionValues(scanFile);
    }

    /** The partition values of a scan-file row as the map value Kernel wrote. */
    static MapValue partitionValuesMap(Row scanFile) {
        return new AddFile(scanFile.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL)).getPartitionValues();
    }

    /** Whether the file of a scan-file row has a deletion vector (its rows are not all live). */
    static boolean hasDeletionVector(Row scanFile) {
        return new AddFile(scanFile.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL)).getDeletionVector()
                .isPresent();
    }

    /** Kernel's builder default ({@code TransactionBuilderImpl.maxRetries}); the loader never sets its own. */
    private static final int MAX_RETRIES = 200;
    /** Kernel's builder default ({@code TransactionBuilderImpl.logCompactionInterval}: no log compaction). */
    private static final int LOG_COMPACTION_INTERVAL = 0;

    /**
     * A WRITE transaction on {@code snapshot} whose commit replaces the table's metadata with one whose schema is
     * {@code widened}. The caller has checked that {@code widened} is the snapshot's schema with nullable columns
     * appended; this checks what Kernel's builder would check for such a metadata change on a table without column
     * mapping, and fails, before anything is written, if the table has column mapping or if the new columns would
     * need a protocol change (e.g. a {@code timestamp_ntz} column on a table without the timestampNtz feature).
     */
    static Transaction widenSchema(Engine engine, Table table, Snapshot snapshot, String engineInfo,
                                   StructType widened, String newColumns) {
        String path = table.getPath(engine);
        SnapshotImpl current = (SnapshotImpl) snapshot;
        Metadata metadata = current.getMetadata();
        Protocol protocol = current.getProtocol();
        ColumnMapping.ColumnMappingMode mode = ColumnMapping.getColumnMappingMode(metadata.getConfiguration());
        if (ColumnMapping.isColumnMappingModeEnabled(mode)) {
            // With column mapping the new fields would need ids and physical names, and Kernel 4.0.0 refuses to
            // write data into such tables anyway.
            throw new LoaderException("Column(s) " + newColumns + " are not in the table " + path
                    + ", which uses column mapping (mode " + mode + "): Delta Kernel 4.0.0 cannot write data into"
                    + " column-mapping tables, so the loader cannot widen their schema; nothing was written");
        }
        // The checks Kernel's builder makes of a write into an existing table and of a new schema.
        TableFeatures.validateKernelCanWriteToTable(protocol, metadata, path);
        SchemaUtils.validateSchema(widened, false);
        Metadata updated = metadata.withNewSchema(widened);
        Optional<Tuple2<Protocol, Set<TableFeature>>> upgrade =
                TableFeatures.autoUpgradeProtocolBasedOnMetadata(updated, Set.of(), protocol);
        if (upgrade.isPresent()) {
            // Kernel's builder would upgrade the protocol here; the loader does not change protocols behind the
            // table owner's back, and a protocol change could lock out older readers.
            throw new LoaderException("Column(s) " + newColumns + " would need the table feature(s) "
                    + upgrade.get()._2.stream().map(TableFeature::featureName).sorted().collect(Collectors.toList())
                    + " that the table " + path + " does not have; the loader does not upgrade a table's "
                    + "protocol; nothing was written");
        }
        TableFeatures.validateKernelCanWriteToTable(protocol, updated, path);
        Path dataPath = new Path(path);
        return new TransactionImpl(false, dataPath, new Path(dataPath, "_delta_log"), current, engineInfo,
                Operation.WRITE, protocol, updated, Optional.empty(), Optional.empty(),
                true /* shouldUpdateMetadata: this commit carries the new metaData */,
                false /* shouldUpdateProtocol: a nullable column needs no protocol change */,
                MAX_RETRIES, LOG_COMPACTION_INTERVAL, ((TableImpl) table).getClock());
    }
}
