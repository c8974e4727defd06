package org.loadperf.postgres;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.postgres.BatchTarget.BatchFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads Arrow batches into PostgreSQL through binary COPY over a HikariCP pool.
 *
 * <p>Every batch is one transaction: {@code batch_size} rows (re-chunked from whatever the reader yields) are
 * encoded by {@link BinaryCopyEncoder} and streamed in ~1 MiB chunks through {@code CopyIn.writeToCopy}, then
 * committed; a failure cancels the COPY and rolls that batch back. OVERWRITE truncates and loads in a single
 * transaction, so readers see the old rows or the new ones. UPSERT copies each batch into a temporary table and
 * merges it with {@code INSERT ... ON CONFLICT DO UPDATE}, the last row of a key winning. With {@code parallelism}
 * above 1, APPEND batches are encoded by the caller's thread and copied by that many pooled connections at once
 * (OVERWRITE and UPSERT stay sequential: one transaction, and last-wins order, need it).
 *
 * <p>The work is shared out: {@link TableCatalog} resolves the table (catalog, DDL), {@link SequentialTarget} and
 * {@link ParallelTarget} run the COPYs, {@link PgConnections} holds the pool and the watchdog.
 *
 * <p>No call blocks without bound: each call on a connection runs under a {@link Watchdog} that aborts the
 * connection after {@code load_timeout_seconds}, and connecting is bounded by {@code connect_timeout_seconds}.
 *
 * <p>Safe for use by one thread at a time per {@code loadTable}; concurrent calls each take their own pooled
 * connections.
 */
final class PostgresLoader implements Loader {

    static final String TYPE = "postgresql";
    /** Bytes encoded before they are handed to the server; far below PostgreSQL's 1 GiB message limit. */
    static final int FLUSH_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(PostgresLoader.class);
    private static final Set<LoadMode> MODES = EnumSet.of(LoadMode.APPEND, LoadMode.OVERWRITE, LoadMode.UPSERT);

    private final PostgresLoaderConfig config;
    private final PgConnections db;
    private final TableCatalog catalog;

