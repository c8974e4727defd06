package org.loadperf.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.loadperf.delta.DeltaTables.loader;

import io.delta.kernel.Operation;
import io.delta.kernel.Table;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderException;

/**
 * schema_evolution: new nullable top-level columns widen the table's schema in the load's own commit (one
 * {@code metaData} action, written by Kernel through {@code KernelActions.widenSchema}); everything else that does
 * not match fails before writing, naming the column.
 */
class SchemaEvolutionTest {

    private static final Field A = Field.nullable("a", new ArrowType.Int(64, true));
    private static final Field B = Field.nullable("b", ArrowType.Utf8.INSTANCE);
    private static final Field C = Field.nullable("c", new ArrowType.Int(32, true));

    @RegisterExtension
    final TestAllocator allocator = new TestAllocator();

    @Test
    void newNullableColumnWidensTheSchemaInTheLoadsOwnCommit() throws Exception {
        Path table = DeltaTables.freshDir("evolve");
        load(table, Map.of(), List.of(A, B), new Object[][] {{1L, "x"}, {2L, "y"}});
        assertThat(DeltaTables.version(table)).isZero();

        LoadResult widened = load(table, Map.of(), List.of(A, B, C), new Object[][] {{3L, "z", 30}, {4L, null, null}});
        assertThat(widened.metadata()).containsEntry("commit_version", 1L);
        StructType schema = DeltaTables.snapshot(table).getSchema();
        assertThat(schema.fieldNames()).containsExactly("a", "b", "c");
        assertThat(schema.get("c").getDataType()).isEqualTo(IntegerType.INTEGER);
        assertThat(schema.get("c").isNullable()).isTrue();
        assertThat(DeltaTables.version(table)).isEqualTo(1);
        assertThat(byA(DeltaTables.rows(table))).hasSize(4)
                .containsEntry(1L, row(1L, "x", null)).containsEntry(2L, row(2L, "y", null))
                .containsEntry(3L, row(3L, "z", 30)).containsEntry(4L, row(4L, null, null));

        // Exactly one metaData in the commit, and it is the old one with only the schema changed.
        String v0 = commitJson(table, 0);
        String v1 = commitJson(table, 1);
        List<String> metaData = actions(v1, "metaData");
        assertThat(metaData).hasSize(1);
        assertThat(actions(v1, "protocol")).isEmpty();
        assertThat(actions(v1, "add")).isNotEmpty();
        String before = actions(v0, "metaData").get(0);
        for (String key : List.of("id", "createdTime", "partitionColumns", "configuration", "format")) {
            assertThat(field(metaData.get(0), key)).as(key).isEqualTo(field(before, key)).isNotNull();
        }
        assertThat(metaData.get(0)).contains("\\\"name\\\":\\\"c\\\"");
        // The load's new file has statistics for c (Kernel's statistics columns come from the new schema).
        assertThat(actions(v1, "add").get(0)).contains("\\\"c\\\":30");
        // The version's checksum, from which Kernel takes the metadata of a later snapshot, has the new schema.
        Path crc = table.resolve("_delta_log").resolve(String.format("%020d.crc", 1));
        assertThat(widened.metadata().get("post_commit_hooks").toString()).contains("CHECKSUM_SIMPLE");
        assertThat(Files.readString(crc)).contains("\\\"name\\\":\\\"c\\\"");

        // A later load without c: one commit without metaData, c NULL for its rows.
        LoadResult narrow = load(table, Map.of(), List.of(A, B), new Object[][] {{5L, "w"}});
        assertThat(narrow.metadata()).containsEntry("commit_version", 2L);
        assertThat(actions(commitJson(table, 2), "metaData")).isEmpty();
        assertThat(DeltaTables.snapshot(table).getSchema().fieldNames()).containsExactly("a", "b", "c");
        assertThat(byA(DeltaTables.rows(table))).hasSize(5).containsEntry(5L, row(5L, "w", null))
                .containsEntry(3L, row(3L, "z", 30));

        // Compaction (Kernel's reader and writer) merges files with and without c under the new schema.
        LoadResult compacted = load(table, Map.of("optimize_after_write", true), List.of(A, B, C),
                new Object[][] {{6L, "v", 60}});
        assertThat(compacted.metadata()).containsEntry("commit_version", 3L).containsEntry("optimize_version", 4L);
        assertThat(DeltaTables.liveFiles(table)).isEqualTo(1);
        assertThat(byA(DeltaTables.rows(table))).hasSize(6).containsEntry(1L, row(1L, "x", null))
                .containsEntry(3L, row(3L, "z", 30)).containsEntry(6L, row(6L, "v", 60));
    }

