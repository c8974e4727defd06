package org.loadperf.postgres;

import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import org.loadperf.api.loader.LoaderException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * APPEND with {@code parallelism} 1: one batch's rows at a time, in batch order, each batch its own transaction, as
 * {@link SequentialTarget}; but the end of batch k's COPY (the server draining what is still in the socket and
 * committing, with the WAL flush) runs on a committer thread while batch k+1 is already being sent over a second
 * pooled connection, so the client never stops to wait for the server between batches. Measured, those waits were
 * a fifth to a quarter of a 1M-row load (docs/postgres-load-2026-11-30.md). One committer thread ends the batches'
 * COPYs in order and cancels a batch's COPY after an earlier one failed, so after any failure the stored batches are
 * still the first ones of the load, as with one connection.
 *
 * <p>Each COPY runs in autocommit: a COPY statement is a transaction of its own, committed when it ends, so a batch
 * needs no BEGIN and no COMMIT round trip (the one a 1,000-row load of a stream paid on top of psql's {@code \copy}).
 *
 * <p>The second connection is taken only when the pool has one idle (never waiting for it, so concurrent loads on a
 * small pool cannot hold one each and wait for a second); without it, every batch waits for its own commit.
 */
final class PipelinedTarget implements BatchTarget {

    private static final Logger LOG = LoggerFactory.getLogger(PipelinedTarget.class);

    /** One pooled connection, its open COPY and its commit in flight. */
    private static final class Lane {
        final Watchdog.Watch watch;
        CopyIn copy;
        Future<?> commit;
        int commitBatch;

        Lane(Watchdog.Watch watch) {
            this.watch = watch;
        }
    }

    private final PgConnections db;
    private final TablePlan plan;
    private final LoadProgress progress;
    private final List<Lane> lanes = new ArrayList<>(2);
    /** Ends and commits the batches in order, on a pooled thread (no thread start per load). */
    private final SerialExecutor committer = new SerialExecutor();
    private Lane current;
    private String sendStep = "";
    private volatile int committedBatches;
    private volatile long committedRows;
    private BatchFailure failure;
    private final BinaryCopyEncoder.Sink sink = (bytes, length) -> {
        Lane lane = current();
        CopyIn c = lane.copy;
        long t0 = System.nanoTime();
        lane.watch.run(sendStep, () -> c.writeToCopy(bytes, 0, length));
        progress().writeNanos += System.nanoTime() - t0;
        return bytes;
    };

    PipelinedTarget(PgConnections db, TablePlan plan, LoadProgress progress) {
        this.db = db;
        this.plan = plan;
        this.progress = progress;
        try {
            lanes.add(open());
        } catch (SQLException e) {
            throw new LoaderException("Loading into " + plan.qualifiedName() + " failed before the first"
                    + " batch: " + db.reason(e), db.safeCause(e));
        }
    }

    private Lane open() throws SQLException {
        Watchdog.Watch watch = db.watched();
        try {
            // The pool's connections are in autocommit; one left otherwise by a caller of the pool is set back.
            if (!watch.connection().getAutoCommit()) {
                watch.run("leaving a transaction", () -> watch.connection().setAutoCommit(true));
            }
        } catch (SQLException | RuntimeException e) {
            db.release(watch);
            throw e;
        }
        return new Lane(watch);
    }

    /** Whether the pool has a connection idle or room for a new one: taking it then does not wait for others. */
    private boolean poolCanLend() {
        HikariPoolMXBean mx = db.pool().getHikariPoolMXBean();
        return mx != null && (mx.getIdleConnections() > 0 || mx.getTotalConnections() < db.config().maxConnections());
    }

    private Lane current() {
        return current;
    }

    private LoadProgress progress() {
        return progress;
    }

    @Override
    public void startBatch(int batchNo, long firstRow) throws SQLException {
        if (lanes.size() == 1 && batchNo == 2 && poolCanLend()) {
            lanes.add(open());
        }
        Lane lane = lanes.get((batchNo - 1) % lanes.size());
        long t0 = System.nanoTime();
        awaitCommit(lane); // batch k-2's commit on this lane (with one lane: batch k-1's)
        current = lane;
        lane.copy = lane.watch.call("starting the COPY of batch " + batchNo,
                () -> lane.watch.connection().unwrap(PGConnection.class).getCopyAPI().copyIn(plan.copySql()));
        progress.serverWaitNanos += System.nanoTime() - t0;
        sendStep = "sending the rows of batch " + batchNo + " (COPY data)";
    }

    @Override
    public BinaryCopyEncoder.Sink sink() {
        return sink;
    }

    @Override
    public void endBatch(int batchNo, long firstRow, long rows) {
        Lane lane = current;
        CopyIn c = lane.copy;
        lane.copy = null; // the committer owns it now: the caller's thread goes on with the next batch
        lane.commitBatch = batchNo;
        FutureTask<Void> commit = new FutureTask<>(() -> {
            if (failure() != null) { // an earlier batch failed: later ones must not be stored
                PgConnections.cancelQuietly(lane.watch, c);
                throw new SQLException("batch " + batchNo + " not committed: an earlier batch failed");
            }
            try {
                lane.watch.run("ending the COPY of batch " + batchNo + " (its commit)", c::endCopy);
            } catch (SQLException | RuntimeException e) {
                synchronized (this) {
                    if (failure == null) {
                        failure = new BatchFailure(batchNo, firstRow, rows, e, outcomeUnknown(lane.watch, e));
                    }
                }
                throw e;
            }
            committedBatches++;
            committedRows += rows;
            return null;
        });
        lane.commit = commit;
        committer.execute(commit);
    }

    /**
     * Whether a COPY that failed at its end may still have been committed: the server refused it (an error reply, the
     * connection still open) means not; a lost or aborted connection means the commit may have happened before.
     */
    private static boolean outcomeUnknown(Watchdog.Watch watch, Exception e) {
        if (watch.aborted()) {
            return true;
        }
        if (e instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) {
            return true;
        }
        try {
            return watch.connection().isClosed();
        } catch (SQLException closed) {
            return true;
        }
    }

    /** Waits for the lane's commit in flight (bounded by the watchdog); rethrows its failure. */
    private void awaitCommit(Lane lane) throws SQLException {
        Future<?> f = lane.commit;
        if (f == null) {
            return;
        }
        lane.commit = null;
        try {
            f.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SQLException s ? s : new SQLException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the commit of batch " + lane.commitBatch, e);
        }
    }

    @Override
    public void complete() throws SQLException {
        long t0 = System.nanoTime();
        for (Lane lane : lanes) {
            awaitCommit(lane);
        }
        progress.serverWaitNanos += System.nanoTime() - t0;
    }

    @Override
    public void abort() {
        for (Lane lane : lanes) {
            if (lane.copy != null) {
                CopyIn c = lane.copy;
                lane.copy = null;
                PgConnections.cancelQuietly(lane.watch, c);
            }
        }
        for (Lane lane : lanes) {
            try {
                awaitCommit(lane);
            } catch (SQLException | RuntimeException e) {
                LOG.debug("A commit in flight failed", e);
            }
        }
    }

    @Override
    public synchronized BatchFailure failure() {
        return failure;
    }

    @Override
    public String committedNote(LoadProgress p) {
        BatchFailure f = failure();
        int batches = committedBatches;
        String before = batches == 0 ? "no batch before it was committed"
                : "the " + batches + " batches before it (" + committedRows + " rows) were committed and stay";
        return f != null && f.atCommit()
                ? "The end of batch " + f.batchNo() + "'s COPY (its commit) was sent but not confirmed: that batch is"
                + " stored whole or not at all; " + before
                : "The batch was rolled back; " + (batches == 0 ? "no batch of this load was committed" : before);
    }

    @Override
    public void close() {
        boolean open = false;
        for (Lane lane : lanes) {
            open |= lane.copy != null || lane.commit != null;
        }
        if (open) {
            abort();
        }
        for (Lane lane : lanes) {
            db.release(lane.watch);
        }
    }
}
