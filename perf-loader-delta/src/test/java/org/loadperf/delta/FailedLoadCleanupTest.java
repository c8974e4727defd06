package org.loadperf.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.loadperf.delta.DeltaTables.loader;

import io.delta.kernel.data.Row;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderException;

/**
 * A load that fails part way (after it wrote data files) leaves nothing behind: every file and directory it created
 * is deleted, the table reads back exactly the rows committed before, in every mode, on a lost commit and in
 * compaction.
 */
class FailedLoadCleanupTest {

    private static final int ROWS = 20;

    @RegisterExtension
    final TestAllocator allocator = new TestAllocator();

    @ParameterizedTest
    @ValueSource(strings = {"append", "overwrite", "partitioned", "schema_evolution", "load_batch"})
    void aLoadFailingInItsThirdBatchLeavesNoFileAndTheTableUnchanged(String scenario) throws Exception {
        Path table = DeltaTables.freshDir("failed-" + scenario);
        boolean partitioned = scenario.equals("partitioned");
        Map<String, Object> options = new HashMap<>(Map.of("max_rows_per_file", 5, "optimize_after_write", false,
                "batch_size", 5));
        if (partitioned) {
            options.put("partition_by", "p");
        }
        List<Map<String, Object>> committed;
        try (RowsReader first = new RowsReader(allocator, 0, 2, ROWS, List.of("a", "b"), 0);
             Loader l = loader(table, options)) {
            l.loadTable(first, "t", LoadMode.APPEND);
            committed = first.expected();
        }
        Set<String> before = tree(table);
        assertThat(DeltaTables.dataFiles(table)).hasSize(8);

        List<String> extra = scenario.equals("schema_evolution") ? List.of("extra") : List.of();
        // New partition values: the failed load creates partition directories of its own.
        List<String> partitions = List.of("c", "d", "e");
        try (Loader l = loader(table, options)) {
            if (scenario.equals("load_batch")) {
                // One batch of 20 rows, re-chunked by 5: three files are written before the 4th chunk's NULL id.
                try (RowsReader r = new RowsReader(allocator, 100, 1, ROWS, partitions, 1)) {
                    r.loadNextBatch();
                    VectorSchemaRoot root = r.getVectorSchemaRoot();
                    assertThatThrownBy(() -> l.loadBatch(root, "t", LoadMode.APPEND))
                            .isInstanceOf(LoaderException.class).hasMessageContaining("'id'")
                            .hasMessageContaining("nothing was committed");
                }
            } else {
                LoadMode mode = scenario.equals("overwrite") ? LoadMode.OVERWRITE : LoadMode.APPEND;
                try (RowsReader r = new RowsReader(allocator, 100, 4, ROWS, partitions, 3, extra, b -> { })) {
                    assertThatThrownBy(() -> l.loadTable(r, "t", mode))
                            .isInstanceOf(LoaderException.class).hasMessageContaining("'id'")
                            .hasMessageContaining("batch 3").hasMessageContaining("nothing was committed");
                }
            }
        }
        assertThat(tree(table)).isEqualTo(before);
        assertThat(onDisk(table)).isEqualTo(referenced(table));
        assertThat(DeltaTables.version(table)).isZero();
        assertThat(byId(DeltaTables.rows(table))).isEqualTo(byId(committed));
        assertThat(DeltaTables.snapshot(table).getSchema().fieldNames()).containsExactly("id", "p", "v");
    }

    @Test
    void aFailedFirstLoadLeavesNoTableDirectoryBehind() throws Exception {
        Path table = DeltaTables.freshDir("failed-first");
        try (RowsReader r = new RowsReader(allocator, 0, 4, ROWS, List.of("a", "b"), 3);
             Loader l = loader(table, Map.of("max_rows_per_file", 5, "partition_by", "p"))) {
            assertThatThrownBy(() -> l.loadTable(r, "t", LoadMode.APPEND)).isInstanceOf(LoaderException.class)
                    .hasMessageContaining("nothing was committed");
        }
        assertThat(table).doesNotExist();
    }

