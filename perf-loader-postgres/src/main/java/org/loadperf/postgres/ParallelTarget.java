package org.loadperf.postgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * {@code n} workers, each with its own pooled connection; batch {@code k} goes to worker {@code k % n}. The
 * caller's thread encodes into buffers from a small shared pool, which bounds memory and makes the encoder wait
 * when the workers fall behind.
 */
final class ParallelTarget implements BatchTarget {
    private static final int START = 0;
    private static final int DATA = 1;
    private static final int END = 2;
    private static final int ABORT = 3;
    private static final int STOP = 4;

    private record Message(int kind, int batchNo, long firstRow, long rows, byte[] bytes, int length) {
    }

    private final PgConnections db;
    private final TablePlan plan;
    private final LoadProgress progress;
    private final List<BlockingQueue<Message>> queues = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final BlockingQueue<byte[]> free;
    private final int maxBuffers;
    private int buffersMade;
    private final AtomicReference<BatchFailure> failure = new AtomicReference<>();
    private int current = -1;
    private int currentBatch;
    private long currentFirstRow;
    private boolean stopped;
    private final BinaryCopyEncoder.Sink sink = this::send;

    ParallelTarget(PgConnections db, TablePlan plan, int workers, LoadProgress progress) {
        this.db = db;
        this.plan = plan;
        this.progress = progress;
        // Unbounded queue, bounded population: at most maxBuffers made lazily, plus the encoder's own one.
        this.free = new LinkedBlockingQueue<>();
        this.maxBuffers = workers * 3 + 1;
        for (int i = 0; i < workers; i++) {
            BlockingQueue<Message> q = new ArrayBlockingQueue<>(4);
            queues.add(q);
            Thread t = new Thread(() -> work(q), "loadperf-postgres-copy-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void work(BlockingQueue<Message> queue) {
        Watchdog.Watch watch = null;
        CopyIn copy = null;
        int batchNo = 0;
        long firstRow = 0;
        boolean committing = false;
        try {
            while (true) {
                Message m = queue.take();
                if (m.kind == STOP) {
                    break;
                }
                try {
                    if (failure.get() != null) {
                        if (copy != null) {
                            PgConnections.cancelQuietly(watch, copy);
                            copy = null;
                            PgConnections.rollbackQuietly(watch);
                        }
                        continue;
                    }
                    switch (m.kind) {
                        case START -> {
                            batchNo = m.batchNo;
                            firstRow = m.firstRow;
                            if (watch == null) {
                                watch = db.watched();
                                Connection conn = watch.connection();
                                watch.run("starting a transaction", () -> conn.setAutoCommit(false));
                            }
                            CopyManager api = watch.connection().unwrap(PGConnection.class).getCopyAPI();
                            copy = watch.call("starting the COPY of batch " + batchNo,
                                    () -> api.copyIn(plan.copySql()));
                        }
                        case DATA -> {
                            CopyIn c = copy;
                            watch.run("sending the rows of batch " + batchNo + " (COPY data)",
                                    () -> c.writeToCopy(m.bytes, 0, m.length));
                        }
                        case END -> {
                            CopyIn c = copy;
                            copy = null;
                            watch.run("ending the COPY of batch " + batchNo, c::endCopy);
                            committing = true;
                            watch.run("committing batch " + batchNo, watch.connection()::commit);
                            committing = false;
                            progress.committedRows.addAndGet(m.rows);
                            progress.committedBatches.incrementAndGet();
                        }
                        case ABORT -> {
                            if (copy != null) {
                                PgConnections.cancelQuietly(watch, copy);
                                copy = null;
                            }
                            PgConnections.rollbackQuietly(watch);
                        }
                        default -> throw new IllegalStateException("unknown message " + m.kind);
                    }
                } catch (SQLException | RuntimeException | Error e) {
                    failure.compareAndSet(null, new BatchFailure(batchNo, firstRow, m.rows,
                            e instanceof Exception ex ? ex : new RuntimeException(e), committing));
                    committing = false;
                    if (copy != null) {
                        PgConnections.cancelQuietly(watch, copy);
                        copy = null;
                    }
                    PgConnections.rollbackQuietly(watch);
                } finally {
                    if (m.bytes != null) {
                        free.add(m.bytes);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (copy != null) {
                PgConnections.cancelQuietly(watch, copy);
            }
            if (watch != null) {
                PgConnections.rollbackQuietly(watch);
                db.release(watch);
            }
        }
    }

    private void post(Message m) throws WorkerFailedIo {
        if (failure.get() != null) {
            if (m.bytes != null) {
                free.add(m.bytes);
            }
            throw new WorkerFailedIo();
        }
        try {
            queues.get(current).put(m);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerFailedIo();
        }
    }

    private byte[] send(byte[] bytes, int length) throws IOException {
        post(new Message(DATA, currentBatch, currentFirstRow, 0, bytes, length));
        byte[] next = free.poll();
        if (next != null) {
            return next;
        }
        if (buffersMade < maxBuffers) {
            buffersMade++;
            return new byte[PostgresLoader.FLUSH_BYTES + PostgresLoader.FLUSH_BYTES / 4];
        }
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerFailedIo();
        }
    }

    @Override
    public void startBatch(int batchNo, long firstRow) throws IOException {
        current = (batchNo - 1) % queues.size();
        currentBatch = batchNo;
        currentFirstRow = firstRow;
        post(new Message(START, batchNo, firstRow, 0, null, 0));
    }

    @Override
    public BinaryCopyEncoder.Sink sink() {
        return sink;
    }

    @Override
    public void endBatch(int batchNo, long firstRow, long rows) throws IOException {
        post(new Message(END, batchNo, firstRow, rows, null, 0));
    }

    @Override
    public void complete() throws IOException {
        stop();
        if (failure.get() != null) {
            throw new WorkerFailedIo();
        }
    }

    @Override
    public void abort() {
        if (current >= 0 && failure.get() == null) {
            try {
                queues.get(current).put(new Message(ABORT, currentBatch, currentFirstRow, 0, null, 0));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stop();
    }

    private void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        for (BlockingQueue<Message> q : queues) {
            try {
                q.put(new Message(STOP, 0, 0, 0, null, 0));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public BatchFailure failure() {
        return failure.get();
    }

    @Override
    public String committedNote(LoadProgress p) {
        int batches = p.committedBatches.get();
        BatchFailure f = failure.get();
        String what = f != null && f.atCommit() ? "The commit of batch " + f.batchNo() + " was sent but not"
                + " confirmed: that batch is stored whole or not at all; " : "The batch was rolled back; ";
        return what + (batches == 0 ? "no other batch of this load was committed"
                : batches + " other batches (" + p.committedRows.get()
                + " rows) were committed by the parallel workers and stay");
    }

    @Override
    public void close() {
        stop();
    }

    /** A worker failure surfacing through the encoder's sink, which may only throw I/O or SQL exceptions. */
    static final class WorkerFailedIo extends IOException {
        private static final long serialVersionUID = 1L;

        WorkerFailedIo() {
            super("a parallel COPY worker failed");
        }
    }
}
