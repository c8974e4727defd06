package org.loadperf.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.postgres.PgTypeMapping.EncoderFactory;
import org.loadperf.postgres.PgTypeMapping.PgColumn;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
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
 * <p>No call blocks without bound: each call on a connection runs under a {@link Watchdog} that aborts the
 * connection after {@code load_timeout_seconds}, and connecting is bounded by {@code connect_timeout_seconds}.
 *
 * <p>Safe for use by one thread at a time per {@code loadTable}; concurrent calls each take their own pooled
 * connections.
 */
final class PostgresLoader implements Loader {

    static final String TYPE = "postgresql";
    /** Bytes encoded before they are handed to the server; far below PostgreSQL's 1 GiB message limit. */
    static final int FLUSH_BYTES = 1 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(PostgresLoader.class);
    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    private static final Set<LoadMode> MODES = EnumSet.of(LoadMode.APPEND, LoadMode.OVERWRITE, LoadMode.UPSERT);
    private static final int POSTGRES_MAX_IDENTIFIER_BYTES = 63;

    private final PostgresLoaderConfig config;
    private final HikariDataSource pool;
    private final Watchdog watchdog;
    private volatile boolean closed;

    PostgresLoader(PostgresLoaderConfig config) {
        this.config = Objects.requireNonNull(config, "config is null");
        HikariConfig hc = new HikariConfig();
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        hc.setJdbcUrl("jdbc:postgresql://" + host + ":" + config.port() + "/"
                + URLEncoder.encode(config.database(), StandardCharsets.UTF_8));
        hc.setUsername(config.user());
        if (!config.password().isEmpty()) {
            hc.setPassword(config.password());
        }
        hc.setPoolName("loadperf-postgres-" + POOL_IDS.incrementAndGet());
        hc.setMaximumPoolSize(config.maxConnections());
        hc.setMinimumIdle(1);
        // Waiting for a pooled connection is one more call bounded by the load timeout.
        long poolWaitMillis = Math.max(250L, config.loadTimeoutSeconds() * 1000L);
        hc.setConnectionTimeout(poolWaitMillis);
        hc.setValidationTimeout(Math.min(5000L, poolWaitMillis));
        driverProperties(config).forEach(hc::addDataSourceProperty);
        this.watchdog = new Watchdog(config.loadTimeoutSeconds(), config.server());
        try {
            this.pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new LoaderException("Cannot connect to PostgreSQL at " + config.address() + " (database '"
                    + config.database() + "', user '" + config.user() + "'): " + rootMessage(e));
        }
        LOG.info("PostgreSQL loader connected to {} (database {}, pool of {}, batch_size {}, parallelism {})",
                config.address(), config.database(), config.maxConnections(), config.batchSize(),
                config.parallelism());
    }

