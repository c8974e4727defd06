package org.loadperf.delta;

import io.delta.kernel.Operation;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.hadoopio.HadoopFileIO;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.loadperf.api.loader.LoaderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compaction (OPTIMIZE) and VACUUM of a Delta table, which Delta Kernel 4.0.0 does not offer. Compaction reads the
 * small files of each partition with Kernel's Parquet reader, rewrites them with Kernel's writer into files of about
 * target_file_size and commits removes and adds with {@code dataChange=false} in one commit. Vacuum deletes data
 * files that the current version does not reference and that no remove newer than the retention mentions, if their
 * modification time is older than the retention too.
 */
final class TableMaintenance {

    private static final Logger LOG = LoggerFactory.getLogger(TableMaintenance.class);

    private final Engine engine;
    private final Table table;
    private final Configuration conf;
    private final DeltaLoaderConfig config;
    private final PostCommitHooks hooks;

    TableMaintenance(Engine engine, Table table, Configuration conf, DeltaLoaderConfig config, PostCommitHooks hooks) {
        this.hooks = hooks;
        this.engine = engine;
        this.table = table;
        this.conf = conf;
        this.config = config;
    }

    /** What a compaction did. */
    record Compaction(long filesBefore, long filesAfter, long version, boolean committed) {
    }

    /** Version, live files and bytes of the table now. */
    record TableStats(long version, long files, long bytes) {
    }

