package org.loadperf.delta;

import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionBuilder;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.hadoopio.HadoopFileIO;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.api.loader.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Arrow batches into one Delta table through Delta Kernel: Parquet files written straight from the Arrow
 * vectors in Kernel's file layout ({@link PartitionWriter}, {@link ArrowParquetWriter}), turned into {@code add}
 * actions by Kernel and committed by Kernel, once per load, so readers see all of a load or none of it. See the
 * module README for what Kernel 4.0.0 can and cannot do.
 *
 * <p>Over 400 lines: a load's four steps (plan, write, commit, finish) and the clean-up of a failed one share the
 * loader's engine, table figures and open partition writers; the Parquet writing, maintenance, log I/O and
 * post-commit hooks are classes of their own.
 */
final class DeltaLoader implements Loader {

    private static final Logger LOG = LoggerFactory.getLogger(DeltaLoader.class);
    static final String ENGINE_INFO = "loadperf-deltalake/0.1";
    /** Partitions written at once per lane; beyond it the least recently used partition's file is closed. */
    static final int MAX_OPEN_PARTITION_WRITERS = 64;
    /** A batch is split between lanes only into ranges of at least this many rows (a small load stays one file). */
    static final int MIN_ROWS_PER_LANE = 1024;

    private final DeltaLoaderConfig config;
    private final Engine engine;
    private final Table table;
    private final TableMaintenance maintenance;
    /** Kernel's post-commit hooks; checkpoints run beside the next loads. */
    private final PostCommitHooks hooks;
    /** The table's figures after this loader's last load, or null when unknown. */
    private TableMaintenance.TableStats known;
    /** One Hadoop configuration for every file of every load: building one parses core-default.xml again. */
    private final Configuration conf;
    /** The columns whose dictionary did not pay in this loader's earlier files (see {@link DictionaryFallbacks}). */
    private final DictionaryFallbacks.Memory dictionaryMemory = new DictionaryFallbacks.Memory();
    /** Threads of lanes 1 and up ({@code parallelism} over 1), started when first needed. */
    private ExecutorService writerPool;

    DeltaLoader(DeltaLoaderConfig config) {
        this.config = config;
        Configuration conf = new Configuration();
        this.conf = conf;
        config.storageOptions.forEach(conf::set);
        conf.set("parquet.compression", config.parquetCodec());
        conf.set("parquet.block.size", Long.toString(config.rowGroupSize));
        conf.set("delta.kernel.default.parquet.writer.targetMaxFileSize", Long.toString(config.targetFileSize));
        this.engine = new DeltaEngine(new LocalLogFileIO(new HadoopFileIO(conf), conf));
        try {
            this.table = Table.forPath(engine, resolveLocal(config.tablePath, conf));
        } catch (LoaderException e) {
            throw withoutSecrets(e);
        } catch (RuntimeException e) {
            throw withoutSecrets(new LoaderException("Cannot open the Delta table at " + config.tablePath + ": " + e, e));
        }
        this.hooks = new PostCommitHooks(engine, config.tablePath);
        this.maintenance = new TableMaintenance(engine, table, conf, config, hooks);
        // Storage option values are credentials as often as not (account keys, SAS tokens): only keys are logged.
        // DEBUG: a streaming application creates loaders by the thousand, and nothing here is a user's to act on.
        LOG.debug("Delta Lake loader for {} (compression {}, target file size {} bytes, partition_by {}, "
                        + "parallelism {}, storage option keys {})", config.tablePath, config.compression,
                config.targetFileSize, config.partitionBy, config.parallelism, config.storageOptions.keySet());
    }

    /**
     * A local table path with {@code ..} in it, resolved as the operating system would: {@code ..} is the parent of
     * the real directory before it (symbolic links followed), and a {@code ..} after a directory that does not exist
     * fails, naming both, before anything is written. Hadoop's paths drop {@code x/..} as text, which would put the
     * table somewhere else than the path says. Paths without {@code ..} and other file systems are left as they are.
     */
    static String resolveLocal(String tablePath, Configuration conf) {
        URI uri;
        try {
            uri = new URI(tablePath);
        } catch (URISyntaxException e) {
            uri = null; // not a URI (e.g. spaces): a plain local path
        }
        String scheme = uri == null ? null : uri.getScheme();
        boolean local = scheme == null ? FileSystem.getDefaultUri(conf).getScheme() == null
                || "file".equals(FileSystem.getDefaultUri(conf).getScheme()) : "file".equals(scheme);
        String path = scheme == null ? tablePath : uri.getPath();
        if (!local || path == null || !java.util.Arrays.asList(path.split("/")).contains("..")) {
            return tablePath;
        }
        java.nio.file.Path given = java.nio.file.Paths.get(path);
        java.nio.file.Path cur = given.isAbsolute() ? given.getRoot() : java.nio.file.Paths.get("").toAbsolutePath();
        for (java.nio.file.Path name : given) {
            if (name.toString().equals("..")) {
                java.nio.file.Path real;
                try {
                    real = cur.toRealPath();
                } catch (IOException e) {
                    throw new LoaderException("table_path '" + tablePath + "' goes up ('..') from " + cur
                            + ", which does not exist (" + e.getClass().getSimpleName() + "); nothing was written");
                }
                cur = real.getParent() == null ? real : real.getParent();
            } else if (!name.toString().equals(".")) {
                cur = cur.resolve(name);
            }
        }
        return scheme == null ? cur.toString() : cur.toUri().toString();
    }