    /**
     * pgJDBC's timeouts, unless {@code connection_params} sets them: connecting and logging in each take at most
     * {@code connect_timeout_seconds} (a frozen server accepts TCP connections but never answers the login), and
     * no read waits for ever (a backstop behind the watchdog, which fires first and also ends stuck writes).
     */
    private static Map<String, String> driverProperties(PostgresLoaderConfig config) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("connectTimeout", String.valueOf(config.connectTimeoutSeconds()));
        p.put("loginTimeout", String.valueOf(config.connectTimeoutSeconds()));
        p.put("socketTimeout", String.valueOf(config.loadTimeoutSeconds() + config.connectTimeoutSeconds()));
        p.putAll(config.connectionParams());
        return p;
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
        Progress progress = new Progress();
        try (SequentialTarget target = new SequentialTarget(plan, mode == LoadMode.OVERWRITE)) {
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
        // OVERWRITE replaces the table: all it takes after the load is what the load added
        long storedBefore = mode == LoadMode.OVERWRITE ? 0L : tableSizeBytes(plan);
        Progress progress = new Progress();
        boolean parallel = mode == LoadMode.APPEND && config.parallelism() > 1;
        try (BatchTarget target = parallel ? new ParallelTarget(plan, config.parallelism(), progress)
                : new SequentialTarget(plan, mode == LoadMode.OVERWRITE)) {
            run(plan, progress, target, config.batchSize(), new ReaderBatches(source, plan));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("batches_processed", progress.batches);
        meta.put("rows_loaded", progress.rows);
        meta.put("columns", plan.columns().size());
        meta.put("avg_batch_size", progress.batches > 0 ? (double) progress.rows / progress.batches : 0.0);
        long tableBytes = tableSizeBytes(plan);
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
        LOG.debug("Loaded {} rows into {} in {} batches ({} s)", progress.rows, plan.qualifiedName(),
                progress.batches, seconds);
        return new LoadResult(progress.rows, progress.arrowBytes, seconds, table, TYPE, meta);
    }

    @Override
    public void close() {
        closed = true;
        pool.close();
    }

    /** The pool, for tests that check its state. */
    HikariDataSource pool() {
        return pool;
    }

    // ---------------------------------------------------------------------------------------------- the batch loop

    /** What a load has done so far; read by the caller's thread after the load. */
    private static final class Progress {
        long rows;
        long arrowBytes;
        long copyBytes;
        long encoderBufferBytes;
        int batches;
        final AtomicLong committedRows = new AtomicLong();
        final AtomicInteger committedBatches = new AtomicInteger();
    }

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

    /** Where batches go: one COPY per batch, each committed on its own (or all at once for OVERWRITE). */
    private interface BatchTarget extends AutoCloseable {
        void startBatch(int batchNo, long firstRow) throws SQLException, IOException;

        BinaryCopyEncoder.Sink sink();

        void endBatch(int batchNo, long firstRow, long rows) throws SQLException, IOException;

        /** After the last batch: commits what is still open, waits for workers; throws their failure. */
        void complete() throws SQLException, IOException;

        /** After a failure: cancels the open COPY and rolls back what is not committed. Never throws. */
        void abort();

        /** A failure of a batch that the caller's thread did not see directly (a worker's), or null. */
        BatchFailure failure();

        String committedNote(Progress progress);

        @Override
        void close();
    }

    /** A failed batch: its number, its rows, why, and whether it failed awaiting its commit (outcome unknown). */
    private record BatchFailure(int batchNo, long firstRow, long rows, Exception cause, boolean atCommit) {
    }

    /**
     * Re-chunks the source into batches of {@code batchSize} rows: large source batches are cut into row ranges,
     * small ones are gathered into one COPY until it holds {@code batchSize} rows.
     */
    private void run(TablePlan plan, Progress progress, BatchTarget target, int batchSize, BatchSource source) {
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
                throw failure(plan, target, progress, f.batchNo(), f.firstRow(), f.rows(), reason(f.cause()),
                        f.cause());
            }
            throw failure(plan, target, progress, batchNo, batchFirstRow, 0, reason(e), e);
        } catch (RuntimeException e) {
            encoder.discard();
            target.abort();
            throw e;
        }
    }

    private LoaderException failure(TablePlan plan, BatchTarget target, Progress progress, int batchNo,
                                    long firstRow, long rows, String reason, Exception cause) {
        String range = rows > 0 ? " (rows " + firstRow + ".." + (firstRow + rows - 1) + " of the load)"
                : " (starting at row " + firstRow + " of the load)";
        return new LoaderException("Loading batch " + batchNo + range + " into " + plan.qualifiedName()
                + " failed: " + reason + ". " + target.committedNote(progress), config.secrets().safeCause(cause));
    }

    private String reason(Throwable e) {
        if (e instanceof Watchdog.ServerTimeoutException) {
            return oneLine(e.getMessage());
        }
        if (e instanceof WorkerFailedIo) {
            return "a parallel COPY worker failed";
        }
        if (e instanceof SQLException s && s.getSQLState() != null
                && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P"))) {
            return "the connection to PostgreSQL at " + config.address() + " was lost (" + driverText(s.getMessage())
                    + ")";
        }
        if (e instanceof IOException) {
            return "I/O error talking to PostgreSQL at " + config.address() + " (" + driverText(e.getMessage()) + ")";
        }
        return driverText(e.getMessage());
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\n\\s*", " ").trim();
    }

    // --------------------------------------------------------------------------------------- sequential target

    /** One connection; one COPY and transaction per batch, or one transaction for all (OVERWRITE). */
    private final class SequentialTarget implements BatchTarget {
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
        private final BinaryCopyEncoder.Sink sink = (bytes, length) -> {
            CopyIn c = copy;
            watch().run(sendStep, () -> c.writeToCopy(bytes, 0, length));
            return bytes;
        };

        SequentialTarget(TablePlan plan, boolean singleTransaction) {
            this.plan = plan;
            this.singleTransaction = singleTransaction;
            try {
                this.conn = connection();
                this.watch = watchdog.watch(conn);
                try {
                    watch.run("starting a transaction", () -> conn.setAutoCommit(false));
                    this.copyApi = conn.unwrap(PGConnection.class).getCopyAPI();
                    if (singleTransaction) {
                        watch.run("emptying " + plan.qualifiedName() + " for OVERWRITE (TRUNCATE)",
                                () -> execute(conn, plan.truncateSql()));
                    }
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(watch);
                    release(watch);
                    throw e;
                }
            } catch (SQLException e) {
                throw new LoaderException("Loading into " + plan.qualifiedName() + " failed before the first"
                        + " batch: " + reason(e), config.secrets().safeCause(e));
            }
        }

        private Watchdog.Watch watch() {
            return watch;
        }

        @Override
        public void startBatch(int batchNo, long firstRow) throws SQLException {
            if (plan.mode() == LoadMode.UPSERT) {
                watch.run("creating the staging table of batch " + batchNo, () -> {
                    for (String sql : plan.stageSql()) {
                        execute(conn, sql);
                    }
                });
            }
            copy = watch.call("starting the COPY of batch " + batchNo, () -> copyApi.copyIn(plan.copySql()));
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
            watch.run("ending the COPY of batch " + batchNo, c::endCopy);
            if (plan.mode() == LoadMode.UPSERT) {
                watch.run("merging batch " + batchNo + " (INSERT ... ON CONFLICT)",
                        () -> execute(conn, plan.mergeSql()));
            }
            if (!singleTransaction) {
                committingBatch = batchNo;
                watch.run("committing batch " + batchNo, conn::commit);
                committingBatch = 0;
                committedBatches++;
                committedRows += rows;
            }
        }

        @Override
        public void complete() throws SQLException {
            if (singleTransaction) {
                committingBatch = -1;
                watch.run("committing the OVERWRITE", conn::commit);
                committingBatch = 0;
            }
        }

        @Override
        public void abort() {
            if (copy != null) {
                CopyIn c = copy;
                copy = null;
                if (!watch.aborted()) {
                    try {
                        watch.run("cancelling the COPY", c::cancelCopy);
                    } catch (SQLException | RuntimeException e) {
                        LOG.debug("Cancelling COPY failed", e);
                    }
                }
            }
            rollbackQuietly(watch);
        }

        @Override
        public BatchFailure failure() {
            return null;
        }

        @Override
        public String committedNote(Progress progress) {
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
            release(watch);
        }
    }

    // ----------------------------------------------------------------------------------------- parallel target

    /**
     * {@code n} workers, each with its own pooled connection; batch {@code k} goes to worker {@code k % n}. The
     * caller's thread encodes into buffers from a small shared pool, which bounds memory and makes the encoder wait
     * when the workers fall behind.
     */
    private final class ParallelTarget implements BatchTarget {
        private static final int START = 0;
        private static final int DATA = 1;
        private static final int END = 2;
        private static final int ABORT = 3;
        private static final int STOP = 4;

        private record Message(int kind, int batchNo, long firstRow, long rows, byte[] bytes, int length) {
        }

        private final TablePlan plan;
        private final Progress progress;
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

        ParallelTarget(TablePlan plan, int workers, Progress progress) {
            this.plan = plan;
            this.progress = progress;
            // Unbounded queue, bounded population: at most maxBuffers made lazily, plus the encoder's own one.
            this.free = new java.util.concurrent.LinkedBlockingQueue<>();
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
                                cancel(watch, copy);
                                copy = null;
                                rollbackQuietly(watch);
                            }
                            continue;
                        }
                        switch (m.kind) {
                            case START -> {
                                batchNo = m.batchNo;
                                firstRow = m.firstRow;
                                if (watch == null) {
                                    Connection conn = connection();
                                    watch = watchdog.watch(conn);
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
                                    cancel(watch, copy);
                                    copy = null;
                                }
                                rollbackQuietly(watch);
                            }
                            default -> throw new IllegalStateException("unknown message " + m.kind);
                        }
                    } catch (SQLException | RuntimeException | Error e) {
                        failure.compareAndSet(null, new BatchFailure(batchNo, firstRow, m.rows,
                                e instanceof Exception ex ? ex : new RuntimeException(e), committing));
                        committing = false;
                        if (copy != null) {
                            cancel(watch, copy);
                            copy = null;
                        }
                        rollbackQuietly(watch);
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
                    cancel(watch, copy);
                }
                if (watch != null) {
                    rollbackQuietly(watch);
                    release(watch);
                }
            }
        }

        private void cancel(Watchdog.Watch watch, CopyIn copy) {
            if (watch.aborted()) {
                return;
            }
            try {
                watch.run("cancelling the COPY", copy::cancelCopy);
            } catch (SQLException | RuntimeException e) {
                LOG.debug("Cancelling COPY failed", e);
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
                return new byte[FLUSH_BYTES + FLUSH_BYTES / 4];
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
        public String committedNote(Progress p) {
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
    }

    /** A worker failure surfacing through the encoder's sink, which may only throw I/O or SQL exceptions. */
    private static final class WorkerFailedIo extends IOException {
        private static final long serialVersionUID = 1L;

        WorkerFailedIo() {
            super("a parallel COPY worker failed");
        }
    }

    // --------------------------------------------------------------------------------------------- table setup

    private TablePlan prepare(Schema schema, String table, LoadMode mode) {
        Objects.requireNonNull(table, "table is null");
        Objects.requireNonNull(mode, "mode is null");
        if (closed) {
            throw new LoaderException("The PostgreSQL loader is closed");
        }
        if (!MODES.contains(mode)) {
            throw new LoaderException("The PostgreSQL loader does not support mode " + mode + " (supported: "
                    + MODES + ")");
        }
        if (table.isEmpty()) {
            throw new LoaderException("Table name is empty");
        }
        checkIdentifier(table, "Table name");
        List<Field> fields = schema.getFields();
        if (fields.isEmpty()) {
            throw new LoaderException("The Arrow schema for table " + table + " has no columns");
        }
        Set<String> names = new HashSet<>();
        for (Field f : fields) {
            checkIdentifier(f.getName(), "Column name");
            if (!names.add(f.getName())) {
                throw new LoaderException("The Arrow schema has two columns named \"" + f.getName() + "\"");
            }
        }
        List<String> keys = config.keyColumns();
        if (mode == LoadMode.UPSERT) {
            if (keys.isEmpty()) {
                throw new LoaderException("UPSERT into " + table + " needs 'key_columns' (the columns of its primary"
                        + " key or a unique constraint)");
            }
            for (String k : keys) {
                if (!names.contains(k)) {
                    throw new LoaderException("Key column \"" + k + "\" (from 'key_columns') is not a column of the"
                            + " Arrow schema " + names);
                }
            }
        }
        String qualified = TablePlan.qualify(config.schema(), table);
        List<EncoderFactory> factories = new ArrayList<>();
        Watchdog.Watch watch = null;
        try {
            Connection conn = connection();
            watch = watchdog.watch(conn);
            String catalogStep = "reading the catalog entry of " + qualified;
            TableInfo info = watch.call(catalogStep, () -> readTable(conn, table));
            if (info == null) {
                if (!config.createTable()) {
                    throw new LoaderException("Table " + qualified + " does not exist and 'create_table' is false");
                }
                String ddl = createSql(qualified, fields, mode == LoadMode.UPSERT ? keys : List.of());
                watch.run("creating table " + qualified, () -> execute(conn, ddl));
                LOG.info("Created table {} with {} columns", qualified, fields.size());
                info = watch.call(catalogStep, () -> readTable(conn, table));
                if (info == null) {
                    throw new LoaderException("Table " + qualified + " was created but cannot be found in the catalog");
                }
            }
            for (Field f : fields) {
                PgColumn column = info.columns.get(f.getName());
                if (column == null) {
                    throw new LoaderException("Column \"" + f.getName() + "\" of the Arrow schema does not exist in"
                            + " table " + qualified + " (its columns: " + info.columns.keySet() + ")");
                }
                factories.add(PgTypeMapping.encoderFor(f, column, qualified));
            }
            long oid = info.oid;
            if (mode == LoadMode.UPSERT && !watch.call("reading the unique indexes of " + qualified,
                    () -> hasUniqueIndex(conn, oid, keys))) {
                throw new LoaderException("UPSERT into " + qualified + " needs a primary key or unique constraint on"
                        + " exactly the key_columns " + keys + "; the table has none");
            }
        } catch (SQLException e) {
            throw new LoaderException("Preparing table " + qualified + " failed: " + reason(e),
                    config.secrets().safeCause(e));
        } finally {
            if (watch != null) {
                release(watch);
            }
        }
        String ordinal = "__loadperf_row";
        while (names.contains(ordinal)) {
            ordinal = ordinal + "_";
        }
        return new TablePlan(table, qualified, fields.stream().map(Field::getName).toList(), factories, mode, keys,
                ordinal);
    }

    private static void checkIdentifier(String name, String what) {
        if (name.isEmpty()) {
            throw new LoaderException(what + " is empty");
        }
        if (name.indexOf('\0') >= 0) {
            throw new LoaderException(what + " \"" + name.replace("\0", "\\0") + "\" contains a NUL character");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > POSTGRES_MAX_IDENTIFIER_BYTES) {
            throw new LoaderException(what + " \"" + name + "\" is longer than PostgreSQL's "
                    + POSTGRES_MAX_IDENTIFIER_BYTES + "-byte identifier limit and would be truncated");
        }
    }

    private static String createSql(String qualified, List<Field> fields, List<String> keys) {
        StringBuilder sql = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(qualified).append(" (");
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            if (i > 0) {
                sql.append(", ");
            }
            sql.append(TablePlan.quote(f.getName())).append(' ').append(PgTypeMapping.ddl(f));
            if (!f.isNullable()) {
                sql.append(" NOT NULL");
            }
        }
        if (!keys.isEmpty()) {
            sql.append(", PRIMARY KEY (");
            sql.append(String.join(", ", keys.stream().map(TablePlan::quote).toList())).append(')');
        }
        return sql.append(')').toString();
    }

    private record TableInfo(long oid, Map<String, PgColumn> columns) {
    }

    private TableInfo readTable(Connection conn, String table) throws SQLException {
        String sql = "SELECT c.oid, a.attname, a.atttypid, format_type(a.atttypid, a.atttypmod), t.typcategory,"
                + " t.typelem, format_type(t.typelem, NULL)"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
                + " LEFT JOIN pg_type t ON t.oid = a.atttypid"
                + " WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p') ORDER BY a.attnum";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, config.schema());
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                Map<String, PgColumn> columns = new LinkedHashMap<>();
                Long oid = null;
                while (rs.next()) {
                    oid = rs.getLong(1);
                    String name = rs.getString(2);
                    if (name == null) {
                        continue;
                    }
                    boolean array = "A".equals(rs.getString(5));
                    int elem = array ? (int) rs.getLong(6) : 0;
                    columns.put(name, new PgColumn(name, (int) rs.getLong(3), rs.getString(4), elem,
                            array ? rs.getString(7) : null));
                }
                return oid == null ? null : new TableInfo(oid, columns);
            }
        }
    }

    private static boolean hasUniqueIndex(Connection conn, long tableOid, List<String> keys) throws SQLException {
        String sql = "SELECT i.indexrelid, a.attname FROM pg_index i"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
                + " WHERE i.indrelid = ? AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL";
        Map<Long, Set<String>> indexes = new LinkedHashMap<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, tableOid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    indexes.computeIfAbsent(rs.getLong(1), k -> new TreeSet<>()).add(rs.getString(2));
                }
            }
        }
        return indexes.values().contains(new TreeSet<>(keys));
    }

    private long tableSizeBytes(TablePlan plan) {
        Watchdog.Watch watch = null;
        try {
            Connection conn = connection();
            watch = watchdog.watch(conn);
            return watch.call("reading the size of " + plan.qualifiedName(), () -> {
                try (PreparedStatement ps = conn.prepareStatement("SELECT pg_total_relation_size(c.oid) FROM"
                        + " pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND"
                        + " c.relname = ?")) {
                    ps.setString(1, config.schema());
                    ps.setString(2, plan.table());
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getLong(1) : 0L;
                    }
                }
            });
        } catch (SQLException e) {
            LOG.warn("Cannot read the size of {}: {}", plan.qualifiedName(), reason(e));
            return 0L;
        } finally {
            if (watch != null) {
                release(watch);
            }
        }
    }

    // --------------------------------------------------------------------------------------------------- helpers

    /** A pooled connection; waits at most load_timeout_seconds (HikariCP's connectionTimeout). */
    private Connection connection() throws SQLException {
        if (closed) {
            throw new LoaderException("The PostgreSQL loader is closed");
        }
        try {
            return pool.getConnection();
        } catch (SQLTransientConnectionException e) {
            throw new Watchdog.ServerTimeoutException("no connection to PostgreSQL at " + config.server()
                    + " within load_timeout_seconds (" + config.loadTimeoutSeconds() + " s): all "
                    + config.maxConnections() + " pooled connections are in use or the server does not answer ("
                    + rootMessage(e) + ")", e);
        }
    }

    private static void execute(Connection conn, String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    private static void rollbackQuietly(Watchdog.Watch watch) {
        if (watch == null || watch.aborted()) {
            return;
        }
        Connection conn = watch.connection();
        try {
            if (!conn.isClosed() && !conn.getAutoCommit()) {
                watch.run("rolling back", conn::rollback);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Rollback failed", e);
        }
    }

    /**
     * Returns the connection to the pool, or evicts it when the watchdog aborted it (HikariCP must not hand out a
     * closed connection, and closing it through the pool would only log errors).
     */
    private void release(Watchdog.Watch watch) {
        Connection conn = watch.connection();
        if (!watch.aborted()) {
            try {
                watch.run("returning a connection to the pool", conn::close);
                return;
            } catch (SQLException | RuntimeException e) {
                LOG.debug("Closing a connection failed", e);
            }
            if (!watch.aborted()) {
                return;
            }
        }
        pool.evictConnection(conn);
    }

    private String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return driverText(t.getMessage() != null ? t.getMessage() : t.toString());
    }

    /** The driver's or server's words on one line, withheld whole when a secret stands in them. */
    private String driverText(String message) {
        return config.secrets().detail(oneLine(message));
    }
}
