package org.loadperf.postgres;

import java.io.IOException;
import java.sql.SQLException;

/**
 * Where the batches of one load go: one COPY per batch, each committed on its own (or all at once for OVERWRITE).
 * {@link SequentialTarget} uses one connection; {@link ParallelTarget} several at once.
 */
interface BatchTarget extends AutoCloseable {
    void startBatch(int batchNo, long firstRow) throws SQLException, IOException;

    BinaryCopyEncoder.Sink sink();

    void endBatch(int batchNo, long firstRow, long rows) throws SQLException, IOException;

    /** After the last batch: commits what is still open, waits for workers; throws their failure. */
    void complete() throws SQLException, IOException;

    /** After a failure: cancels the open COPY and rolls back what is not committed. Never throws. */
    void abort();

    /** A failure of a batch that the caller's thread did not see directly (a worker's), or null. */
    BatchFailure failure();

    /** What stays committed after a failure, as a sentence for the error message. */
    String committedNote(LoadProgress progress);

    @Override
    void close();

    /** A failed batch: its number, its rows, why, and whether it failed awaiting its commit (outcome unknown). */
    record BatchFailure(int batchNo, long firstRow, long rows, Exception cause, boolean atCommit) {
    }
}
