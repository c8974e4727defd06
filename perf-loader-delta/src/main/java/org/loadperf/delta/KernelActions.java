package org.loadperf.delta;

import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.fs.Path;
import io.delta.kernel.internal.util.InternalUtils;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * The only place that touches Kernel's {@code io.delta.kernel.internal} classes. Delta Kernel 4.0.0's public API can
 * append files ({@code Transaction.generateAppendActions}, always {@code dataChange=true}) but has no way to remove
 * files or to add them as a rearrangement ({@code dataChange=false}); OVERWRITE needs the first, compaction both.
 * These helpers build exactly the action rows Kernel itself builds for REPLACE TABLE
 * ({@code TransactionImpl.getRemoveActionsForReplace}) and for appends ({@code AddFile.convertDataFileStatus}).
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
}
