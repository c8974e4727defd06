package org.loadperf.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.loadperf.delta.DeltaTables.loader;

import io.delta.kernel.data.Row;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;

/**
 * Odd input: a table path through {@code ..} into a missing directory and column names Delta cannot store fail as
 * {@link LoaderException}s naming them, before anything is written; odd partition values get the directory names
 * Delta's and Hive's writers give them (escaped once) and read back through the log.
 */
class InputValidationTest {

    @RegisterExtension
    final TestAllocator allocator = new TestAllocator();

    @Test
    void aTablePathThroughDotDotIntoAMissingDirectoryFailsNamingThePath() throws Exception {
        Path base = DeltaTables.freshDir("dotdot");
        Files.createDirectories(base);
        String tablePath = base + "/missing/../t";
        assertThatThrownBy(() -> {
            try (RowsReader r = new RowsReader(allocator, 0, 1, 10, List.of("a"), 0);
                 Loader l = new DeltaLoaderProvider().create(LoaderConfig.of(Map.of("table_path", tablePath)))) {
                l.loadTable(r, "t", LoadMode.APPEND);
            }
        }).isInstanceOf(LoaderException.class).hasMessageContaining(tablePath)
                .hasMessageContaining(base.resolve("missing").toString());
        try (Stream<Path> s = Files.list(base)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void aTablePathThroughDotDotIntoAnExistingDirectoryIsThatDirectory() throws Exception {
        Path base = DeltaTables.freshDir("dotdot-ok");
        Files.createDirectories(base.resolve("there"));
        try (RowsReader r = new RowsReader(allocator, 0, 1, 10, List.of("a"), 0);
             Loader l = new DeltaLoaderProvider().create(LoaderConfig.of(Map.of("table_path",
                     base + "/there/../t")))) {
            l.loadTable(r, "t", LoadMode.APPEND);
        }
        assertThat(DeltaTables.rows(base.resolve("t"))).hasSize(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "a,b", "a;b", "a{b", "a}b", "a(b", "a)b", "a\nb", "a\tb", "a=b", ""})
    void aColumnNameDeltaCannotStoreFailsNamingItBeforeWriting(String name) throws Exception {
        String shown = "'" + name.replace("\n", "\\n").replace("\t", "\\t") + "'";
        Path table = DeltaTables.freshDir("bad-name");
        // A new table.
        Schema schema = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable(name, new ArrowType.Int(64, true))));
        assertThatThrownBy(() -> loadOneRow(table, schema, Map.of())).isInstanceOf(LoaderException.class)
                .hasMessageContaining(shown).hasMessageContaining("nothing was written");
        assertThat(table).doesNotExist();
        // A nested field of a new table.
        Field struct = new Field("s", FieldType.nullable(ArrowType.Struct.INSTANCE),
                List.of(Field.nullable(name, new ArrowType.Int(64, true))));
        Schema nested = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)), struct));
        assertThatThrownBy(() -> loadOneRow(table, nested, Map.of())).isInstanceOf(LoaderException.class)
                .hasMessageContaining(shown).hasMessageContaining("nothing was written");
        assertThat(table).doesNotExist();
        // A new column of an existing table (schema evolution).
        Schema ids = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true))));
        loadOneRow(table, ids, Map.of());
        assertThatThrownBy(() -> loadOneRow(table, schema, Map.of())).isInstanceOf(LoaderException.class)
                .hasMessageContaining(shown).hasMessageContaining("nothing was written");
        assertThat(DeltaTables.version(table)).isZero();
        assertThat(DeltaTables.dataFiles(table)).hasSize(1);
    }

    @Test
    void columnsDifferingOnlyInCaseFailNamingBoth() throws Exception {
        Path table = DeltaTables.freshDir("case-dup");
        Schema schema = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("ID", new ArrowType.Int(64, true))));
        assertThatThrownBy(() -> loadOneRow(table, schema, Map.of())).isInstanceOf(LoaderException.class)
                .hasMessageContaining("'id'").hasMessageContaining("'ID'")
                .hasMessageContaining("nothing was written");
        Schema same = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("id", new ArrowType.Int(64, true))));
        assertThatThrownBy(() -> loadOneRow(table, same, Map.of())).isInstanceOf(LoaderException.class)
                .hasMessageContaining("'id'").hasMessageContaining("nothing was written");
        assertThat(table).doesNotExist();
    }

    @Test
    void partitionDirectoriesAreEscapedOnceAsDeltaAndHiveWritersDo() throws Exception {
        Path table = DeltaTables.freshDir("escape");
        List<String> values = Arrays.asList("a/b", "a b", "100%", "x=y", "ü日本", "", null, "a\\b:c", "t\tx",
                "q?#*", "plain");
        Map<String, String> expectedDirs = new HashMap<>();
        expectedDirs.put("a/b", "p=a%2Fb");
        expectedDirs.put("a b", "p=a b");
        expectedDirs.put("100%", "p=100%25");
        expectedDirs.put("x=y", "p=x%3Dy");
        expectedDirs.put("ü日本", "p=ü日本");
        expectedDirs.put("", "p=__HIVE_DEFAULT_PARTITION__");
        expectedDirs.put(null, "p=__HIVE_DEFAULT_PARTITION__");
        expectedDirs.put("a\\b:c", "p=a%5Cb%3Ac");
        expectedDirs.put("t\tx", "p=t%09x");
        expectedDirs.put("q?#*", "p=q%3F%23%2A");
        expectedDirs.put("plain", "p=plain");
        try (RowsReader r = new RowsReader(allocator, 0, 2, 22, values, 0);
             Loader l = loader(table, Map.of("partition_by", "p", "optimize_after_write", false))) {
            l.loadTable(r, "t", LoadMode.APPEND);
        }
        Set<String> dirs;
        try (Stream<Path> s = Files.list(table)) {
            dirs = s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("_delta_log"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(dirs).isEqualTo(new TreeSet<>(expectedDirs.values()));

        // Every row reads back with its value (an empty string is a null partition value in Delta, as in Spark).
        for (Map<String, Object> row : DeltaTables.rows(table)) {
            String p = values.get((int) ((Long) row.get("id") % values.size()));
            assertThat(row.get("p")).isEqualTo("".equals(p) ? null : p);
        }
        // The log: raw values in partitionValues, each add's path the URI-encoded form of the file on disk.
        for (Row f : TableMaintenance.scanFiles(DeltaTables.ENGINE, DeltaTables.snapshot(table))) {
            String value = KernelActions.partitionValues(f).get("p");
            Path file = FailedLoadCleanupTest.local(KernelActions.fileStatus(f).getPath());
            assertThat(file).exists();
            assertThat(file.getParent().getFileName().toString()).isEqualTo(expectedDirs.get(value));
            assertThat(value).isNotEqualTo("");
        }
        String log = Files.readString(table.resolve("_delta_log").resolve(String.format("%020d.json", 0)),
                StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\"path\":\"([^\"]+)\"").matcher(log);
        Map<String, Integer> adds = new TreeMap<>();
        while (m.find()) {
            String relative = m.group(1);
            Path onDisk = table.resolve(URI.create(relative).getPath());
            assertThat(onDisk).exists();
            adds.merge(table.relativize(onDisk).getName(0).toString(), 1, Integer::sum);
        }
        assertThat(adds.keySet()).isEqualTo(new TreeSet<>(expectedDirs.values()));
        assertThat(log).contains("\"path\":\"p=a%252Fb/").contains("\"path\":\"p=100%2525/");

        // A second load and a compaction (Kernel's writer) write into the same directories.
        try (RowsReader r = new RowsReader(allocator, 1000, 1, 22, values, 0);
             Loader l = loader(table, Map.of("optimize_after_write", false))) {
            l.loadTable(r, "t", LoadMode.APPEND);
            assertThat(((DeltaLoader) l).optimize().committed()).isTrue();
        }
        Set<String> after;
        try (Stream<Path> s = Files.list(table)) {
            after = s.map(f -> f.getFileName().toString()).filter(n -> !n.equals("_delta_log"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(after).isEqualTo(dirs);
        List<Map<String, Object>> rows = DeltaTables.rows(table);
        assertThat(rows).hasSize(66);
        for (Map<String, Object> row : rows) {
            String p = values.get((int) ((Long) row.get("id") % values.size()));
            assertThat(row.get("p")).isEqualTo("".equals(p) ? null : p);
        }
        for (Row f : TableMaintenance.scanFiles(DeltaTables.ENGINE, DeltaTables.snapshot(table))) {
            Path file = FailedLoadCleanupTest.local(KernelActions.fileStatus(f).getPath());
            assertThat(file).exists();
            assertThat(file.getParent().getFileName().toString())
                    .isEqualTo(expectedDirs.get(KernelActions.partitionValues(f).get("p")));
        }
    }

    private void loadOneRow(Path table, Schema schema, Map<String, Object> options) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             Loader l = loader(table, new HashMap<>(options))) {
            root.allocateNew();
            ((BigIntVector) root.getVector(0)).setSafe(0, 1);
            for (int i = 1; i < root.getFieldVectors().size(); i++) {
                root.getVector(i).setNull(0);
            }
            root.getFieldVectors().forEach(v -> v.setValueCount(1));
            root.setRowCount(1);
            l.loadBatch(root, "t", LoadMode.APPEND);
        }
    }
}
