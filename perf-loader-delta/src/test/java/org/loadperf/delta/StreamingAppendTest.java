package org.loadperf.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.loadperf.delta.DeltaTables.loader;

import io.delta.kernel.defaults.engine.hadoopio.HadoopFileIO;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.core.dataset.PerfDatasets;

/**
 * Many small appends through one loader, as a stream of micro-batches makes them: every version committed, the
 * table's figures counted on correctly between loads, checkpoints written, and other writers' commits seen.
 */
class StreamingAppendTest {

    private static final Map<String, Object> NO_COMPACTION = Map.of("optimize_after_write", false);
    private BufferAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        allocator.close();
    }

    private LoadResult append(Loader loader, int rows) throws Exception {
        try (ArrowReader reader = PerfDatasets.performance(allocator, rows, rows)) {
            return loader.loadTable(reader, "s", LoadMode.APPEND);
        }
    }

    @Test
    void manyAppendsCommitEveryVersionCountFilesAndWriteCheckpoints() throws Exception {
        Path table = DeltaTables.freshDir("stream");
        int loads = 35;
        try (Loader loader = loader(table, NO_COMPACTION)) {
            for (int i = 0; i < loads; i++) {
                LoadResult r = append(loader, 20);
                assertThat(r.metadata()).containsEntry("commit_version", (long) i)
                        .containsEntry("table_version", (long) i).containsEntry("total_files", (long) i + 1);
            }
        }
        // The first checkpoint is always written; a later one may be skipped while the one before is still being
        // written (the loads go on meanwhile), but the last one named by _last_checkpoint is complete.
        Path log = table.resolve("_delta_log");
        assertThat(log.resolve(String.format("%020d.checkpoint.parquet", 10))).exists();
        java.util.regex.Matcher last = java.util.regex.Pattern.compile("\"version\":(\\d+)")
                .matcher(Files.readString(log.resolve("_last_checkpoint")));
        assertThat(last.find()).isTrue();
        assertThat(Long.parseLong(last.group(1))).isIn(10L, 20L, 30L);
        assertThat(log.resolve(String.format("%020d.checkpoint.parquet", Long.parseLong(last.group(1))))).exists();
        assertThat(DeltaTables.snapshot(table).getVersion()).isEqualTo(loads - 1);
        assertThat(DeltaTables.rows(table)).hasSize(loads * 20);
        // The counted size is the scanned one: a new loader's first load scans the table.
        long counted;
        try (Loader loader = loader(table, NO_COMPACTION)) {
            counted = (long) append(loader, 20).metadata().get("total_size_bytes");
        }
        try (Loader loader = loader(table, NO_COMPACTION)) {
            DeltaLoader d = (DeltaLoader) loader;
            long scanned = new TableMaintenance(d.engine(), io.delta.kernel.Table.forPath(d.engine(), d.tablePath()),
                    new Configuration(), DeltaLoaderConfig.from(org.loadperf.api.loader.LoaderConfig.of(
                            Map.of("table_path", table.toString()))), null).stats().bytes();
            assertThat(counted).isEqualTo(scanned);
        }
        // No temporary files of the log writes are left behind.
        try (var names = Files.list(log)) {
            assertThat(names.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void anotherWritersCommitBetweenLoadsIsSeen() throws Exception {
        Path table = DeltaTables.freshDir("stream-other");
        try (Loader a = loader(table, NO_COMPACTION); Loader b = loader(table, NO_COMPACTION)) {
            append(a, 10);
            append(a, 10);
            LoadResult other = append(b, 15);
            assertThat(other.metadata()).containsEntry("commit_version", 2L).containsEntry("total_files", 3L);
            LoadResult r = append(a, 10);
            assertThat(r.metadata()).containsEntry("commit_version", 3L).containsEntry("total_files", 4L);
            LoadResult over = null;
            try (ArrowReader reader = PerfDatasets.performance(allocator, 5, 5)) {
                over = b.loadTable(reader, "s", LoadMode.OVERWRITE);
            }
            assertThat(over.metadata()).containsEntry("total_files", 1L).containsEntry("files_removed", 4L);
            assertThat(append(a, 10).metadata()).containsEntry("commit_version", 5L)
                    .containsEntry("total_files", 2L);
        }
        assertThat(DeltaTables.rows(table)).hasSize(15);
    }

    @Test
    void concurrentAppendersLoseNoCommit() throws Exception {
        Path table = DeltaTables.freshDir("stream-race");
        try (Loader first = loader(table, NO_COMPACTION)) {
            append(first, 1);
        }
        int perWriter = 8;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<Long>>> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                writers.add(pool.submit(() -> {
                    List<Long> versions = new ArrayList<>();
                    try (Loader loader = loader(table, NO_COMPACTION)) {
                        for (int i = 0; i < perWriter; i++) {
                            versions.add((Long) append(loader, 3).metadata().get("commit_version"));
                        }
                    }
                    return versions;
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> f : writers) {
                all.addAll(f.get(5, TimeUnit.MINUTES));
            }
            assertThat(all).doesNotHaveDuplicates().hasSize(2 * perWriter).allMatch(v -> v >= 1 && v <= 2 * perWriter);
        } finally {
            pool.shutdownNow();
        }
        assertThat(DeltaTables.snapshot(table).getVersion()).isEqualTo(2 * perWriter);
        assertThat(DeltaTables.rows(table)).hasSize(1 + 2 * perWriter * 3);
    }

    @Test
    void logWritesAreCreateOnceAndListingsSorted() throws Exception {
        Path dir = DeltaTables.freshDir("local-log");
        Files.createDirectories(dir);
        Configuration conf = new Configuration();
        LocalLogFileIO io = new LocalLogFileIO(new HadoopFileIO(conf), conf);
        String v1 = dir.resolve(String.format("%020d.json", 1)).toUri().toString();
        io.newOutputFile(v1).writeAtomically(DeltaLoader.toIteratorOf(List.of("{\"a\":1}")), false);
        assertThatThrownBy(() -> io.newOutputFile(v1).writeAtomically(
                DeltaLoader.toIteratorOf(List.of("{\"a\":2}")), false)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(Path.of(java.net.URI.create(v1)))).isEqualTo("{\"a\":1}\n");
        for (int v : new int[] {3, 0, 2}) {
            io.newOutputFile(dir.resolve(String.format("%020d.json", v)).toUri().toString())
                    .writeAtomically(DeltaLoader.toIteratorOf(List.of("{}")), false);
        }
        List<String> names = new ArrayList<>();
        try (CloseableIterator<FileStatus> it = io.listFrom(dir.resolve(String.format("%020d", 1)).toString())) {
            it.forEachRemaining(s -> names.add(new org.apache.hadoop.fs.Path(s.getPath()).getName()));
        }
        assertThat(names).containsExactly(String.format("%020d.json", 1), String.format("%020d.json", 2),
                String.format("%020d.json", 3));
        assertThatThrownBy(() -> io.listFrom(dir.resolve("missing").resolve("x").toString()))
                .isInstanceOf(java.io.FileNotFoundException.class);
        String from = dir.resolve(String.format("%020d", 2)).toString();
        try (CloseableIterator<FileStatus> it = io.listFrom(from)) {
            assertThat(it.next().getPath()).isEqualTo(new org.apache.hadoop.fs.Path(
                    new org.apache.hadoop.fs.Path(from).getParent(), String.format("%020d.json", 2)).toString());
        }
    }

    @Test
    void theLogsSmallFilesAreReadByJavaNio() throws Exception {
        Path log = DeltaTables.freshDir("local-read").resolve("_delta_log");
        Files.createDirectories(log);
        Configuration conf = new Configuration();
        LocalLogFileIO io = new LocalLogFileIO(new HadoopFileIO(conf), conf);
        String commit = log.resolve(String.format("%020d.json", 7)).toString();
        io.newOutputFile(commit).writeAtomically(DeltaLoader.toIteratorOf(List.of("{\"a\":1}", "{\"b\":22}")), false);
        io.delta.kernel.defaults.engine.fileio.InputFile in = io.newInputFile(commit, Files.size(Path.of(commit)));
        assertThat(in.getClass().getName()).startsWith(LocalLogFileIO.class.getName());
        assertThat(in.length()).isEqualTo(17);
        try (io.delta.kernel.defaults.engine.fileio.SeekableInputStream s = in.newStream()) {
            assertThat(new String(s.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("{\"a\":1}\n{\"b\":22}\n");
            s.seek(8);
            byte[] b = new byte[8];
            s.readFully(b, 0, 8);
            assertThat(new String(b, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"b\":22}");
            assertThat(s.getPos()).isEqualTo(16);
            assertThat(s.read()).isEqualTo('\n');
            assertThat(s.read()).isEqualTo(-1);
            assertThatThrownBy(() -> s.readFully(new byte[2], 0, 2)).isInstanceOf(java.io.EOFException.class);
        }
        // A missing _last_checkpoint is "no checkpoint yet" to Kernel, from this exception.
        assertThatThrownBy(() -> io.newInputFile(log.resolve("_last_checkpoint").toString(), 0).newStream())
                .isInstanceOf(java.io.FileNotFoundException.class);
        // Data and checkpoint files, and Hadoop's hidden side files, stay with Hadoop.
        assertThat(io.newInputFile(log.resolve(String.format("%020d.checkpoint.parquet", 7)).toString(), 1))
                .isInstanceOf(io.delta.kernel.defaults.engine.hadoopio.HadoopInputFile.class);
        assertThat(io.newInputFile(log.resolve("." + String.format("%020d.json", 7) + ".crc").toString(), 1))
                .isInstanceOf(io.delta.kernel.defaults.engine.hadoopio.HadoopInputFile.class);
    }
}
