package org.loadperf.delta;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.loadperf.api.loader.LoaderException;

/**
 * Writes the rows of one partition, batch after batch, as they arrive. Kernel's Parquet writer pulls its input from
 * an iterator and writes a file until the input ends or the file reaches its target size; a load, though, pushes
 * batches for many partitions at once. So each partition's Kernel writer runs on its own thread and pulls from a
 * hand-off queue: {@link #write} hands a chunk over, and the writer signals it has consumed a chunk when it asks for
 * the next one. The caller waits for that signal ({@link #awaitConsumed}) before it reuses the Arrow buffers, which
 * keeps memory bounded by the batch size and the open writers.
 *
 * <p>{@code max_rows_per_file} ends Kernel's input iterator at the limit (splitting a chunk through its selection
 * vector), so Kernel closes the file and the next call starts a new one.
 */
final class PartitionWriter {

    private static final Object END = new Object();

    private final Engine engine;
    private final Row txnState;
    private final Map<String, Literal> partitionValues;
    private final OptionalLong maxRowsPerFile;
    private final String label;
    private final SynchronousQueue<Object> inbox = new SynchronousQueue<>();
    private final Semaphore consumed = new Semaphore(0);
    private final List<Row> actions = new ArrayList<>();
    private final Thread thread;
    private volatile Throwable failure;
    private int outstanding;
    private long rows;

    // Owned by the writer thread.
    private Chunk remainder;
    private boolean holding;
    private boolean ended;

    PartitionWriter(Engine engine, Row txnState, Map<String, Literal> partitionValues, OptionalLong maxRowsPerFile,
                    String label) {
        this.engine = engine;
        this.txnState = txnState;
        this.partitionValues = partitionValues;
        this.maxRowsPerFile = maxRowsPerFile;
        this.label = label;
        this.thread = new Thread(this::run, "delta-writer-" + label);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Rows of {@code data} to write: all of them, or those {@code selected} marks. */
    record Chunk(ColumnarBatch data, boolean[] selected, int selectedRows) {

        FilteredColumnarBatch filtered() {
            return new FilteredColumnarBatch(data, selected == null ? Optional.empty()
                    : Optional.of(ArrowColumnVectors.selection(selected, data.getSize())));
        }

        /** The first {@code n} selected rows, and the rest. */
        Chunk[] split(long n) {
            boolean[] first = new boolean[data.getSize()];
            boolean[] rest = new boolean[data.getSize()];
            long taken = 0;
            for (int i = 0; i < data.getSize(); i++) {
                if (selected == null || selected[i]) {
                    if (taken < n) {
                        first[i] = true;
                        taken++;
                    } else {
                        rest[i] = true;
                    }
                }
            }
            return new Chunk[] {new Chunk(data, first, (int) taken), new Chunk(data, rest, selectedRows - (int) taken)};
        }
    }

    String label() {
        return label;
    }

    long rows() {
        return rows;
    }

    /** Hands {@code chunk} to the writer thread; returns once the writer has taken it. */
    void write(Chunk chunk) {
        offer(chunk);
        outstanding++;
        rows += chunk.selectedRows();
    }

    /** Waits until every chunk handed over so far has been written, so its buffers may be reused. */
    void awaitConsumed() {
        while (outstanding > 0) {
            try {
                if (consumed.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    outstanding--;
                } else if (!thread.isAlive()) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LoaderException("Interrupted while writing partition " + label, e);
            }
        }
        checkFailure();
    }

    /** Ends the input, waits for the last file and returns the {@code add} actions of every file written. */
    List<Row> finish() {
        awaitConsumed();
        offer(END);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoaderException("Interrupted while finishing partition " + label, e);
        }
        checkFailure();
        return actions;
    }

    /** Stops the writer thread without waiting for its output; its files are never committed. */
    void abort() {
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void offer(Object item) {
        try {
            while (!inbox.offer(item, 100, TimeUnit.MILLISECONDS)) {
                if (!thread.isAlive()) {
                    checkFailure();
                    throw new LoaderException("Delta writer for partition " + label + " stopped unexpectedly");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LoaderException("Interrupted while writing partition " + label, e);
        }
    }

    private void checkFailure() {
        Throwable t = failure;
        if (t != null) {
            if (t instanceof LoaderException le) {
                throw le;
            }
            throw new LoaderException("Writing Parquet files for partition " + label + " failed: " + t, t);
        }
    }

    private void run() {
        try {
            DataWriteContext context = Transaction.getWriteContext(engine, txnState, partitionValues);
            while (!ended) {
                CloseableIterator<FilteredColumnarBatch> physical = Transaction.transformLogicalData(engine,
                        txnState, new FileInput(), partitionValues);
                try (CloseableIterator<DataFileStatus> files = engine.getParquetHandler().writeParquetFiles(
                        context.getTargetDirectory(), physical, context.getStatisticsColumns());
                     CloseableIterator<Row> adds = Transaction.generateAppendActions(engine, txnState, files,
                             context)) {
                    while (adds.hasNext()) {
                        actions.add(adds.next());
                    }
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            if (holding) {
                consumed.release();
            }
        }
    }

    /** Kernel's input for one call of writeParquetFiles: ends at the input's end or at max_rows_per_file. */
    private final class FileInput implements CloseableIterator<FilteredColumnarBatch> {
        private long rowsInFile;
        private FilteredColumnarBatch pending;

        @Override
        public boolean hasNext() {
            if (pending != null) {
                return true;
            }
            if (maxRowsPerFile.isPresent() && rowsInFile >= maxRowsPerFile.getAsLong()) {
                return false;
            }
            if (remainder == null) {
                if (ended) {
                    return false;
                }
                if (holding) {
                    holding = false;
                    consumed.release();
                }
                Object item;
                try {
                    item = inbox.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new LoaderException("Load aborted; partition " + label + " not committed", e);
                }
                if (item == END) {
                    ended = true;
                    return false;
                }
                remainder = (Chunk) item;
                holding = true;
            }
            long room = maxRowsPerFile.isPresent() ? maxRowsPerFile.getAsLong() - rowsInFile : Long.MAX_VALUE;
            if (remainder.selectedRows() <= room) {
                pending = remainder.filtered();
                rowsInFile += remainder.selectedRows();
                remainder = null;
            } else {
                Chunk[] parts = remainder.split(room);
                pending = parts[0].filtered();
                rowsInFile += room;
                remainder = parts[1];
            }
            return true;
        }

        @Override
        public FilteredColumnarBatch next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            FilteredColumnarBatch b = pending;
            pending = null;
            return b;
        }

        @Override
        public void close() {
        }
    }
}
