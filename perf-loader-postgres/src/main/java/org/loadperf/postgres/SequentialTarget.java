package org.loadperf.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoaderException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/** One connection; one COPY and transaction per batch, or one transaction for all (OVERWRITE). */
final class SequentialTarget implements BatchTarget {

    private final PgConnections db;
    private final TablePlan plan;
    private final boolean singleTransaction;
    private final Connection conn;
    private final Watchdog.Watch watch;
    private final CopyManager copyApi;
    private CopyIn copy;
    private String sendStep = "";
    private int committedBatches;
    private long committedRows;
    private int committingBatch;
    private final LoadProgress progress;
    private final BinaryCopyEncoder.Sink sink = (bytes, length) -> {
        CopyIn c = copy;
        long t0 = System.nanoTime();
        watch().run(sendStep, () -> c.writeToCopy(bytes, 0, length));
        progress().writeNanos += System.nanoTime() - t0;
        return bytes;
    };

    SequentialTarget(PgConnections db, TablePlan plan, boolean singleTransaction, LoadProgress progress) {
        this.db = db;
        this.progress = progress;
        this.plan = plan;
        this.singleTransaction = singleTransaction;
        try {
            this.watch = db.watched();
            this.conn = watch.connection();
            try {
                watch.run("starting a transaction", () -> conn.setAutoCommit(false));
                this.copyApi = conn.unwrap(PGConnection.class).getCopyAPI();
                if (singleTransaction) {
                    watch.run("emptying " + plan.qualifiedName() + " for OVERWRITE (TRUNCATE)",
                            () -> PgConnections.execute(conn, plan.truncateSql()));
                }
            } catch (SQLException | RuntimeException e) {
                PgConnections.rollbackQuietly(watch);
                db.release(watch);
                throw e;
            }
        } catch (SQLException e) {
            throw new LoaderException("Loading into " + plan.qualifiedName() + " failed before the first"
                    + " batch: " + db.reason(e), db.safeCause(e));
        }
    }

    private Watchdog.Watch watch() {
        return watch;
    }

    private LoadProgress progress() {
        return progress;
    }

    @Override
    public void startBatch(int batchNo, long firstRow) throws SQLException {
        if (plan.mode() == LoadMode.UPSERT) {
            watch.run("creating the staging table of batch " + batchNo, () -> {
                for (String sql : plan.stageSql()) {
                    PgConnections.execute(conn, sql);
                }
            });
        }
        long t0 = System.nanoTime();
        copy = watch.call("starting the COPY of batch " + batchNo, () -> copyApi.copyIn(plan.copySql()));
        progress.serverWaitNanos += System.nanoTime() - t0;
        sendStep = "sending the rows of batch " + batchNo + " (COPY data)";
    }

    @Override
    public BinaryCopyEncoder.Sink sink() {
        return sink;
    }

    @Override
    public void endBatch(int batchNo, long firstRow, long rows) throws SQLException {
        CopyIn c = copy;
        copy = null;
        long t0 = System.nanoTime();
        watch.run("ending the COPY of batch " + batchNo, c::endCopy);
        if (plan.mode() == LoadMode.UPSERT) {
            watch.run("merging batch " + batchNo + " (INSERT ... ON CONFLICT)",
                    () -> PgConnections.execute(conn, plan.mergeSql()));
        }
        if (!singleTransaction) {
            committingBatch = batchNo;
            watch.run("committing batch " + batchNo, conn::commit);
            committingBatch = 0;
            committedBatches++;
            committedRows += rows;
        }
        progress.serverWaitNanos += System.nanoTime() - t0;
    }

    @Override
    public void complete() throws SQLException {
        if (singleTransaction) {
            committingBatch = -1;
            long t0 = System.nanoTime();
            watch.run("committing the OVERWRITE", conn::commit);
            progress.serverWaitNanos += System.nanoTime() - t0;
            committingBatch = 0;
        }
    }

    @Override
    public void abort() {
        if (copy != null) {
            CopyIn c = copy;
            copy = null;
            PgConnections.cancelQuietly(watch, c);
        }
        PgConnections.rollbackQuietly(watch);
    }

    @Override
    public BatchFailure failure() {
        return null;
    }

    @Override
    public String committedNote(LoadProgress progress) {
        if (singleTransaction) {
            return committingBatch != 0
                    ? "The OVERWRITE's commit was sent but not confirmed: the table holds either its previous rows"
                    + " or all the new ones, never a mix"
                    : "Nothing was changed: the OVERWRITE runs in one transaction and was rolled back, so the"
                    + " table keeps its previous rows";
        }
        String before = committedBatches == 0 ? "no batch before it was committed"
                : "the " + committedBatches + " batches before it (" + committedRows
                + " rows) were committed and stay";
        return committingBatch != 0
                ? "The commit of batch " + committingBatch + " was sent but not confirmed: that batch is stored"
                + " whole or not at all; " + before
                : "The batch was rolled back; " + (committedBatches == 0
                ? "no batch of this load was committed" : before);
    }

    @Override
    public void close() {
        if (copy != null) {
            abort();
        }
        db.release(watch);
    }
}