    @Override
    public String type() {
        return DeltaLoaderProvider.TYPE;
    }

    @Override
    public Set<LoadMode> supportedModes() {
        return EnumSet.of(LoadMode.APPEND, LoadMode.OVERWRITE);
    }

    /** The Delta table's path (every load goes there; the {@code table} argument is a label, as in the guide). */
    String tablePath() {
        return table.getPath(engine);
    }

    Engine engine() {
        return engine;
    }

    /** Compacts the table now, as optimize_after_write does after a load. */
    TableMaintenance.Compaction optimize() {
        return maintenance.optimize();
    }

    @Override
    public LoadResult loadBatch(VectorSchemaRoot batch, String tableName, LoadMode mode) {
        return load(new Source() {
            private boolean first = true;

            @Override
            public VectorSchemaRoot root() {
                return batch;
            }

            @Override
            public boolean next() {
                boolean b = first;
                first = false;
                return b;
            }
        }, tableName, mode);
    }

    @Override
    public LoadResult loadTable(ArrowReader source, String tableName, LoadMode mode) {
        return load(new Source() {
            @Override
            public VectorSchemaRoot root() {
                try {
                    return source.getVectorSchemaRoot();
                } catch (IOException e) {
                    throw new LoaderException("Cannot read the Arrow source: " + e.getMessage(), e);
                }
            }

            @Override
            public boolean next() {
                try {
                    return source.loadNextBatch();
                } catch (IOException e) {
                    throw new LoaderException("Cannot read the next Arrow batch: " + e.getMessage(), e);
                }
            }
        }, tableName, mode);
    }

    /** Where batches come from: one root whose buffers are refilled by {@link #next()}. */
    private interface Source {
        VectorSchemaRoot root();

        boolean next();
    }

    private LoadResult load(Source source, String tableName, LoadMode mode) {
        try {
            return loadUnguarded(source, tableName, mode);
        } catch (RuntimeException e) {
            throw withoutSecrets(e);
        }
    }

    /**
     * {@code e}, or when a message in it holds a secret storage option's value (a file system's echo of its
     * credentials), a failure that says so instead of showing it.
     */
    RuntimeException withoutSecrets(RuntimeException e) {
        if (config.secrets.safeCause(e) != null) {
            return e;
        }
        return new LoaderException("Delta load into " + config.tablePath + " failed with " + e.getClass().getSimpleName()
                + "; " + Secrets.WITHHELD.substring(1, Secrets.WITHHELD.length() - 1) + " (a storage option)");
    }

    private LoadResult loadUnguarded(Source source, String tableName, LoadMode mode) {
        checkMode(mode);
        long start = System.nanoTime();
        // Every data file this load creates is recorded before it exists, and deleted again unless it is committed.
        Attempt attempt = new Attempt(new WrittenFiles(conf), config.parallelism);
        Committed load;
        try {
            VectorSchemaRoot root = source.root();
            Plan plan = plan(root, attempt);
            long prepared = System.nanoTime();
            Written data = write(source, root, plan, attempt);
            long writeDone = System.nanoTime();
            load = commit(plan, data, mode, attempt, root.getSchema().getFields().size(), prepared, writeDone);
        } catch (RuntimeException e) {
            attempt.abort();
            throw failed(e, attempt.written, attempt.readVersion, attempt.commitAttempted);
        }
        return finish(load, start, tableName, mode);
    }

    private void checkMode(LoadMode mode) {
        if (!supportedModes().contains(mode)) {
            throw new LoaderException("Load mode " + mode + " is not supported by the Delta Lake loader (supported: "
                    + supportedModes() + "): Delta Kernel 4.0.0 has no row-level MERGE/UPDATE and no deletion "
                    + "vector writes, so an upsert cannot be made atomic and correct; nothing was written to "
                    + config.tablePath);
        }
    }

    /** What a failed load must undo: its files, its open writers, and whether its commit may have landed. */
    private static final class Attempt {
        final WrittenFiles written;
        /** One per writer thread of the load ({@code parallelism}); lane 0 runs on the caller's thread. */
        final List<Lane> lanes = new ArrayList<>();
        long readVersion = -1;
        boolean commitAttempted;

        Attempt(WrittenFiles written, int parallelism) {
            this.written = written;
            for (int i = 0; i < parallelism; i++) {
                lanes.add(new Lane());
            }
        }

        void abort() {
            for (Lane lane : lanes) {
                for (PartitionWriter w : lane.writers.values()) {
                    w.abort();
                }
                lane.writers.clear();
            }
        }
    }