    PostgresLoader(PostgresLoaderConfig config) {
        this.config = Objects.requireNonNull(config, "config is null");
        this.db = new PgConnections(config);
        this.catalog = new TableCatalog(db);
        LOG.info("PostgreSQL loader connected to {} (database {}, pool of {}, batch_size {}, parallelism {})",
                config.address(), config.database(), config.maxConnections(), config.batchSize(),
                config.parallelism());
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Set<LoadMode> supportedModes() {
        return MODES;
    }

    @Override
    public LoadResult loadBatch(VectorSchemaRoot batch, String table, LoadMode mode) {
        Objects.requireNonNull(batch, "batch is null");
        long start = System.nanoTime();
        TablePlan plan = prepare(batch.getSchema(), table, mode);
        LoadProgress progress = new LoadProgress();
        try (SequentialTarget target = new SequentialTarget(db, plan, mode == LoadMode.OVERWRITE, progress)) {
            run(plan, progress, target, Integer.MAX_VALUE, new SingleBatch(batch));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("operation", "load_batch");
        meta.put("batch_size", progress.rows);
        meta.put("schema_fields", batch.getSchema().getFields().size());
        meta.put("throughput_rows_per_sec", seconds > 0 ? progress.rows / seconds : 0.0);
        meta.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
        meta.put("copy_bytes", progress.copyBytes);
        return new LoadResult(progress.rows, progress.arrowBytes, seconds, table, TYPE, meta);
    }

    @Override
    public LoadResult loadTable(ArrowReader source, String table, LoadMode mode) {
        Objects.requireNonNull(source, "source is null");
        long start = System.nanoTime();
        Schema schema;
        try {
            schema = source.getVectorSchemaRoot().getSchema();
        } catch (IOException e) {
            throw new LoaderException("Cannot read the schema of the source for table " + table + ": "
                    + e.getMessage(), e);
        }
        TablePlan plan = prepare(schema, table, mode);
        // OVERWRITE replaces the table: all it takes after the load is what the load added. Otherwise the size read
        // with the catalog entry, in the same round trip.
        long storedBefore = mode == LoadMode.OVERWRITE ? 0L : plan.sizeBytesAtPlan();
        long prepared = System.nanoTime();
        LoadProgress progress = new LoadProgress();
        boolean parallel = mode == LoadMode.APPEND && config.parallelism() > 1;
        try (BatchTarget target = parallel ? new ParallelTarget(db, plan, config.parallelism(), progress)
                : mode == LoadMode.APPEND ? new PipelinedTarget(db, plan, progress)
                : new SequentialTarget(db, plan, mode == LoadMode.OVERWRITE, progress)) {
            run(plan, progress, target, config.batchSize(), new ReaderBatches(source, plan));
        }
        long copied = System.nanoTime();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("batches_processed", progress.batches);
        meta.put("rows_loaded", progress.rows);
        meta.put("columns", plan.columns().size());
        meta.put("avg_batch_size", progress.batches > 0 ? (double) progress.rows / progress.batches : 0.0);
        long tableBytes = catalog.tableSizeBytes(plan);
        long end = System.nanoTime();
        double seconds = (end - start) / 1e9;
        // The same keys in every loader: stored_bytes what the table takes in the store (relation, TOAST and
        // indexes; table_size_bytes, the original's key, the same), stored_bytes_added what this load added,
        // input_bytes what its Arrow rows took.
        meta.put("table_size_bytes", tableBytes);
        meta.put("table_size_mb", tableBytes / (1024.0 * 1024.0));
        meta.put("stored_bytes", tableBytes);
        long added = Math.max(0L, tableBytes - storedBefore);
        meta.put("stored_bytes_added", added);
        if (progress.rows > 0) {
            meta.put("stored_bytes_per_row", (double) added / progress.rows);
        }
        meta.put("input_bytes", progress.arrowBytes);
        meta.put("throughput_rows_per_sec", seconds > 0 ? progress.rows / seconds : 0.0);
        meta.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
        meta.put("batch_size", config.batchSize());
        meta.put("parallelism", parallel ? config.parallelism() : 1);
        meta.put("copy_bytes", progress.copyBytes);
        meta.put("encoder_buffer_bytes", progress.encoderBufferBytes);
        // Where the wall time went, for the performance suite's breakdown (seconds; the last two sequential only).
        meta.put("prepare_seconds", (prepared - start) / 1e9);
        meta.put("copy_seconds", (copied - prepared) / 1e9);
        meta.put("after_copy_seconds", (end - copied) / 1e9);
        meta.put("socket_write_seconds", progress.writeNanos / 1e9);
        meta.put("server_wait_seconds", progress.serverWaitNanos / 1e9);
        LOG.debug("Loaded {} rows into {} in {} batches ({} s)", progress.rows, plan.qualifiedName(),
                progress.batches, seconds);
        return new LoadResult(progress.rows, progress.arrowBytes, seconds, table, TYPE, meta);
    }

    @Override
    public void close() {
        db.close();
    }

    /** The pool, for tests that check its state. */
    HikariDataSource pool() {
        return db.pool();
    }

    // ---------------------------------------------------------------------------------------------- the batch loop

    /** The Arrow batches of one load, in order. */
    private interface BatchSource {
        /** The next batch, or null at the end. */
        VectorSchemaRoot next() throws IOException;
    }

    private static final class SingleBatch implements BatchSource {
        private VectorSchemaRoot root;

        SingleBatch(VectorSchemaRoot root) {
            this.root = root;
        }

        @Override
        public VectorSchemaRoot next() {
            VectorSchemaRoot r = root;
            root = null;
            return r;
        }
    }

    private static final class ReaderBatches implements BatchSource {
        private final ArrowReader reader;
        private final TablePlan plan;

        ReaderBatches(ArrowReader reader, TablePlan plan) {
            this.reader = reader;
            this.plan = plan;
        }

        @Override
        public VectorSchemaRoot next() throws IOException {
            if (!reader.loadNextBatch()) {
                return null;
            }
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            if (root.getFieldVectors().size() != plan.columns().size()) {
                throw new IOException("the source changed its schema: " + root.getSchema());
            }
            return root;
        }
    }

    /**
     * Re-chunks the source into batches of {@code batchSize} rows: large source batches are cut into row ranges,
     * small ones are gathered into one COPY until it holds {@code batchSize} rows.
     */
    private void run(TablePlan plan, LoadProgress progress, BatchTarget target, int batchSize, BatchSource source) {
        BinaryCopyEncoder encoder = new BinaryCopyEncoder(plan.encoders(), FLUSH_BYTES);
        int batchNo = 0;
        long batchFirstRow = 0;
        int inBatch = 0;
        boolean open = false;
        long rootFirstRow = 0;
        VectorSchemaRoot root = null;
        try {
            while ((root = source.next()) != null) {
                int n = root.getRowCount();
                for (FieldVector v : root.getFieldVectors()) {
                    progress.arrowBytes += v.getBufferSize();
                }
                int pos = 0;
                while (pos < n) {
                    if (!open) {
                        batchNo++;
                        batchFirstRow = rootFirstRow + pos;
                        target.startBatch(batchNo, batchFirstRow);
                        encoder.begin();
                        open = true;
                    }
                    int take = Math.min(n - pos, batchSize - inBatch);
                    encoder.encode(root, pos, pos + take, target.sink());
                    pos += take;
                    inBatch += take;
                    progress.rows += take;
                    if (inBatch == batchSize) {
                        encoder.finish(target.sink());
                        target.endBatch(batchNo, batchFirstRow, inBatch);
                        progress.batches++;
                        open = false;
                        inBatch = 0;
                    }
                }
                rootFirstRow += n;
            }
            if (open) {
                encoder.finish(target.sink());
                target.endBatch(batchNo, batchFirstRow, inBatch);
                progress.batches++;
                open = false;
            }
            target.complete();
            progress.copyBytes = encoder.bytesSent();
            progress.encoderBufferBytes = encoder.bufferCapacity();
        } catch (EncodeException e) {
            encoder.discard();
            target.abort();
            long row = rootFirstRow + e.row();
            throw failure(plan, target, progress, batchNo, batchFirstRow, 0, "column \"" + e.column()
                    + "\", row " + row + " of the load (row " + (row - batchFirstRow) + " of the batch, 0-based): "
                    + e.problem(), null);
        } catch (SQLException | IOException e) {
            encoder.discard();
            target.abort();
            BatchFailure f = target.failure();
            if (f != null) {
                throw failure(plan, target, progress, f.batchNo(), f.firstRow(), f.rows(), db.reason(f.cause()),
                        f.cause());
            }
            throw failure(plan, target, progress, batchNo, batchFirstRow, 0, db.reason(e), e);
        } catch (RuntimeException e) {
            encoder.discard();
            target.abort();
            throw e;
        }
    }

    private LoaderException failure(TablePlan plan, BatchTarget target, LoadProgress progress, int batchNo,
                                    long firstRow, long rows, String reason, Exception cause) {
        String range = rows > 0 ? " (rows " + firstRow + ".." + (firstRow + rows - 1) + " of the load)"
                : " (starting at row " + firstRow + " of the load)";
        return new LoaderException("Loading batch " + batchNo + range + " into " + plan.qualifiedName()
                + " failed: " + reason + ". " + target.committedNote(progress), db.safeCause(cause));
    }

    private TablePlan prepare(Schema schema, String table, LoadMode mode) {
        Objects.requireNonNull(table, "table is null");
        Objects.requireNonNull(mode, "mode is null");
        if (db.closed()) {
            throw new LoaderException("The PostgreSQL loader is closed");
        }
        if (!MODES.contains(mode)) {
            throw new LoaderException("The PostgreSQL loader does not support mode " + mode + " (supported: "
                    + MODES + ")");
        }
        if (config.copyFreeze() && mode != LoadMode.OVERWRITE) {
            throw new LoaderException("'copy_freeze' is set, but this load of " + table + " is " + mode + ": PostgreSQL"
                    + " freezes only rows copied into a table truncated (or created) in the same transaction, which only"
                    + " OVERWRITE does; use OVERWRITE or set copy_freeze to false");
        }
        return catalog.plan(schema, table, mode);
    }
}