    @Test
    void newColumnWithoutSchemaEvolutionFailsNamingItAndLeavesTheTableAsItWas() throws Exception {
        Path table = DeltaTables.freshDir("noevolve");
        load(table, Map.of(), List.of(A, B), new Object[][] {{1L, "x"}});
        for (Map<String, Object> off : List.<Map<String, Object>>of(Map.of("schema_evolution", false),
                Map.of("merge_schema", false))) {
            assertThatThrownBy(() -> load(table, off, List.of(A, B, C), new Object[][] {{2L, "y", 3}}))
                    .isInstanceOf(LoaderException.class).hasMessageContaining("[c]")
                    .hasMessageContaining("schema_evolution is false").hasMessageContaining("nothing was");
        }
        assertUnchanged(table, 1);
    }

    @Test
    void newNotNullColumnDifferentTypeAndCaseOnlyDifferenceFailBeforeWriting() throws Exception {
        Path table = DeltaTables.freshDir("evolvefail");
        load(table, Map.of(), List.of(A, B), new Object[][] {{1L, "x"}});
        Field requiredC = Field.notNullable("c", new ArrowType.Int(32, true));
        assertThatThrownBy(() -> load(table, Map.of(), List.of(A, B, requiredC), new Object[][] {{2L, "y", 3}}))
                .isInstanceOf(LoaderException.class).hasMessageContaining("Column 'c'")
                .hasMessageContaining("NOT NULL").hasMessageContaining("nothing was written");
        Field aAsString = Field.nullable("a", ArrowType.Utf8.INSTANCE);
        assertThatThrownBy(() -> load(table, Map.of(), List.of(aAsString, B, C), new Object[][] {{"2", "y", 3}}))
                .isInstanceOf(LoaderException.class).hasMessageContaining("Column 'a'")
                .hasMessageContaining("string").hasMessageContaining("nothing was written");
        Field upperB = Field.nullable("B", ArrowType.Utf8.INSTANCE);
        assertThatThrownBy(() -> load(table, Map.of(), List.of(A, upperB), new Object[][] {{2L, "y"}}))
                .isInstanceOf(LoaderException.class).hasMessageContaining("Column 'B'")
                .hasMessageContaining("case");
        // timestamp_ntz needs the timestampNtz table feature, which the loader does not add to an existing table.
        Field ntz = Field.nullable("t", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null));
        assertThatThrownBy(() -> load(table, Map.of(), List.of(A, ntz), new Object[][] {{2L, 5L}}))
                .isInstanceOf(LoaderException.class).hasMessageContaining("[t]")
                .hasMessageContaining("timestampNtz").hasMessageContaining("nothing was written");
        assertUnchanged(table, 1);
    }

    @Test
    void columnMappingTableFailsClearly() throws Exception {
        Path table = DeltaTables.freshDir("evolvecm");
        Table t = Table.forPath(DeltaTables.ENGINE, table.toString());
        t.createTransactionBuilder(DeltaTables.ENGINE, "test", Operation.CREATE_TABLE)
                .withSchema(DeltaTables.ENGINE, new StructType().add("a", LongType.LONG))
                .withTableProperties(DeltaTables.ENGINE, Map.of("delta.columnMapping.mode", "name"))
                .build(DeltaTables.ENGINE)
                .commit(DeltaTables.ENGINE, CloseableIterable.emptyIterable());
        assertThatThrownBy(() -> load(table, Map.of(), List.of(A, C), new Object[][] {{1L, 2}}))
                .isInstanceOf(LoaderException.class).hasMessageContaining("[c]")
                .hasMessageContaining("column mapping").hasMessageContaining("nothing was written");
        assertThat(DeltaTables.version(table)).isZero();
        assertThat(DeltaTables.snapshot(table).getSchema().fieldNames()).containsExactly("a");
        assertThat(DeltaTables.dataFiles(table)).isEmpty();
    }

    @Test
    void checkpointAfterAnEvolutionKeepsTheNewSchema() throws Exception {
        Path table = DeltaTables.freshDir("evolvecheckpoint");
        load(table, Map.of(), List.of(A, B), new Object[][] {{0L, "x"}});
        load(table, Map.of(), List.of(A, B, C), new Object[][] {{1L, "y", 10}});
        LoadResult last = null;
        for (long i = 2; i <= 11; i++) {
            last = load(table, Map.of(), i % 2 == 0 ? List.of(A, B) : List.of(A, B, C),
                    i % 2 == 0 ? new Object[][] {{i, "z"}} : new Object[][] {{i, "z", (int) i * 10}});
        }
        Path log = table.resolve("_delta_log");
        assertThat(log.resolve(String.format("%020d.checkpoint.parquet", 10))).exists();
        assertThat(last.metadata()).containsEntry("commit_version", 11L);
        // Without the checksums Kernel has to take the metadata from the checkpoint (and, before it, the commit
        // JSON), not from the CRC written after the evolution.
        try (Stream<Path> files = Files.list(log)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".crc")).toList()) {
                Files.delete(p);
            }
        }
        Table t = Table.forPath(DeltaTables.ENGINE, table.toString());
        assertThat(t.getLatestSnapshot(DeltaTables.ENGINE).getSchema().fieldNames()).containsExactly("a", "b", "c");
        assertThat(t.getSnapshotAsOfVersion(DeltaTables.ENGINE, 1).getSchema().fieldNames())
                .containsExactly("a", "b", "c");
        assertThat(t.getSnapshotAsOfVersion(DeltaTables.ENGINE, 0).getSchema().fieldNames())
                .containsExactly("a", "b");
        Map<Long, Map<String, Object>> rows = byA(DeltaTables.rows(table));
        assertThat(rows).hasSize(12).containsEntry(0L, row(0L, "x", null)).containsEntry(1L, row(1L, "y", 10))
                .containsEntry(10L, row(10L, "z", null)).containsEntry(11L, row(11L, "z", 110));
    }

    private void assertUnchanged(Path table, int rows) {
        assertThat(DeltaTables.version(table)).isZero();
        assertThat(DeltaTables.snapshot(table).getSchema().fieldNames()).containsExactly("a", "b");
        assertThat(DeltaTables.dataFiles(table)).hasSize(1);
        assertThat(DeltaTables.rows(table)).hasSize(rows);
        assertThat(table.resolve("_delta_log").resolve(String.format("%020d.json", 1))).doesNotExist();
    }

    /** One table-level load (an Arrow stream of one batch) of {@code values} in columns {@code fields}. */
    private LoadResult load(Path table, Map<String, Object> config, List<Field> fields, Object[][] values)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator);
             ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
            root.allocateNew();
            for (int r = 0; r < values.length; r++) {
                for (int c = 0; c < fields.size(); c++) {
                    set(root, c, r, values[r][c]);
                }
            }
            root.setRowCount(values.length);
            writer.start();
            writer.writeBatch();
            writer.end();
        }
        try (ArrowReader reader = new ArrowStreamReader(new ByteArrayInputStream(out.toByteArray()), allocator);
             Loader loader = loader(table, withDefaults(config))) {
            return loader.loadTable(reader, "evolution", LoadMode.APPEND);
        }
    }

    /** Compaction off unless asked for, so that each load is exactly one version. */
    private static Map<String, Object> withDefaults(Map<String, Object> config) {
        Map<String, Object> c = new HashMap<>(config);
        c.putIfAbsent("optimize_after_write", false);
        return c;
    }

    private static void set(VectorSchemaRoot root, int column, int row, Object value) {
        var v = root.getVector(column);
        if (value == null) {
            v.setNull(row);
        } else if (v instanceof BigIntVector x) {
            x.setSafe(row, (Long) value);
        } else if (v instanceof IntVector x) {
            x.setSafe(row, (Integer) value);
        } else if (v instanceof VarCharVector x) {
            x.setSafe(row, ((String) value).getBytes(StandardCharsets.UTF_8));
        } else if (v instanceof TimeStampMicroVector x) {
            x.setSafe(row, (Long) value);
        } else {
            throw new IllegalArgumentException(v.getClass().getName());
        }
    }

    private static Map<String, Object> row(long a, String b, Integer c) {
        Map<String, Object> m = new HashMap<>();
        m.put("a", a);
        m.put("b", b);
        m.put("c", c);
        return m;
    }

    private static Map<Long, Map<String, Object>> byA(List<Map<String, Object>> rows) {
        Map<Long, Map<String, Object>> m = new HashMap<>();
        for (Map<String, Object> r : rows) {
            assertThat(m.put((Long) r.get("a"), new HashMap<>(r))).as("duplicate a " + r.get("a")).isNull();
        }
        return m;
    }

    private static String commitJson(Path table, long version) throws IOException {
        return Files.readString(table.resolve("_delta_log").resolve(String.format("%020d.json", version)));
    }

    /** The lines of a commit file that are {@code kind} actions. */
    private static List<String> actions(String commit, String kind) {
        List<String> out = new ArrayList<>();
        for (String line : commit.split("\n")) {
            if (line.startsWith("{\"" + kind + "\":")) {
                out.add(line);
            }
        }
        return out;
    }

    /** The raw JSON text of a scalar, array or flat object field of a metaData line (good enough for comparing). */
    private static String field(String line, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(\"[^\"]*\"|\\d+|\\[[^\\]]*\\]|\\{[^{}]*\\}|\\{\"provider\""
                + "[^}]*\\}[^}]*\\})").matcher(line);
        return m.find() ? m.group(1) : null;
    }
}