    /**
     * The files one writer thread has open and has closed: each thread of a load with {@code parallelism} over 1
     * writes its own share of every batch's rows into files of its own.
     */
    private static final class Lane {
        /** Open partition writers, least recently used first. */
        final Map<List<Object>, PartitionWriter> writers = new LinkedHashMap<>(16, 0.75f, true);
        /** The {@code add} actions of the files closed so far. */
        final List<Row> actions = new ArrayList<>();
        long fileBytes;

        void finish(PartitionWriter w) {
            actions.addAll(w.finish());
            fileBytes += w.fileBytes();
        }

        void finishAll() {
            for (PartitionWriter w : writers.values()) {
                finish(w);
            }
            writers.clear();
        }
    }

    /** The transaction a load writes into: the version it read (-1: new table), the schema it writes, Kernel's state. */
    private record Plan(long readVersion, StructType tableSchema, Transaction txn, Row txnState,
                        List<String> partitionColumns) {
    }

    /** The data a load wrote: its {@code add} actions and what it counted. */
    private record Written(List<Row> actions, long rows, long bytes, long batches, long fileBytes) {
    }

    /** What a committed load did, for its result. */
    private record Committed(int columns, Written data, long filesRemoved, long bytesRemoved, long version,
                             long readVersion, List<String> hooks, List<String> partitionColumns, long prepared,
                             long written, long committed) {
    }

    /**
     * Step 1: checks the data's columns against the table (or the partition columns of a new table) and builds the
     * transaction on the latest snapshot: a plain write, a table creation, or a write that widens the schema.
     */
    private Plan plan(VectorSchemaRoot root, Attempt attempt) {
        StructType incoming = ArrowDeltaTypes.toDelta(root.getSchema());
        ColumnNames.check(incoming, config.tablePath);
        // The builder loads the latest snapshot itself; its schema, partitions and version are read from the
        // transaction rather than from a second snapshot load of our own (a third of a small load's time).
        Transaction txn = appendTransaction();
        StructType tableSchema;
        if (txn == null) {
            checkPartitionColumns(incoming, config.partitionBy);
            tableSchema = incoming;
            txn = table.createTransactionBuilder(engine, ENGINE_INFO, Operation.CREATE_TABLE)
                    .withSchema(engine, incoming).withPartitionColumns(engine, config.partitionBy).build(engine);
        } else {
            attempt.readVersion = txn.getReadTableVersion();
            StructType current = txn.getSchema(engine);
            List<StructField> added = checkAgainstTable(incoming, current, txn.getPartitionColumns(engine));
            if (added.isEmpty()) {
                tableSchema = current;
            } else {
                // Kernel 4.0.0's builder cannot widen the schema of a table without column mapping: the transaction
                // whose commit carries the new metaData is built from Kernel's internals (see KernelActions).
                Snapshot snapshot = table.getSnapshotAsOfVersion(engine, attempt.readVersion);
                tableSchema = widened(snapshot.getSchema(), added);
                String names = newColumnNames(tableSchema, snapshot.getSchema());
                txn = KernelActions.widenSchema(engine, table, snapshot, ENGINE_INFO, tableSchema, names);
                LOG.info("Widening the schema of {} at version {} by nullable column(s) {} in this load's commit",
                        config.tablePath, snapshot.getVersion(), names);
            }
        }
        return new Plan(attempt.readVersion, tableSchema, txn, txn.getTransactionState(engine),
                txn.getPartitionColumns(engine));
    }

    /** A WRITE transaction on the latest version, or null when there is no table yet. */
    private Transaction appendTransaction() {
        try {
            return table.createTransactionBuilder(engine, ENGINE_INFO, Operation.WRITE).build(engine);
        } catch (TableNotFoundException e) {
            return null;
        }
    }

    /**
     * Step 2: writes every batch of {@code source} into the data files of its partitions, chunk by chunk. With
     * {@code parallelism} over 1 a batch's rows are split into that many contiguous ranges written at once, one per
     * lane (the caller's thread writes the first); the next batch is read only when every lane is done with this
     * one, since the source refills the same vectors.
     */
    private Written write(Source source, VectorSchemaRoot root, Plan plan, Attempt attempt) {
        StructType tableSchema = plan.tableSchema();
        int[] sourceIndex = sourceIndexes(tableSchema, root);
        int[] partitionIndex = plan.partitionColumns().stream().mapToInt(tableSchema::indexOf).toArray();
        long rows = 0;
        long bytes = 0;
        long batches = 0;
        while (source.next()) {
            int n = root.getRowCount();
            batches++;
            bytes += arrowBytes(root);
            long batchNo = batches;
            int parts = Math.max(1, Math.min(attempt.lanes.size(), n / MIN_ROWS_PER_LANE));
            if (parts == 1) {
                writeRange(root, sourceIndex, partitionIndex, plan, attempt, attempt.lanes.get(0), 0, n, batchNo);
            } else {
                inParallel(parts, batchNo, part -> writeRange(root, sourceIndex, partitionIndex, plan, attempt,
                        attempt.lanes.get(part), (int) ((long) n * part / parts), (int) ((long) n * (part + 1) / parts),
                        batchNo));
            }
            rows += n;
        }
        finishLanes(attempt.lanes, batches);
        List<Row> actions = new ArrayList<>();
        long fileBytes = 0;
        for (Lane lane : attempt.lanes) {
            actions.addAll(lane.actions);
            fileBytes += lane.fileBytes;
        }
        return new Written(actions, rows, bytes, batches, fileBytes);
    }