    /**
     * With {@code parallelism} 2 the batches are large enough to be split: the second thread is still writing when the
     * caller's thread stops; the load waits for it before it deletes the files.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void anInterruptedLoadStopsBeforeItsNextChunkAndDeletesItsFiles(int parallelism) throws Exception {
        Path table = DeltaTables.freshDir("failed-interrupt");
        int rows = parallelism == 1 ? ROWS : 3_000;
        Map<String, Object> options = Map.of("max_rows_per_file", parallelism == 1 ? 5 : 1_000,
                "optimize_after_write", false, "parallelism", parallelism);
        try (RowsReader first = new RowsReader(allocator, 0, 1, rows, List.of("a"), 0);
             Loader l = loader(table, options)) {
            l.loadTable(first, "t", LoadMode.APPEND);
        }
        Set<String> before = tree(table);
        // A caller bounds a load by interrupting its thread (Future.cancel(true)); here the source does it.
        try (RowsReader r = new RowsReader(allocator, 100_000, 4, rows, List.of("a"), 0, List.of(), b -> {
                 if (b == 3) {
                     Thread.currentThread().interrupt();
                 }
             });
             Loader l = loader(table, options)) {
            assertThatThrownBy(() -> l.loadTable(r, "t", LoadMode.APPEND)).isInstanceOf(LoaderException.class)
                    .hasMessageContaining("interrupted at batch 3").hasMessageContaining("nothing was committed");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(tree(table)).isEqualTo(before);
        assertThat(DeltaTables.version(table)).isZero();
        assertThat(DeltaTables.rows(table)).hasSize(rows);
    }

    @Test
    void aLoadLosingItsCommitToAConcurrentSchemaChangeDeletesOnlyItsOwnFiles() throws Exception {
        Path table = DeltaTables.freshDir("failed-conflict");
        Map<String, Object> options = Map.of("max_rows_per_file", 5, "optimize_after_write", false);
        List<Map<String, Object>> committed = new ArrayList<>();
        try (RowsReader first = new RowsReader(allocator, 0, 2, ROWS, List.of("a"), 0);
             Loader l = loader(table, options)) {
            l.loadTable(first, "t", LoadMode.APPEND);
            committed.addAll(first.expected());
        }
        // While the load reads its 3rd batch, another writer widens the schema: a metaData commit the load's own
        // commit conflicts with.
        try (BufferAllocator other = new RootAllocator();
             RowsReader r = new RowsReader(allocator, 100, 4, ROWS, List.of("a"), 0, List.of(), b -> {
                 if (b == 3) {
                     try (RowsReader w = new RowsReader(other, 1000, 1, ROWS, List.of("a"), 0, List.of("w"),
                             x -> { });
                          Loader concurrent = loader(table, options)) {
                         concurrent.loadTable(w, "t", LoadMode.APPEND);
                         committed.addAll(w.expected());
                     }
                 }
             });
             Loader l = loader(table, options)) {
            assertThatThrownBy(() -> l.loadTable(r, "t", LoadMode.APPEND)).isInstanceOf(LoaderException.class)
                    .hasMessageContaining("concurrent").hasMessageContaining("nothing was committed");
        }
        assertThat(DeltaTables.version(table)).isEqualTo(1);
        assertThat(onDisk(table)).isEqualTo(referenced(table)).hasSize(12);
        List<Map<String, Object>> expected = new ArrayList<>();
        for (Map<String, Object> row : committed) {
            Map<String, Object> withW = new LinkedHashMap<>(row);
            withW.putIfAbsent("w", null);
            expected.add(withW);
        }
        assertThat(byId(DeltaTables.rows(table))).isEqualTo(byId(expected));
    }

    @Test
    void aFailedCompactionDeletesTheFilesItWrote() throws Exception {
        Path table = DeltaTables.freshDir("failed-compaction");
        Map<String, Object> options = Map.of("optimize_after_write", false, "partition_by", "p");
        for (int i = 0; i < 3; i++) {
            try (RowsReader r = new RowsReader(allocator, i * 100L, 1, ROWS, List.of("a", "b", "c"), 0);
                 Loader l = loader(table, options)) {
                l.loadTable(r, "t", LoadMode.APPEND);
            }
        }
        // Compaction rewrites partition after partition in scan order; the last input of the last partition is
        // unreadable, so the rewrite fails after finishing the other partitions' files and while writing one.
        List<Row> scanFiles = TableMaintenance.scanFiles(DeltaTables.ENGINE, DeltaTables.snapshot(table));
        Map<Map<String, String>, List<String>> groups = new LinkedHashMap<>();
        for (Row f : scanFiles) {
            groups.computeIfAbsent(KernelActions.partitionValues(f), k -> new ArrayList<>())
                    .add(KernelActions.fileStatus(f).getPath());
        }
        List<List<String>> ordered = new ArrayList<>(groups.values());
        List<String> lastGroup = ordered.get(ordered.size() - 1);
        Path broken = local(lastGroup.get(lastGroup.size() - 1));
        byte[] garbage = new byte[(int) Files.size(broken)];
        java.util.Arrays.fill(garbage, (byte) 7);
        Files.write(broken, garbage);
        Set<String> before = tree(table);
        long version = DeltaTables.version(table);

        try (Loader l = loader(table, Map.of("target_file_size", "1MB"))) {
            assertThatThrownBy(() -> ((DeltaLoader) l).optimize()).isInstanceOf(LoaderException.class)
                    .hasMessageContaining("Compaction").hasMessageContaining("nothing was committed");
        }
        assertThat(tree(table)).isEqualTo(before);
        assertThat(DeltaTables.version(table)).isEqualTo(version);
        assertThat(onDisk(table)).isEqualTo(referenced(table));
    }

    @Test
    void aCompactionFailingAfterTheLoadsCommitSaysTheLoadWasCommitted() throws Exception {
        Path table = DeltaTables.freshDir("failed-compaction-after-load");
        try (RowsReader r = new RowsReader(allocator, 0, 1, ROWS, List.of("a"), 0);
             Loader l = loader(table, Map.of("optimize_after_write", false))) {
            l.loadTable(r, "t", LoadMode.APPEND);
        }
        Path live = DeltaTables.dataFiles(table).get(0);
        Files.write(live, "not parquet".getBytes(StandardCharsets.UTF_8));
        try (RowsReader r = new RowsReader(allocator, 100, 1, ROWS, List.of("a"), 0);
             Loader l = loader(table, Map.of("optimize_after_write", true))) {
            assertThatThrownBy(() -> l.loadTable(r, "t", LoadMode.APPEND)).isInstanceOf(LoaderException.class)
                    .hasMessageContaining("committed as version 1").hasMessageContaining("Compaction");
        }
        assertThat(DeltaTables.version(table)).isEqualTo(1);
        assertThat(onDisk(table)).isEqualTo(referenced(table)).hasSize(2);
    }

    /** Every file and directory under the table, relative, without the log. */
    static Set<String> tree(Path table) throws IOException {
        if (!Files.exists(table)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.walk(table)) {
            return s.map(p -> table.relativize(p).toString()).filter(p -> !p.startsWith("_delta_log"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** The data files on disk, as absolute paths. */
    static Set<String> onDisk(Path table) {
        return DeltaTables.dataFiles(table).stream().map(p -> p.toAbsolutePath().normalize().toString())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The data files the latest version references, as absolute paths. */
    static Set<String> referenced(Path table) {
        return TableMaintenance.scanFiles(DeltaTables.ENGINE, DeltaTables.snapshot(table)).stream()
                .map(f -> local(KernelActions.fileStatus(f).getPath()).toString())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** A local file path from the (unescaped) path string Kernel gives for a data file. */
    static Path local(String kernelPath) {
        return Paths.get(new org.apache.hadoop.fs.Path(kernelPath).toUri());
    }

    static List<Map<String, Object>> byId(List<Map<String, Object>> rows) {
        List<Map<String, Object>> copy = new ArrayList<>(rows);
        copy.sort(Comparator.comparing(r -> (Long) r.get("id")));
        return copy;
    }
}
