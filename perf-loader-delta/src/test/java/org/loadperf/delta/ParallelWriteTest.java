package org.loadperf.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.loadperf.delta.DeltaTables.loader;
import static org.loadperf.delta.FailedLoadCleanupTest.byId;
import static org.loadperf.delta.FailedLoadCleanupTest.onDisk;
import static org.loadperf.delta.FailedLoadCleanupTest.referenced;
import static org.loadperf.delta.FailedLoadCleanupTest.tree;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;

/**
 * {@code parallelism}: a batch's rows split between writer threads, each into files of its own, one commit; every
 * row once, Kernel's statistics per file, and a failure in any thread leaves nothing behind (an interrupt:
 * FailedLoadCleanupTest).
 */
class ParallelWriteTest {

    private static final Pattern NUM_RECORDS = Pattern.compile("\\\\?\"numRecords\\\\?\":(\\d+)");

    @RegisterExtension
    final TestAllocator allocator = new TestAllocator();

    @Test
    void everyRowIsWrittenOnceIntoAFileOfEachThreadInOneCommit() throws Exception {
        Path table = DeltaTables.freshDir("parallel-roundtrip");
        RandomArrowData data = new RandomArrowData(11, RandomArrowData.KINDS.length + 3);
        try (GeneratedReader reader = new GeneratedReader(allocator, data, 3, 3_100);
             Loader l = loader(table, Map.of("parallelism", 3, "batch_size", 700, "optimize_after_write", false))) {
            LoadResult r = l.loadTable(reader, "t", LoadMode.APPEND);
            assertThat(r.rowsLoaded()).isEqualTo(9_300);
            assertThat(r.metadata()).containsEntry("table_version", 0L);
            assertThat(sorted(DeltaTables.rows(table))).isEqualTo(sorted(reader.expected()));
        }
        // Rows 0-1032, 1033-2065 and 2066-3099 of each batch: one file per thread.
        assertThat(DeltaTables.dataFiles(table)).hasSize(3);
        assertThat(onDisk(table)).isEqualTo(referenced(table));
        assertThat(numRecords(table, 0)).containsExactlyInAnyOrder(3 * 1_033L, 3 * 1_033L, 3 * 1_034L);
    }

    @Test
    void partitionedRowsGoToEachThreadsOwnFileOfTheirPartition() throws Exception {
        Path table = DeltaTables.freshDir("parallel-partitioned");
        try (RowsReader r = new RowsReader(allocator, 0, 2, 4_000, List.of("a", "b", "c"), 0);
             Loader l = loader(table, Map.of("parallelism", 2, "partition_by", "p", "optimize_after_write", false))) {
            l.loadTable(r, "t", LoadMode.APPEND);
            assertThat(byId(DeltaTables.rows(table))).isEqualTo(byId(r.expected()));
        }
        List<Path> files = DeltaTables.dataFiles(table);
        assertThat(files).hasSize(6);
        for (Path f : files) {
            String dir = table.relativize(f).getName(0).toString();
            assertThat(dir).isIn("p=a", "p=b", "p=c");
        }
        assertThat(DeltaTables.version(table)).isZero();
        assertThat(numRecords(table, 0).stream().mapToLong(Long::longValue).sum()).isEqualTo(8_000);
    }

    @Test
    void aLoadTooSmallToSplitStaysOneFile() throws Exception {
        Path table = DeltaTables.freshDir("parallel-small");
        try (RowsReader r = new RowsReader(allocator, 0, 1, 2 * DeltaLoader.MIN_ROWS_PER_LANE - 1, List.of("a"), 0);
             Loader l = loader(table, Map.of("parallelism", 2))) {
            l.loadTable(r, "t", LoadMode.APPEND);
        }
        assertThat(DeltaTables.dataFiles(table)).hasSize(1);
    }

    @Test
    void aNullInTheSecondThreadsRangeFailsTheLoadAndLeavesNoFile() throws Exception {
        Path table = DeltaTables.freshDir("parallel-failed");
        Map<String, Object> options = Map.of("parallelism", 2, "optimize_after_write", false);
        List<Map<String, Object>> committed;
        try (RowsReader first = new RowsReader(allocator, 0, 1, 3_000, List.of("a"), 0);
             Loader l = loader(table, options)) {
            l.loadTable(first, "t", LoadMode.APPEND);
            committed = first.expected();
        }
        Set<String> before = tree(table);
        // The NULL id is the last row of batch 2: in the second thread's range, after both wrote batch 1.
        try (RowsReader r = new RowsReader(allocator, 100_000, 3, 3_000, List.of("a"), 2);
             Loader l = loader(table, options)) {
            assertThatThrownBy(() -> l.loadTable(r, "t", LoadMode.APPEND)).isInstanceOf(LoaderException.class)
                    .hasMessageContaining("'id'").hasMessageContaining("row 2999 of batch 2")
                    .hasMessageContaining("nothing was committed");
        }
        assertThat(tree(table)).isEqualTo(before);
        assertThat(DeltaTables.version(table)).isZero();
        assertThat(byId(DeltaTables.rows(table))).isEqualTo(byId(committed));
    }

    @Test
    void offsetsPointingOutsideTheDataBufferFailTheLoadInsteadOfReadingThere() throws Exception {
        Path table = DeltaTables.freshDir("corrupt-offsets");
        Schema schema = new Schema(List.of(Field.nullable("s", ArrowType.Utf8.INSTANCE)));
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             Loader l = loader(table, Map.of())) {
            VarCharVector s = (VarCharVector) root.getVector(0);
            s.allocateNew(3);
            for (int i = 0; i < 3; i++) {
                s.setSafe(i, ("v" + i).getBytes(StandardCharsets.UTF_8));
            }
            root.setRowCount(3);
            // The last value claims to end far past the data buffer: a hostile or broken source.
            s.getOffsetBuffer().setInt(3L * BaseVariableWidthVector.OFFSET_WIDTH, 1 << 30);
            assertThatThrownBy(() -> l.loadBatch(root, "t", LoadMode.APPEND)).isInstanceOf(LoaderException.class)
                    .hasMessageContaining("Arrow buffer").hasMessageContaining("nothing was committed");
        }
        assertThat(DeltaTables.dataFiles(table)).isEmpty();
    }

    @Test
    void parallelismOutsideOneTo64FailsNamingTheKey() {
        for (Object bad : List.of(0, 65, "two")) {
            assertThatThrownBy(() -> DeltaLoaderConfig.from(LoaderConfig.of(Map.of("table_path", "/tmp/x",
                    "parallelism", bad)))).isInstanceOf(LoaderException.class).hasMessageContaining("parallelism");
        }
    }

    /** The {@code numRecords} of every {@code add} in the commit of {@code version}, from the log's JSON. */
    private static List<Long> numRecords(Path table, long version) throws Exception {
        String json = Files.readString(table.resolve("_delta_log").resolve(String.format("%020d.json", version)));
        List<Long> counts = new ArrayList<>();
        for (String line : json.split("\n")) {
            if (line.startsWith("{\"add\"")) {
                Matcher m = NUM_RECORDS.matcher(line);
                assertThat(m.find()).as("stats of %s", line).isTrue();
                counts.add(Long.parseLong(m.group(1)));
            }
        }
        return counts;
    }

    /** The rows in the order of their text (the threads' files come back in any order; no column is a key). */
    private static List<Map<String, Object>> sorted(List<Map<String, Object>> rows) {
        List<Map<String, Object>> copy = new ArrayList<>(rows);
        copy.sort(Comparator.comparing(r -> new TreeMap<>(r).toString()));
        return copy;
    }
}