    /**
     * Closes every lane's open files (last row group, compression, footer, statistics): on the lanes' own threads when
     * more than one lane has files open, as their writes ran.
     */
    private void finishLanes(List<Lane> lanes, long batchNo) {
        List<Lane> open = lanes.stream().filter(l -> !l.writers.isEmpty()).toList();
        if (open.size() <= 1) {
            open.forEach(Lane::finishAll);
        } else {
            inParallel(open.size(), batchNo, part -> open.get(part).finishAll());
        }
    }

    /** Rows {@code from} to {@code to - 1} of the current batch into {@code lane}'s files, in chunks of batch_size. */
    private void writeRange(VectorSchemaRoot root, int[] sourceIndex, int[] partitionIndex, Plan plan,
                            Attempt attempt, Lane lane, int from, int to, long batchNo) {
        for (int offset = from; offset < to; offset += config.batchSize) {
            checkNotInterrupted(batchNo);
            int len = Math.min(config.batchSize, to - offset);
            checkNotNull(root, plan.tableSchema(), sourceIndex, offset, len, batchNo);
            distribute(root, sourceIndex, offset, len, plan, partitionIndex, attempt, lane);
        }
    }

    /** One part of {@link #inParallel} on the writer pool: whoever claims it first runs it or gives it up. */
    private static final class PoolPart {
        private final AtomicBoolean claimed = new AtomicBoolean();
        private Future<?> future;

        boolean claim() {
            return claimed.compareAndSet(false, true);
        }

        /** Gives the part up if it has not started, else interrupts it; {@code done} counts down either way. */
        void stop(CountDownLatch done) {
            if (claim()) {
                done.countDown();
            } else if (future != null) {
                future.cancel(true); // the part's own finally counts down
            }
        }
    }

