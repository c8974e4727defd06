package org.loadperf.delta;

import static org.loadperf.delta.DeltaTables.loader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderException;

class DeltaLoaderTest {

    @RegisterExtension
    final TestAllocator allocator = new TestAllocator();


    private static List<Map<String, Object>> sorted(List<Map<String, Object>> rows, String key) {
        List<Map<String, Object>> copy = new ArrayList<>(rows);
        copy.sort(Comparator.comparing(r -> String.valueOf(r.get(key))));
        return copy;
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 42L, 20240601L})
    void randomSchemasRoundTripThroughKernel(long seed) throws Exception {
        Path table = DeltaTables.freshDir("roundtrip");
        RandomArrowData data = new RandomArrowData(seed, RandomArrowData.KINDS.length + 3);
        List<Field> fields = new ArrayList<>(data.schema.getFields());
        // A unique id column makes rows comparable regardless of file order.
        try (GeneratedReader reader = new GeneratedReader(allocator, data, 4, 700);
             Loader loader = loader(table, Map.of("batch_size", 500, "compression", "zstd"))) {
            LoadResult result = loader.loadTable(reader, "roundtrip", LoadMode.APPEND);
            assertThat(result.rowsLoaded()).isEqualTo(2800);
            assertThat(result.metadata()).containsEntry("batches_processed", 4L).containsEntry("table_version", 0L);
            List<Map<String, Object>> actual = DeltaTables.rows(table);
            assertThat(actual).hasSize(2800);
            assertThat(DeltaTables.snapshot(table).getSchema().length()).isEqualTo(fields.size());
            String key = fields.get(3).getName(); // int64: unique with overwhelming probability, or null
            // equals, not a recursive comparison: every value reads back as the same Java type it was written as
            // (BigDecimal with the column's scale), and equals is much faster over 2,800 rows of 30+ columns.
            assertThat(sorted(actual, key)).isEqualTo(sorted(reader.expected(), key));
        }
    }

    @Test
    void uint64FailsBeforeWritingNamingTheColumn() throws Exception {
        Path table = DeltaTables.freshDir("uint64");
        Schema schema = new Schema(List.of(RandomArrowData.field("id", "int32"),
                RandomArrowData.field("big_unsigned", "uint64")));
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             Loader loader = loader(table, Map.of())) {
            root.allocateNew();
            root.setRowCount(0);
            assertThatThrownBy(() -> loader.loadBatch(root, "t", LoadMode.APPEND))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("'big_unsigned'").hasMessageContaining("uint64");
        }
        assertThat(Files.exists(table)).isFalse();
    }

    @Test
    void upsertAndMergeFailBeforeAnythingIsWritten() throws Exception {
        Path table = DeltaTables.freshDir("upsert");
        RandomArrowData data = new RandomArrowData(7, 3);
        try (GeneratedReader reader = new GeneratedReader(allocator, data, 1, 10);
             Loader loader = loader(table, Map.of())) {
            for (LoadMode m : List.of(LoadMode.UPSERT, LoadMode.MERGE)) {
                assertThatThrownBy(() -> loader.loadTable(reader, "t", m)).isInstanceOf(LoaderException.class)
                        .hasMessageContaining(m.name() + " is not supported").hasMessageContaining("nothing was written");
            }
        }
        assertThat(Files.exists(table)).isFalse();
    }

    @Test
    void partitionedWriteMakesHiveDirectoriesWithCorrectValues() throws Exception {
        Path table = DeltaTables.freshDir("partitioned");
        try (var reader = org.loadperf.core.dataset.PerfDatasets.performance(allocator, 3000, 1000);
             Loader loader = loader(table, Map.of("partition_by", "year,month", "optimize_after_write", false))) {
            LoadResult r = loader.loadTable(reader, "p", LoadMode.APPEND);
            assertThat(r.metadata()).containsEntry("partition_columns", List.of("year", "month"));
        }
        List<Map<String, Object>> rows = DeltaTables.rows(table);
        assertThat(rows).hasSize(3000);
        for (Path f : DeltaTables.dataFiles(table)) {
            Path rel = table.relativize(f);
            assertThat(rel.getNameCount()).isEqualTo(3);
            assertThat(rel.getName(0).toString()).matches("year=\\d{4}");
            assertThat(rel.getName(1).toString()).matches("month=\\d{1,2}");
        }
        // Every row read back carries the partition values of the directory it came from.
        Map<String, Long> perPartition = rows.stream().collect(Collectors.groupingBy(
                r -> "year=" + r.get("year") + "/month=" + r.get("month"), Collectors.counting()));
        Map<String, Long> filesPerDir = new HashMap<>();
        for (Path f : DeltaTables.dataFiles(table)) {
            Path rel = table.relativize(f);
            filesPerDir.merge(rel.getName(0) + "/" + rel.getName(1), 1L, Long::sum);
        }
        assertThat(filesPerDir.keySet()).isEqualTo(perPartition.keySet());
        assertThat(DeltaTables.version(table)).isZero();
    }

    @Test
    void overwriteLeavesOnlyTheNewRowsInOneCommit() throws Exception {
        Path table = DeltaTables.freshDir("overwrite");
        try (Loader loader = loader(table, Map.of("optimize_after_write", false))) {
            try (var reader = org.loadperf.core.dataset.PerfDatasets.performance(allocator, 2000, 500)) {
                loader.loadTable(reader, "o", LoadMode.APPEND);
            }
            try (var reader = org.loadperf.core.dataset.PerfDatasets.performance(allocator, 2000, 500)) {
                loader.loadTable(reader, "o", LoadMode.APPEND);
            }
            assertThat(DeltaTables.rows(table)).hasSize(4000);
            LoadResult r;
            try (var reader = org.loadperf.core.dataset.PerfDatasets.performance(allocator, 300, 100)) {
                r = loader.loadTable(reader, "o", LoadMode.OVERWRITE);
            }
            assertThat(r.metadata()).containsEntry("files_removed", 2L).containsEntry("table_version", 2L);
        }
        List<Map<String, Object>> rows = DeltaTables.rows(table);
        assertThat(rows).hasSize(300);
        assertThat(rows.stream().map(m -> (Long) m.get("id")).sorted().toList())
                .isEqualTo(java.util.stream.LongStream.range(0, 300).boxed().toList());
        // The previous version is still readable (time travel) until a vacuum.
        assertThat(DeltaTables.rows(io.delta.kernel.Table.forPath(DeltaTables.ENGINE, table.toString())
                .getSnapshotAsOfVersion(DeltaTables.ENGINE, 1))).hasSize(4000);
    }

    @Test
    void compactionKeepsEveryRowLowersFileCountAndDoesNotChangeData() throws Exception {
        Path table = DeltaTables.freshDir("compaction");
        try (Loader loader = loader(table, Map.of("optimize_after_write", false))) {
            for (int i = 0; i < 6; i++) {
                try (var reader = org.loadperf.core.dataset.PerfDatasets.performance(allocator, 250, 250)) {
                    loader.loadTable(reader, "c", LoadMode.APPEND);
                }
            }
        }
        assertThat(DeltaTables.liveFiles(table)).isEqualTo(6);
        List<Map<String, Object>> before = DeltaTables.rows(table);
        LoadResult r;
        try (Loader loader = loader(table, Map.of("optimize_after_write", true));
             var reader = org.loadperf.core.dataset.PerfDatasets.performance(allocator, 250, 250)) {
            r = loader.loadTable(reader, "c", LoadMode.APPEND);
        }
        assertThat(r.metadata()).containsEntry("optimize_files_before", 7L).containsEntry("optimize_files_after", 1L);
        assertThat(DeltaTables.liveFiles(table)).isEqualTo(1);
        List<Map<String, Object>> after = DeltaTables.rows(table);
        assertThat(after).hasSize(before.size() + 250);
        assertThat(after).containsAll(before);
        // The compaction commit is a rearrangement: every add and remove says dataChange=false.
        long v = DeltaTables.version(table);
        String log = Files.readString(table.resolve("_delta_log").resolve(String.format("%020d.json", v)));
        assertThat(log).contains("\"remove\"").contains("\"add\"").doesNotContain("\"dataChange\":true");
    }

    @Test
    void maxRowsPerFileRollsFiles() throws Exception {
        Path table = DeltaTables.freshDir("maxrows");
        try (Loader loader = loader(table, Map.of("optimize_after_write", false, "max_rows_per_file", 400,
                "batch_size", 300));
             var reader = org.loadperf.core.dataset.PerfDatasets.performance(allocator, 2000, 700)) {
            loader.loadTable(reader, "m", LoadMode.APPEND);
        }
        assertThat(DeltaTables.liveFiles(table)).isEqualTo(5);
        assertThat(DeltaTables.rows(table)).hasSize(2000);
    }

    @Test
    void vacuumDeletesUnreferencedFilesOlderThanRetention() throws Exception {
        Path table = DeltaTables.freshDir("vacuum");
        try (Loader loader = loader(table, Map.of("optimize_after_write", false))) {
            for (int i = 0; i < 3; i++) {
                try (var reader = org.loadperf.core.dataset.PerfDatasets.performance(allocator, 100, 100)) {
                    loader.loadTable(reader, "v", LoadMode.APPEND);
                }
            }
        }
        // A stray file no commit references, as a crashed load leaves behind.
        Path stray = table.resolve("stray-uncommitted.parquet");
        Files.copy(DeltaTables.dataFiles(table).get(0), stray);
        assertThat(DeltaTables.dataFiles(table)).hasSize(4);
        LoadResult r;
        try (Loader keep = loader(table, Map.of("optimize_after_write", false, "vacuum_after_write", true));
             var reader = org.loadperf.core.dataset.PerfDatasets.performance(allocator, 100, 100)) {
            r = keep.loadTable(reader, "v", LoadMode.OVERWRITE);
        }
        assertThat(r.metadata()).containsEntry("vacuum_files_deleted", 0L);
        assertThat(DeltaTables.dataFiles(table)).hasSize(5);
        try (Loader loader = loader(table, Map.of("optimize_after_write", false, "vacuum_after_write", true,
                "vacuum_retention_hours", 0));
             var reader = org.loadperf.core.dataset.PerfDatasets.performance(allocator, 100, 100)) {
            r = loader.loadTable(reader, "v", LoadMode.APPEND);
        }
        assertThat(r.metadata()).containsEntry("vacuum_files_deleted", 4L);
        assertThat(Files.exists(stray)).isFalse();
        assertThat(DeltaTables.dataFiles(table)).hasSize(2);
        assertThat(DeltaTables.rows(table)).hasSize(200);
    }

    @Test
    void newColumnsWithoutSchemaEvolutionFailNamingTheColumnAndLeaveTheTableAsItWas() throws Exception {
        // With schema_evolution (the default) new nullable columns are added: see SchemaEvolutionTest.
        Path table = DeltaTables.freshDir("evolution");
        RandomArrowData narrow = new RandomArrowData(3, 2);
        try (GeneratedReader reader = new GeneratedReader(allocator, narrow, 1, 50);
             Loader loader = loader(table, Map.of())) {
            loader.loadTable(reader, "e", LoadMode.APPEND);
        }
        RandomArrowData wide = new RandomArrowData(3, 3);
        try (GeneratedReader reader = new GeneratedReader(allocator, wide, 1, 50);
             Loader loader = loader(table, Map.of("schema_evolution", false))) {
            assertThatThrownBy(() -> loader.loadTable(reader, "e", LoadMode.APPEND))
                    .hasMessageContaining("c2_int32").hasMessageContaining("schema_evolution is false");
        }
        assertThat(DeltaTables.version(table)).isZero();
        assertThat(DeltaTables.rows(table)).hasSize(50);
    }

    @Test
    void aReaderDuringTheLoadSeesThePreviousVersion() throws Exception {
        Path table = DeltaTables.freshDir("isolation");
        RandomArrowData data = new RandomArrowData(11, 4);
        try (GeneratedReader first = new GeneratedReader(allocator, data, 1, 100);
             Loader loader = loader(table, Map.of("optimize_after_write", false))) {
            loader.loadTable(first, "i", LoadMode.APPEND);
        }
        List<Long> seenVersions = new ArrayList<>();
        List<Integer> seenRows = new ArrayList<>();
        try (GeneratedReader second = new GeneratedReader(allocator, data, 5, 100, batch -> {
            if (batch >= 2) { // files of earlier batches are already on disk by now
                seenVersions.add(DeltaTables.version(table));
                seenRows.add(DeltaTables.rows(table).size());
            }
        });
             Loader loader = loader(table, Map.of("optimize_after_write", false, "max_rows_per_file", 100))) {
            loader.loadTable(second, "i", LoadMode.APPEND);
        }
        assertThat(DeltaTables.dataFiles(table).size()).isGreaterThan(2);
        assertThat(seenVersions).containsOnly(0L).hasSize(3);
        assertThat(seenRows).containsOnly(100);
        assertThat(DeltaTables.rows(table)).hasSize(600);
    }
}
