package org.loadperf.examples.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.core.discovery.Loaders;
import org.loadperf.core.dataset.PerfDatasets;

class CsvLoaderTest {

    @TempDir
    Path dir;
    private final BufferAllocator allocator = new RootAllocator();

    @AfterEach
    void close() {
        allocator.close(); // fails the test when a batch leaked
    }

    private Loader csv(Map<String, Object> extra) {
        Map<String, Object> config = new java.util.HashMap<>(extra);
        config.put("directory", dir.toString());
        return Loaders.create("csv", LoaderConfig.of(config));
    }

    private VectorSchemaRoot people(long... ids) {
        Schema schema = new Schema(List.of(new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
                new Field("name", FieldType.nullable(ArrowType.Utf8.INSTANCE), null)));
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        BigIntVector id = (BigIntVector) root.getVector("id");
        VarCharVector name = (VarCharVector) root.getVector("name");
        String[] names = {"plain", "with, comma", "say \"hi\"", "two\nlines", "", null};
        for (int i = 0; i < ids.length; i++) {
            id.setSafe(i, ids[i]);
            String n = names[i % names.length];
            if (n == null) {
                name.setNull(i);
            } else {
                name.setSafe(i, n.getBytes(StandardCharsets.UTF_8));
            }
        }
        root.setRowCount(ids.length);
        return root;
    }

    @Test
    void isFoundByLoadersThroughItsServiceFile() {
        assertThat(Loaders.available()).contains("csv");
        assertThat(Loaders.provider("csv")).isInstanceOf(CsvLoaderProvider.class);
        assertThat(Loaders.provider("csv").configKeys()).extracting(k -> k.name())
                .containsExactly("directory", "delimiter", "header", "batch_size", "null_value");
    }

    @Test
    void writesRfc4180WithQuotingAndNulls() throws Exception {
        try (Loader loader = csv(Map.of()); VectorSchemaRoot batch = people(1, 2, 3, 4, 5, 6)) {
            LoadResult r = loader.loadBatch(batch, "people", LoadMode.APPEND);
            assertThat(r.rowsLoaded()).isEqualTo(6);
            assertThat(r.loaderType()).isEqualTo("csv");
            assertThat(r.metadata()).containsEntry("rows_loaded", 6L).containsEntry("columns", 2)
                    .containsKeys("batches_processed", "avg_batch_size", "table_size_bytes", "throughput_rows_per_sec");
        }
        assertThat(Files.readString(dir.resolve("people.csv"))).isEqualTo(
                "id,name\n1,plain\n2,\"with, comma\"\n3,\"say \"\"hi\"\"\"\n4,\"two\nlines\"\n5,\"\"\n6,\n");
    }

    @Test
    void appendKeepsOneHeaderAndOverwriteReplaces() throws Exception {
        try (Loader loader = csv(Map.of("delimiter", ";", "null_value", "NULL"));
             VectorSchemaRoot a = people(1, 2); VectorSchemaRoot b = people(7, 8, 9, 10, 11, 12)) {
            loader.loadBatch(a, "t", LoadMode.APPEND);
            loader.loadBatch(a, "t", LoadMode.APPEND);
            assertThat(Files.readAllLines(dir.resolve("t.csv"))).containsExactly("id;name", "1;plain",
                    "2;with, comma", "1;plain", "2;with, comma");
            loader.loadBatch(b, "t", LoadMode.OVERWRITE);
            assertThat(Files.readString(dir.resolve("t.csv"))).startsWith("id;name\n7;plain\n").endsWith("12;NULL\n");
        }
    }

    @Test
    void loadTableStreamsInChunksOfBatchSize() throws Exception {
        try (Loader loader = csv(Map.of("batch_size", 3000));
             ArrowReader data = PerfDatasets.performance(allocator, 10_000, 4_000)) {
            LoadResult r = loader.loadTable(data, "perf", LoadMode.OVERWRITE);
            assertThat(r.rowsLoaded()).isEqualTo(10_000);
            assertThat(r.metadata()).containsEntry("batches_processed", 5L); // 4000, 4000, 2000 -> 3000 + 1000, 3000 + 1000, 2000
        }
        List<String> lines = Files.readAllLines(dir.resolve("perf.csv"));
        assertThat(lines).hasSize(10_001);
        assertThat(lines.get(0)).isEqualTo("id,user_id,value,category,description,score,active,timestamp,year,month");
        assertThat(lines.get(2)).isEqualTo("1,user_1,0.123,cat_1,Description for item 1,10,false,"
                + "2024-01-01T00:00:01Z,2024,1");
    }

    @Test
    void badInputFailsBeforeAnythingIsWritten() throws Exception {
        try (Loader loader = csv(Map.of()); VectorSchemaRoot batch = people(1, 2)) {
            loader.loadBatch(batch, "keep", LoadMode.APPEND);
            String before = Files.readString(dir.resolve("keep.csv"));

            assertThatThrownBy(() -> loader.loadBatch(batch, "keep", LoadMode.UPSERT))
                    .isInstanceOf(LoaderException.class).hasMessageContaining("not UPSERT");
            assertThatThrownBy(() -> loader.loadBatch(batch, "../escape", LoadMode.APPEND))
                    .hasMessageContaining("Table name '../escape' cannot be a CSV file name");

            Schema other = new Schema(List.of(new Field("tags", FieldType.nullable(ArrowType.List.INSTANCE),
                    List.of(new Field("item", FieldType.nullable(ArrowType.Utf8.INSTANCE), null)))));
            try (VectorSchemaRoot lists = VectorSchemaRoot.create(other, allocator)) {
                ((ListVector) lists.getVector("tags")).allocateNew();
                lists.setRowCount(0);
                assertThatThrownBy(() -> loader.loadBatch(lists, "keep", LoadMode.OVERWRITE))
                        .hasMessageContaining("CSV cannot hold column 'tags' of type List");
            }
            try (VectorSchemaRoot renamed = VectorSchemaRoot.create(new Schema(List.of(
                    new Field("key", FieldType.notNullable(new ArrowType.Int(64, true)), null))), allocator)) {
                renamed.setRowCount(0);
                assertThatThrownBy(() -> loader.loadBatch(renamed, "keep", LoadMode.APPEND))
                        .hasMessageContaining("its header is 'id,name', the batch's columns are 'key'");
            }
            assertThat(Files.readString(dir.resolve("keep.csv"))).isEqualTo(before);
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("keep.csv"); // no temp left
            }
        }
    }
}