    /**
     * Runs {@code task} for parts 0 to {@code parts - 1} at once (part 0 on this thread, the others on the writer
     * pool) and waits until every one has ended, also when one fails or this thread is interrupted: a part still
     * reading the batch's vectors must not see them refilled or freed. The lowest part's failure is the load's.
     */
    private void inParallel(int parts, long batchNo, IntConsumer task) {
        RuntimeException[] failures = new RuntimeException[parts];
        CountDownLatch done = new CountDownLatch(parts - 1);
        List<PoolPart> others = new ArrayList<>(parts - 1);
        ExecutorService pool = writerPool();
        for (int i = 1; i < parts; i++) {
            int part = i;
            PoolPart p = new PoolPart();
            others.add(p);
            try {
                p.future = pool.submit(() -> {
                    if (!p.claim()) {
                        return; // given up before it started: counted down by the caller
                    }
                    try {
                        task.accept(part);
                    } catch (RuntimeException | Error e) {
                        failures[part] = failure(e);
                    } finally {
                        done.countDown();
                    }
                });
            } catch (RejectedExecutionException e) { // the loader was closed during the load
                p.claim();
                failures[part] = new LoaderException("The Delta loader of " + config.tablePath + " was closed during "
                        + "the load", e);
                done.countDown();
            }
        }
        try {
            task.accept(0);
        } catch (RuntimeException | Error e) {
            failures[0] = failure(e); // thrown once the other parts have stopped
        }
        boolean interrupted = false;
        while (true) {
            try {
                done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                others.forEach(p -> p.stop(done));
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw interruptedAt(batchNo);
        }
        for (RuntimeException f : failures) {
            if (f != null) {
                throw f;
            }
        }
    }

    private static RuntimeException failure(Throwable e) {
        return e instanceof RuntimeException r ? r : new LoaderException("A writer thread failed: " + e, e);
    }

    /** The threads that write lanes 1 and up, started with the first load that splits a batch. */
    private synchronized ExecutorService writerPool() {
        if (writerPool == null) {
            AtomicInteger count = new AtomicInteger();
            writerPool = Executors.newFixedThreadPool(config.parallelism - 1, r -> {
                Thread t = new Thread(r, "delta-writer-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return writerPool;
    }

    /**
     * Step 3: adds OVERWRITE's removes, commits (Kernel retries against newer versions and fails on a real
     * conflict) and starts Kernel's post-commit hooks.
     */
    private Committed commit(Plan plan, Written data, LoadMode mode, Attempt attempt, int columns, long prepared,
                             long written) {
        List<Row> actions = new ArrayList<>(data.actions());
        long filesRemoved = 0;
        long bytesRemoved = 0;
        boolean exists = plan.readVersion() >= 0;
        if (mode == LoadMode.OVERWRITE && exists) {
            long now = System.currentTimeMillis();
            Snapshot read = table.getSnapshotAsOfVersion(engine, plan.txn().getReadTableVersion());
            for (Row scanFile : TableMaintenance.scanFiles(engine, read)) {
                actions.add(KernelActions.remove(scanFile, true, now));
                filesRemoved++;
                bytesRemoved += KernelActions.fileStatus(scanFile).getSize();
            }
        }
        long version;
        List<String> ran = new ArrayList<>();
        if (actions.isEmpty() && exists) {
            version = plan.readVersion();
            LOG.info("Nothing to commit to {}: the load had no rows", config.tablePath);
        } else {
            checkNotInterrupted(data.batches());
            attempt.commitAttempted = true;
            TransactionCommitResult result = commit(plan.txn(), actions);
            version = result.getVersion();
            ran = hooks.run(result);
        }
        return new Committed(columns, data, filesRemoved, bytesRemoved, version, attempt.readVersion, ran,
                plan.partitionColumns(), prepared, written, System.nanoTime());
    }

    /** Step 4, after the commit: compaction, vacuum and the result. A failure here says that the load stands. */
    private LoadResult finish(Committed load, long start, String tableName, LoadMode mode) {
        TableMaintenance.Compaction compaction;
        long vacuumed;
        TableMaintenance.TableStats stats;
        try {
            compaction = config.optimizeAfterWrite ? maintenance.optimize() : null;
            vacuumed = config.vacuumAfterWrite ? maintenance.vacuum() : 0;
            stats = statsAfter(load, compaction != null && compaction.committed());
        } catch (RuntimeException e) {
            known = null;
            throw new LoaderException("The load of " + load.data().rows() + " rows into " + config.tablePath
                    + " was committed as version " + load.version() + ", but the maintenance after it failed: "
                    + (e instanceof LoaderException ? e.getMessage() : e.toString()), e);
        }
        long maintained = System.nanoTime();
        long rows = load.data().rows();
        long batches = load.data().batches();
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("batches_processed", batches);
        metadata.put("rows_loaded", rows);
        metadata.put("columns", load.columns());
        metadata.put("avg_batch_size", batches == 0 ? 0.0 : (double) rows / batches);
        metadata.put("table_size_bytes", stats.bytes());
        metadata.put("table_size_mb", stats.bytes() / (1024.0 * 1024.0));
        // The same keys in every loader: stored_bytes what the table's live files take on disk (table_size_bytes,
        // the original's key, the same), stored_bytes_added the data files this load wrote, input_bytes its Arrow rows.
        metadata.put("stored_bytes", stats.bytes());
        metadata.put("stored_bytes_added", load.data().fileBytes());
        if (rows > 0) {
            metadata.put("stored_bytes_per_row", (double) load.data().fileBytes() / rows);
        }
        metadata.put("input_bytes", load.data().bytes());
        metadata.put("throughput_rows_per_sec", seconds > 0 ? rows / seconds : 0.0);
        metadata.put("write_mode", mode.name().toLowerCase(java.util.Locale.ROOT));
        metadata.put("table_version", stats.version());
        metadata.put("commit_version", load.version());
        metadata.put("total_files", stats.files());
        metadata.put("total_size_bytes", stats.bytes());
        metadata.put("files_added", (long) load.data().actions().size());
        metadata.put("files_removed", load.filesRemoved());
        metadata.put("partition_columns", load.partitionColumns());
        metadata.put("storage_backend", storageBackend());
        metadata.put("compression", config.compression);
        metadata.put("post_commit_hooks", load.hooks());
        metadata.put("prepare_seconds", (load.prepared() - start) / 1e9);
        metadata.put("write_seconds", (load.written() - load.prepared()) / 1e9);
        metadata.put("commit_seconds", (load.committed() - load.written()) / 1e9);
        metadata.put("maintenance_seconds", (maintained - load.committed()) / 1e9);
        if (compaction != null) {
            metadata.put("optimize_files_before", compaction.filesBefore());
            metadata.put("optimize_files_after", compaction.filesAfter());
            metadata.put("optimize_version", compaction.version());
        }
        if (config.vacuumAfterWrite) {
            metadata.put("vacuum_files_deleted", vacuumed);
        }
        return new LoadResult(rows, load.data().bytes(), seconds, tableName, type(), metadata);
    }

    /**
     * The table's version, live files and bytes after {@code load}: counted on from this loader's last figures when
     * its commit directly follows the version they describe (nothing else changed the table in between), else read
     * by a scan of the whole table, whose cost grows with the number of files.
     */
    private TableMaintenance.TableStats statsAfter(Committed load, boolean compacted) {
        TableMaintenance.TableStats before = load.readVersion() < 0 ? new TableMaintenance.TableStats(-1, 0, 0)
                : known;
        TableMaintenance.TableStats after;
        if (compacted || before == null || before.version() != load.readVersion()) {
            after = maintenance.stats();
        } else if (load.version() == load.readVersion()) {
            after = before; // nothing committed
        } else if (load.version() == load.readVersion() + 1) {
            after = new TableMaintenance.TableStats(load.version(),
                    before.files() + load.data().actions().size() - load.filesRemoved(),
                    before.bytes() + load.data().fileBytes() - load.bytesRemoved());
        } else {
            after = maintenance.stats(); // Kernel rebased the commit over another writer's
        }
        known = after;
        return after;
    }

    /** An interrupted thread stops the load before its next chunk and before its commit. */
    private void checkNotInterrupted(long batch) {
        if (Thread.currentThread().isInterrupted()) {
            throw interruptedAt(batch);
        }
    }

    private LoaderException interruptedAt(long batch) {
        return new LoaderException("The load into " + config.tablePath + " was interrupted at batch " + batch);
    }

    /**
     * The exception for a load that did not commit, after deleting the files it wrote. A commit that failed in an
     * unknown state (not a lost conflict) may still have landed: its files are deleted only if no commit after the
     * version the load read references them.
     */
    private LoaderException failed(RuntimeException e, WrittenFiles written, long readVersion,
                                   boolean commitAttempted) {
        int files = written.count();
        if (commitAttempted && !(e.getCause() instanceof io.delta.kernel.exceptions.ConcurrentWriteException)) {
            try {
                if (written.referencedAfter(tablePath(), readVersion)) {
                    return new LoaderException("The commit of the load into " + config.tablePath + " failed, but "
                            + "the log references its files after version " + readVersion + ", so it may be "
                            + "committed; its files are kept: " + e, e);
                }
            } catch (IOException | RuntimeException check) {
                return new LoaderException("The commit of the load into " + config.tablePath + " failed (" + e
                        + ") and its log cannot be read to tell whether it landed (" + check + "); its " + files
                        + " data files are kept (a vacuum removes them if they are not committed)", e);
            }
        }
        String problems = written.deleteAll();
        String cleanup = problems.isEmpty() ? ""
                : "; of its " + files + " data files some could not be deleted (a vacuum removes them): " + problems;
        if (e instanceof LoaderException) {
            return new LoaderException(e.getMessage() + " (nothing was committed to " + config.tablePath + cleanup
                    + ")", e);
        }
        return new LoaderException("Delta load into " + config.tablePath + " failed, nothing was committed: " + e
                + cleanup, e);
    }

    private TransactionCommitResult commit(Transaction txn, List<Row> actions) {
        CloseableIterable<Row> iterable = CloseableIterable.inMemoryIterable(toIterator(actions));
        try {
            return txn.commit(engine, iterable);
        } catch (io.delta.kernel.exceptions.ConcurrentWriteException e) {
            throw new LoaderException("Commit to " + config.tablePath + " lost to a concurrent writer: "
                    + e.getMessage(), e);
        }
    }

    static CloseableIterator<Row> toIterator(List<Row> rows) {
        return toIteratorOf(rows);
    }

    static <T> CloseableIterator<T> toIteratorOf(List<T> items) {
        Iterator<T> it = items.iterator();
        return new CloseableIterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public T next() {
                return it.next();
            }

            @Override
            public void close() {
            }
        };
    }

    private String storageBackend() {
        String p = config.tablePath;
        int colon = p.indexOf(':');
        return colon > 1 ? p.substring(0, colon) : "file";
    }

    private static long arrowBytes(VectorSchemaRoot root) {
        long b = 0;
        for (FieldVector v : root.getFieldVectors()) {
            b += v.getBufferSize();
        }
        return b;
    }

    private void checkPartitionColumns(StructType schema, List<String> partitionBy) {
        for (String p : partitionBy) {
            int i = schema.indexOf(p);
            if (i < 0) {
                throw new LoaderException("partition_by column '" + p + "' is not in the data (columns: "
                        + schema.fieldNames() + "); nothing was written");
            }
            DataType t = schema.at(i).getDataType();
            if (t instanceof StructType || t instanceof io.delta.kernel.types.ArrayType
                    || t instanceof io.delta.kernel.types.MapType) {
                throw new LoaderException("partition_by column '" + p + "' has nested type " + t
                        + "; Delta partitions only by primitive columns; nothing was written");
            }
        }
    }

    /**
     * Checks the data's columns against the table's and returns the data's columns the table does not have, which
     * may only be nullable top-level columns and only with schema_evolution; anything else fails before writing.
     */
    private List<StructField> checkAgainstTable(StructType incoming, StructType tableSchema,
                                                List<String> tablePartitions) {
        if (!config.partitionBy.isEmpty() && !config.partitionBy.equals(tablePartitions)) {
            throw new LoaderException("partition_by " + config.partitionBy + " differs from the partition columns "
                    + tablePartitions + " of the existing table " + config.tablePath + "; nothing was written");
        }
        List<StructField> added = new ArrayList<>();
        for (StructField f : incoming.fields()) {
            int i = tableSchema.indexOf(f.getName());
            if (i < 0) {
                added.add(f);
                continue;
            }
            StructField t = tableSchema.at(i);
            if (!ArrowDeltaTypes.sameShape(f.getDataType(), t.getDataType())) {
                // Also new fields inside an existing struct column: Delta could take them, the loader does not.
                throw new LoaderException("Column '" + f.getName() + "' has type " + f.getDataType()
                        + " in the data but " + t.getDataType() + " in the table " + config.tablePath
                        + " (only new nullable top-level columns can be added; types and nested fields are not "
                        + "changed); nothing was written");
            }
        }
        for (StructField t : tableSchema.fields()) {
            if (incoming.indexOf(t.getName()) < 0 && !t.isNullable()) {
                throw new LoaderException("Column '" + t.getName() + "' is required (NOT NULL) in the table "
                        + config.tablePath + " but missing from the data; nothing was written");
            }
        }
        if (added.isEmpty()) {
            return added;
        }
        List<String> names = added.stream().map(StructField::getName).collect(java.util.stream.Collectors.toList());
        if (!config.schemaEvolution) {
            throw new LoaderException("Column(s) " + names + " are not in the table " + config.tablePath
                    + " and schema_evolution is false; nothing was written");
        }
        for (StructField f : added) {
            for (String existing : tableSchema.fieldNames()) {
                if (existing.equalsIgnoreCase(f.getName())) {
                    // Delta column names are case-insensitive: this would be a second column of the same name.
                    throw new LoaderException("Column '" + f.getName() + "' differs only in case from the table's "
                            + "column '" + existing + "' in " + config.tablePath + "; nothing was written");
                }
            }
            if (!f.isNullable()) {
                // The table's existing rows have no value for it, so a new column can only be nullable.
                throw new LoaderException("Column '" + f.getName() + "' is new to the table " + config.tablePath
                        + " and NOT NULL in the data; schema evolution only adds nullable columns (the existing "
                        + "rows have no value for it); nothing was written");
            }
        }
        return added;
    }

    /** The table's schema with {@code added} appended, in the data's order, as nullable columns. */
    private static StructType widened(StructType tableSchema, List<StructField> added) {
        StructType s = tableSchema;
        for (StructField f : added) {
            s = s.add(new StructField(f.getName(), f.getDataType(), true, f.getMetadata()));
        }
        return s;
    }

    private static String newColumnNames(StructType widened, StructType tableSchema) {
        List<String> names = new ArrayList<>();
        for (StructField f : widened.fields()) {
            if (tableSchema.indexOf(f.getName()) < 0) {
                names.add(f.getName());
            }
        }
        return names.toString();
    }

    private static int[] sourceIndexes(StructType tableSchema, VectorSchemaRoot root) {
        int[] idx = new int[tableSchema.length()];
        List<org.apache.arrow.vector.types.pojo.Field> fields = root.getSchema().getFields();
        for (int i = 0; i < idx.length; i++) {
            idx[i] = -1;
            for (int j = 0; j < fields.size(); j++) {
                if (fields.get(j).getName().equals(tableSchema.at(i).getName())) {
                    idx[i] = j;
                    break;
                }
            }
        }
        return idx;
    }

    private void checkNotNull(VectorSchemaRoot root, StructType tableSchema, int[] sourceIndex, int offset,
                              int len, long batchNo) {
        for (int i = 0; i < sourceIndex.length; i++) {
            if (tableSchema.at(i).isNullable() || sourceIndex[i] < 0) {
                continue;
            }
            FieldVector v = root.getVector(sourceIndex[i]);
            if (v.getNullCount() == 0) {
                continue;
            }
            for (int r = offset; r < offset + len; r++) {
                if (v.isNull(r)) {
                    throw new LoaderException("Column '" + tableSchema.at(i).getName() + "' is NOT NULL in the table"
                            + " but row " + r + " of batch " + batchNo + " is null");
                }
            }
        }
    }

    /**
     * Hands rows {@code offset} to {@code offset + n - 1} of {@code root} to the writer of each partition they
     * belong to. The partition values are read through {@link ArrowColumnVectors} views (one object per row and
     * partition column, hashed as the partition's key).
     */
    private void distribute(VectorSchemaRoot root, int[] sourceIndex, int offset, int n, Plan plan,
                            int[] partitionIndex, Attempt attempt, Lane lane) {
        StructType schema = plan.tableSchema();
        List<String> partitionColumns = plan.partitionColumns();
        FieldVector[] columns = new FieldVector[sourceIndex.length];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = sourceIndex[i] < 0 ? null : root.getVector(sourceIndex[i]);
        }
        if (partitionColumns.isEmpty()) {
            writer(List.of(), Map.of(), "table", plan, attempt, lane)
                    .write(new PartitionWriter.Chunk(columns, offset, n, null, n));
            return;
        }
        Map<List<Object>, boolean[]> groups = new LinkedHashMap<>();
        Map<List<Object>, int[]> counts = new LinkedHashMap<>();
        ColumnVector[] pv = new ColumnVector[partitionIndex.length];
        for (int k = 0; k < pv.length; k++) {
            DataType type = schema.at(partitionIndex[k]).getDataType();
            FieldVector v = columns[partitionIndex[k]];
            pv[k] = v == null ? ArrowColumnVectors.nulls(type, n) : ArrowColumnVectors.view(v, type, offset, n);
        }
        for (int r = 0; r < n; r++) {
            Object[] key = new Object[pv.length];
            for (int k = 0; k < pv.length; k++) {
                key[k] = value(pv[k], r);
            }
            List<Object> keyList = java.util.Arrays.asList(key);
            groups.computeIfAbsent(keyList, x -> new boolean[n])[r] = true;
            counts.computeIfAbsent(keyList, x -> new int[1])[0]++;
        }
        for (Map.Entry<List<Object>, boolean[]> g : groups.entrySet()) {
            List<Object> key = g.getKey();
            Map<String, Literal> values = new LinkedHashMap<>();
            StringJoiner label = new StringJoiner("/");
            for (int k = 0; k < pv.length; k++) {
                DataType t = schema.at(partitionIndex[k]).getDataType();
                values.put(partitionColumns.get(k), literal(t, key.get(k)));
                label.add(partitionColumns.get(k) + "=" + key.get(k));
            }
            writer(key, values, label.toString(), plan, attempt, lane)
                    .write(new PartitionWriter.Chunk(columns, offset, n, g.getValue(), counts.get(key)[0]));
        }
    }

    private PartitionWriter writer(List<Object> key, Map<String, Literal> values, String label, Plan plan,
                                   Attempt attempt, Lane lane) {
        Map<List<Object>, PartitionWriter> writers = lane.writers;
        PartitionWriter w = writers.get(key);
        if (w == null) {
            if (writers.size() >= MAX_OPEN_PARTITION_WRITERS) {
                Iterator<Map.Entry<List<Object>, PartitionWriter>> it = writers.entrySet().iterator();
                PartitionWriter eldest = it.next().getValue();
                it.remove();
                lane.finish(eldest);
            }
            w = new PartitionWriter(engine, plan.txnState(), conf, plan.tableSchema(), values, config, label,
                    attempt.written, dictionaryMemory);
            writers.put(key, w);
        }
        return w;
    }

    /** A partition value as a hashable Java object (binary as a ByteBuffer). */
    private static Object value(ColumnVector v, int r) {
        if (v.isNullAt(r)) {
            return null;
        }
        DataType t = v.getDataType();
        if (t instanceof BooleanType) {
            return v.getBoolean(r);
        } else if (t instanceof ByteType) {
            return v.getByte(r);
        } else if (t instanceof ShortType) {
            return v.getShort(r);
        } else if (t instanceof IntegerType || t instanceof DateType) {
            return v.getInt(r);
        } else if (t instanceof LongType || t instanceof TimestampType || t instanceof TimestampNTZType) {
            return v.getLong(r);
        } else if (t instanceof FloatType) {
            return v.getFloat(r);
        } else if (t instanceof DoubleType) {
            return v.getDouble(r);
        } else if (t instanceof StringType) {
            // Delta reads an empty partition value as null; Spark and Hive write it as null
            // (__HIVE_DEFAULT_PARTITION__), and so does the loader.
            String s = v.getString(r);
            return s.isEmpty() ? null : s;
        } else if (t instanceof BinaryType) {
            return ByteBuffer.wrap(v.getBinary(r));
        } else if (t instanceof DecimalType) {
            return v.getDecimal(r);
        }
        throw new LoaderException("Column '" + t + "' cannot be a partition column");
    }

    private static Literal literal(DataType t, Object v) {
        if (v == null) {
            return Literal.ofNull(t);
        } else if (t instanceof BooleanType) {
            return Literal.ofBoolean((Boolean) v);
        } else if (t instanceof ByteType) {
            return Literal.ofByte((Byte) v);
        } else if (t instanceof ShortType) {
            return Literal.ofShort((Short) v);
        } else if (t instanceof IntegerType) {
            return Literal.ofInt((Integer) v);
        } else if (t instanceof DateType) {
            return Literal.ofDate((Integer) v);
        } else if (t instanceof LongType) {
            return Literal.ofLong((Long) v);
        } else if (t instanceof TimestampType) {
            return Literal.ofTimestamp((Long) v);
        } else if (t instanceof TimestampNTZType) {
            return Literal.ofTimestampNtz((Long) v);
        } else if (t instanceof FloatType) {
            return Literal.ofFloat((Float) v);
        } else if (t instanceof DoubleType) {
            return Literal.ofDouble((Double) v);
        } else if (t instanceof StringType) {
            return Literal.ofString((String) v);
        } else if (t instanceof BinaryType) {
            ByteBuffer b = (ByteBuffer) v;
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return Literal.ofBinary(bytes);
        } else {
            DecimalType d = (DecimalType) t;
            return Literal.ofDecimal((java.math.BigDecimal) v, d.getPrecision(), d.getScale());
        }
    }

    @Override
    public void close() {
        // Kernel's default engine holds no connections; Hadoop FileSystem instances are cached process-wide. A
        // checkpoint still being written is let finish.
        hooks.close();
        synchronized (this) {
            if (writerPool != null) {
                writerPool.shutdownNow();
            }
        }
    }
}