    /** The scan-file rows (one per live data file) of {@code snapshot}. */
    static List<Row> scanFiles(Engine engine, Snapshot snapshot) {
        List<Row> rows = new ArrayList<>();
        Scan scan = snapshot.getScanBuilder().build();
        try (CloseableIterator<FilteredColumnarBatch> it = scan.getScanFiles(engine)) {
            while (it.hasNext()) {
                try (CloseableIterator<Row> r = it.next().getRows()) {
                    while (r.hasNext()) {
                        rows.add(r.next());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    TableStats stats() {
        try {
            Snapshot s = table.getLatestSnapshot(engine);
            long files = 0;
            long bytes = 0;
            for (Row f : scanFiles(engine, s)) {
                files++;
                bytes += KernelActions.fileStatus(f).getSize();
            }
            return new TableStats(s.getVersion(), files, bytes);
        } catch (TableNotFoundException e) {
            return new TableStats(-1, 0, 0);
        }
    }

    /**
     * Compacts, per partition, the files smaller than target_file_size when there are at least two. Files with
     * deletion vectors are left alone (rewriting them would need the vector applied).
     */
    Compaction optimize() {
        long started = System.nanoTime();
        Snapshot snapshot = table.getLatestSnapshot(engine);
        List<Row> files = scanFiles(engine, snapshot);
        Map<Map<String, String>, List<Row>> small = new LinkedHashMap<>();
        for (Row f : files) {
            if (!KernelActions.hasDeletionVector(f) && KernelActions.fileStatus(f).getSize() < config.targetFileSize) {
                small.computeIfAbsent(KernelActions.partitionValues(f), k -> new ArrayList<>()).add(f);
            }
        }
        small.values().removeIf(l -> l.size() < 2);
        if (small.isEmpty()) {
            return new Compaction(files.size(), files.size(), snapshot.getVersion(), false);
        }
        String tablePath = table.getPath(engine);
        // Kernel's writer names its files itself: a recording file IO learns each name before the file exists, so a
        // compaction that does not commit deletes what it wrote, also a file a failed read left half written.
        WrittenFiles written = new WrittenFiles(conf);
        Engine writer = new DeltaEngine(written.recording(new HadoopFileIO(conf)));
        boolean commitAttempted = false;
        long removed = 0;
        long added = 0;
        TransactionCommitResult result;
        try {
            Transaction txn = table.createTransactionBuilder(engine, DeltaLoader.ENGINE_INFO,
                    Operation.MANUAL_UPDATE).build(engine);
            Row txnState = txn.getTransactionState(engine);
            StructType schema = snapshot.getSchema();
            List<String> partitionColumns = snapshot.getPartitionColumnNames();
            StructType dataSchema = new StructType();
            for (StructField f : schema.fields()) {
                if (!partitionColumns.contains(f.getName())) {
                    dataSchema = dataSchema.add(f);
                }
            }
            List<Column> statsColumns = io.delta.kernel.internal.TransactionImpl.getStatisticsColumns(txnState);
            List<Row> actions = new ArrayList<>();
            long now = System.currentTimeMillis();
            for (List<Row> group : small.values()) {
                MapValue partitionValues = KernelActions.partitionValuesMap(group.get(0));
                String dir = new Path(KernelActions.fileStatus(group.get(0)).getPath()).getParent().toString();
                List<FileStatus> inputs = new ArrayList<>();
                for (Row f : group) {
                    inputs.add(KernelActions.fileStatus(f));
                    actions.add(KernelActions.remove(f, false, now));
                    removed++;
                }
                try (CloseableIterator<ColumnarBatch> data = engine.getParquetHandler().readParquetFiles(
                        DeltaLoader.toIteratorOf(inputs), dataSchema, Optional.empty());
                     CloseableIterator<DataFileStatus> out = writer.getParquetHandler().writeParquetFiles(dir,
                             data.map(b -> new FilteredColumnarBatch(b, Optional.empty())), statsColumns)) {
                    while (out.hasNext()) {
                        actions.add(KernelActions.addRearranged(schema, tablePath, out.next(), partitionValues));
                        added++;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("rewriting " + inputs.size() + " files in " + dir + ": "
                            + e.getMessage(), e);
                }
            }
            commitAttempted = true;
            result = txn.commit(engine, CloseableIterable.inMemoryIterable(DeltaLoader.toIterator(actions)));
        } catch (RuntimeException e) {
            throw failed(e, written, snapshot.getVersion(), commitAttempted, tablePath);
        }
        hooks.run(result);
        long after = files.size() - removed + added;
        LOG.info("Compacted {} small files into {} in {} (version {}, {} ms)", removed, added, tablePath,
                result.getVersion(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return new Compaction(files.size(), after, result.getVersion(), true);
    }

    /** The exception for a compaction that did not commit, after deleting the files it wrote. */
    private static LoaderException failed(RuntimeException e, WrittenFiles written, long readVersion,
                                          boolean commitAttempted, String tablePath) {
        String what = e instanceof io.delta.kernel.exceptions.ConcurrentWriteException
                ? "lost to a concurrent writer: " + e.getMessage() : e.toString();
        int files = written.count();
        if (commitAttempted && !(e instanceof io.delta.kernel.exceptions.ConcurrentWriteException)) {
            try {
                if (written.referencedAfter(tablePath, readVersion)) {
                    return new LoaderException("Compaction of " + tablePath + " failed in its commit (" + what
                            + "), but the log references its files after version " + readVersion
                            + ", so it may be committed; its files are kept", e);
                }
            } catch (IOException | RuntimeException check) {
                return new LoaderException("Compaction of " + tablePath + " failed in its commit (" + what + ") and"
                        + " its log cannot be read to tell whether it landed (" + check + "); its " + files
                        + " files are kept (a vacuum removes them if they are not committed)", e);
            }
        }
        String problems = written.deleteAll();
        return new LoaderException("Compaction of " + tablePath + " failed, " + what + " (nothing was committed"
                + (problems.isEmpty() ? "" : "; some of its " + files + " files could not be deleted (a vacuum "
                + "removes them): " + problems) + ")", e);
    }

    /**
     * Deletes data files that the latest version does not reference, that no remove within the retention names,
     * and whose modification time is older than the retention.
     *
     * @return the number of files deleted
     */
    long vacuum() {
        long cutoff = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(config.vacuumRetentionHours);
        if (config.vacuumRetentionHours < 168) {
            LOG.warn("Vacuum of {} with a retention of {} hours (below Delta's default 168): readers of versions "
                    + "older than that may fail", config.tablePath, config.vacuumRetentionHours);
        }
        Snapshot snapshot = table.getLatestSnapshot(engine);
        Set<String> keep = new HashSet<>();
        for (Row f : scanFiles(engine, snapshot)) {
            keep.add(normalize(KernelActions.fileStatus(f).getPath()));
        }
        Path root = new Path(table.getPath(engine));
        keep.addAll(recentTombstones(root, cutoff));
        long deleted = 0;
        try {
            FileSystem fs = root.getFileSystem(conf);
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
            List<Path> doomed = new ArrayList<>();
            while (it.hasNext()) {
                LocatedFileStatus st = it.next();
                if (!isDataFile(root, st.getPath())) {
                    continue;
                }
                if (!keep.contains(normalize(st.getPath().toString())) && st.getModificationTime() < cutoff) {
                    doomed.add(st.getPath());
                }
            }
            for (Path p : doomed) {
                if (fs.delete(p, false)) {
                    deleted++;
                }
            }
        } catch (IOException e) {
            throw new LoaderException("Vacuum of " + config.tablePath + " failed after deleting " + deleted
                    + " files: " + e.getMessage(), e);
        }
        LOG.info("Vacuum of {} deleted {} unreferenced files older than {} hours", config.tablePath, deleted,
                config.vacuumRetentionHours);
        return deleted;
    }

    /** Paths of files removed at or after {@code cutoff}, from the commits and checkpoints in _delta_log. */
    private Set<String> recentTombstones(Path root, long cutoff) {
        StructType removeSchema = new StructType().add("remove", new StructType()
                .add("path", StringType.STRING).add("deletionTimestamp", LongType.LONG));
        Set<String> paths = new HashSet<>();
        List<FileStatus> jsons = new ArrayList<>();
        List<FileStatus> checkpoints = new ArrayList<>();
        Path log = new Path(root, "_delta_log");
        try {
            FileSystem fs = log.getFileSystem(conf);
            for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(log)) {
                String name = st.getPath().getName();
                FileStatus k = FileStatus.of(st.getPath().toString(), st.getLen(), st.getModificationTime());
                if (name.endsWith(".json") && !name.startsWith("_")) {
                    jsons.add(k);
                } else if (name.endsWith(".parquet") && name.contains(".checkpoint")) {
                    checkpoints.add(k);
                }
            }
            collect(engine.getJsonHandler().readJsonFiles(DeltaLoader.toIteratorOf(jsons), removeSchema,
                    Optional.empty()), root, cutoff, paths);
            collect(engine.getParquetHandler().readParquetFiles(DeltaLoader.toIteratorOf(checkpoints), removeSchema,
                    Optional.empty()), root, cutoff, paths);
        } catch (IOException e) {
            throw new LoaderException("Vacuum of " + config.tablePath + " cannot read its log: " + e.getMessage(), e);
        }
        return paths;
    }

    private static void collect(CloseableIterator<ColumnarBatch> batches, Path root, long cutoff, Set<String> out)
            throws IOException {
        try (batches) {
            while (batches.hasNext()) {
                ColumnarBatch b = batches.next();
                io.delta.kernel.data.ColumnVector remove = b.getColumnVector(0);
                io.delta.kernel.data.ColumnVector path = remove.getChild(0);
                io.delta.kernel.data.ColumnVector ts = remove.getChild(1);
                for (int i = 0; i < b.getSize(); i++) {
                    if (remove.isNullAt(i) || path.isNullAt(i)) {
                        continue;
                    }
                    long when = ts.isNullAt(i) ? Long.MAX_VALUE : ts.getLong(i);
                    if (when >= cutoff) {
                        out.add(normalize(resolve(root, path.getString(i))));
                    }
                }
            }
        }
    }

    private static String resolve(Path root, String relativeOrAbsolute) {
        URI u = URI.create(relativeOrAbsolute);
        return u.isAbsolute() ? new Path(u).toString() : new Path(root, new Path(u)).toString();
    }

    private static String normalize(String path) {
        return new Path(path).toUri().getPath();
    }

    /** Data files: not in a directory starting with _ or . (the log, temp dirs), not hidden themselves. */
    private static boolean isDataFile(Path root, Path p) {
        for (Path cur = p; cur != null && !cur.equals(root) && cur.getParent() != null; cur = cur.getParent()) {
            String n = cur.getName();
            if (n.startsWith("_") || n.startsWith(".")) {
                return false;
            }
        }
        return true;
    }
}
