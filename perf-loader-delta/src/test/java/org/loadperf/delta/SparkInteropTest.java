package org.loadperf.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.loadperf.delta.DeltaTables.loader;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;

/**
 * Apache Spark (local mode, delta-spark) reads the tables the loader writes and the loader appends to tables Spark
 * made. Run with {@code -Pspark-interop}, which brings Spark onto the test classpath.
 */
@Tag("spark")
class SparkInteropTest {

    private static SparkSession spark;
    private BufferAllocator allocator;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("loadperf-spark-interop")
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                // Small tables: a few tasks, not Delta's 50 snapshot partitions and VACUUM's 10,000 listing tasks.
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.databricks.delta.snapshotPartitions", "2")
                .config("spark.sql.sources.parallelPartitionDiscovery.parallelism", "2")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.datetime.java8API.enabled", "true")
                .config("spark.sql.warehouse.dir", DeltaTables.freshDir("spark-warehouse").toUri().toString())
                // VACUUM with a retention below 7 days, so the test sees files go.
                .config("spark.databricks.delta.retentionDurationCheck.enabled", "false")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void tearDown() {
        allocator.close();
    }

    private static String ref(Path table) {
        return "delta.`" + table + "`";
    }

    /** Every row Spark reads from {@code table}, as {@link DeltaTables#value} represents values. */
    static List<Map<String, Object>> sparkRows(Path table) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : spark.read().format("delta").load(table.toString()).collectAsList()) {
            out.add(struct(r));
        }
        return out;
    }

    private static Map<String, Object> struct(Row r) {
        Map<String, Object> m = new LinkedHashMap<>();
        String[] names = r.schema().fieldNames();
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], plain(r.get(i)));
        }
        return m;
    }

    private static Object plain(Object v) {
        if (v == null) {
            return null;
        } else if (v instanceof Row row) {
            return struct(row);
        } else if (v instanceof LocalDate d) {
            return (int) d.toEpochDay();
        } else if (v instanceof Instant t) {
            return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
        } else if (v instanceof LocalDateTime t) {
            return plain(t.toInstant(ZoneOffset.UTC));
        } else if (v instanceof byte[] b) {
            return Arrays.toString(b);
        } else if (v instanceof scala.collection.Map<?, ?> sm) {
            Map<Object, Object> m = new LinkedHashMap<>();
            scala.jdk.javaapi.CollectionConverters.asJava(sm).forEach((k, x) -> m.put(plain(k), plain(x)));
            return m;
        } else if (v instanceof scala.collection.Seq<?> seq) {
            List<Object> l = new ArrayList<>();
            scala.jdk.javaapi.CollectionConverters.asJava(seq).forEach(x -> l.add(plain(x)));
            return l;
        } else if (v instanceof BigDecimal || v instanceof Number || v instanceof String || v instanceof Boolean) {
            return v;
        }
        throw new IllegalArgumentException("unexpected Spark value " + v.getClass() + ": " + v);
    }

    private static List<Map<String, Object>> sorted(List<Map<String, Object>> rows, String key) {
        List<Map<String, Object>> copy = new ArrayList<>(rows);
        copy.sort(Comparator.comparing(r -> String.valueOf(r.get(key))));
        return copy;
    }

    private static List<Row> history(Path table) {
        return spark.sql("DESCRIBE HISTORY " + ref(table)).collectAsList();
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 42L, 20240601L})
    void sparkReadsEveryTypeAsLoaded(long seed) throws Exception {
        Path table = DeltaTables.freshDir("spark-types");
        RandomArrowData data = new RandomArrowData(seed, RandomArrowData.KINDS.length + 3);
        String key = data.schema.getFields().get(3).getName(); // int64: unique with overwhelming probability
        List<Map<String, Object>> expected;
        try (GeneratedReader reader = new GeneratedReader(allocator, data, 3, 400);
             Loader loader = loader(table, Map.of("batch_size", 500, "optimize_after_write", false))) {
            loader.loadTable(reader, "t", LoadMode.APPEND);
            expected = reader.expected();
        }
        assertThat(sorted(sparkRows(table), key)).isEqualTo(sorted(expected, key));
        assertThat(history(table)).hasSize(1);
    }

    @Test
    void plainAppendsAreOneCommitEachInSparksHistory() throws Exception {
        Path table = DeltaTables.freshDir("spark-appends");
        List<Map<String, Object>> expected = new ArrayList<>();
        try (Loader loader = loader(table, Map.of("optimize_after_write", false))) {
            for (int i = 0; i < 3; i++) {
                try (RowsReader reader = new RowsReader(allocator, i * 100L, 2, 50, List.of("a", "b"), 0)) {
                    expected.addAll(reader.expected());
                    loader.loadTable(reader, "t", LoadMode.APPEND);
                }
            }
        }
        assertThat(sorted(sparkRows(table), "id")).isEqualTo(sorted(expected, "id"));
        List<Row> history = history(table);
        assertThat(history).hasSize(3);
        assertThat(history.stream().map(r -> r.<Long>getAs("version")).sorted().toList()).containsExactly(0L, 1L, 2L);
    }

    @Test
    void oddPartitionValuesReadBackInSpark() throws Exception {
        Path table = DeltaTables.freshDir("spark-partitions");
        List<String> partitions = Arrays.asList("a/b", "a b", "100%", "x=y", "ünï©ødé", null, "", "a:b", "#?&");
        List<Map<String, Object>> expected = new ArrayList<>();
        try (RowsReader reader = new RowsReader(allocator, 0, 2, 90, partitions, 0);
             Loader loader = loader(table, Map.of("partition_by", "p", "optimize_after_write", false))) {
            // An empty partition value is NULL in Delta: the loader writes it as NULL, as Spark does.
            for (Map<String, Object> r : reader.expected()) {
                Map<String, Object> e = new LinkedHashMap<>(r);
                e.put("p", "".equals(r.get("p")) ? null : r.get("p"));
                expected.add(e);
            }
            loader.loadTable(reader, "t", LoadMode.APPEND);
        }
        assertThat(sorted(sparkRows(table), "id")).isEqualTo(sorted(expected, "id"));
        assertThat(sorted(DeltaTables.rows(table), "id")).isEqualTo(sorted(expected, "id"));
        // Spark itself stores an empty partition value the same way.
        Path sparkTable = DeltaTables.freshDir("spark-written-partitions");
        spark.sql("CREATE TABLE " + ref(sparkTable) + " (id BIGINT, p STRING) USING delta PARTITIONED BY (p)");
        spark.sql("INSERT INTO " + ref(sparkTable) + " VALUES (1, ''), (2, 'a/b')");
        assertThat(sorted(sparkRows(sparkTable), "id")).containsExactly(
                new LinkedHashMap<>(Map.of("id", 1L)) {{ put("p", null); }},
                new LinkedHashMap<>(Map.of("id", 2L, "p", "a/b")));
        // Partition pruning goes through the partition values in the log, not the rows.
        for (String p : partitions) {
            long n = p == null ? spark.read().format("delta").load(table.toString()).where("p IS NULL").count()
                    : spark.read().format("delta").load(table.toString())
                            .where(new org.apache.spark.sql.Column("p").equalTo(p)).count();
            String stored = "".equals(p) ? null : p;
            assertThat(n).as("rows of partition '%s'", p).isEqualTo("".equals(p) ? 0 : expected.stream()
                    .filter(r -> java.util.Objects.equals(r.get("p"), stored)).count());
        }
    }

    @Test
    void overwriteIsWhatSparkReadsAndOneCommit() throws Exception {
        Path table = DeltaTables.freshDir("spark-overwrite");
        List<Map<String, Object>> expected;
        try (Loader loader = loader(table, Map.of("optimize_after_write", false))) {
            for (int i = 0; i < 2; i++) {
                try (RowsReader reader = new RowsReader(allocator, i * 100L, 1, 100, List.of("a"), 0)) {
                    loader.loadTable(reader, "t", LoadMode.APPEND);
                }
            }
            try (RowsReader reader = new RowsReader(allocator, 1000, 1, 30, List.of("z"), 0)) {
                expected = reader.expected();
                loader.loadTable(reader, "t", LoadMode.OVERWRITE);
            }
        }
        assertThat(sorted(sparkRows(table), "id")).isEqualTo(sorted(expected, "id"));
        assertThat(history(table)).hasSize(3);
        // Time travel to before the overwrite.
        assertThat(spark.read().format("delta").option("versionAsOf", 1).load(table.toString()).count())
                .isEqualTo(200);
    }

    @Test
    void schemaEvolutionIsReadBySparkWithNullsInTheOldRows() throws Exception {
        Path table = DeltaTables.freshDir("spark-evolution");
        List<Map<String, Object>> expected = new ArrayList<>();
        try (Loader loader = loader(table, Map.of("optimize_after_write", false))) {
            try (RowsReader reader = new RowsReader(allocator, 0, 1, 40, List.of("a"), 0)) {
                loader.loadTable(reader, "t", LoadMode.APPEND);
                for (Map<String, Object> r : reader.expected()) {
                    Map<String, Object> wide = new LinkedHashMap<>(r);
                    wide.put("extra", null);
                    expected.add(wide);
                }
            }
            try (RowsReader reader = new RowsReader(allocator, 100, 1, 40, List.of("b"), 0, List.of("extra"),
                    i -> { })) {
                loader.loadTable(reader, "t", LoadMode.APPEND);
                expected.addAll(reader.expected());
            }
        }
        assertThat(sorted(sparkRows(table), "id")).isEqualTo(sorted(expected, "id"));
        assertThat(history(table)).hasSize(2);
    }

    @Test
    void compactedAndVacuumedTablesAreReadAndSparkMaintainsThem() throws Exception {
        Path table = DeltaTables.freshDir("spark-compaction");
        List<Map<String, Object>> expected = new ArrayList<>();
        try (Loader loader = loader(table, Map.of("optimize_after_write", false, "partition_by", "p"))) {
            for (int i = 0; i < 4; i++) {
                try (RowsReader reader = new RowsReader(allocator, i * 100L, 1, 60, List.of("a", "b/c"), 0)) {
                    loader.loadTable(reader, "t", LoadMode.APPEND);
                    expected.addAll(reader.expected());
                }
            }
        }
        try (Loader loader = loader(table, Map.of("optimize_after_write", true, "vacuum_after_write", true,
                "vacuum_retention_hours", 0, "partition_by", "p"));
             RowsReader reader = new RowsReader(allocator, 900, 1, 60, List.of("a", "b/c"), 0)) {
            loader.loadTable(reader, "t", LoadMode.APPEND);
            expected.addAll(reader.expected());
        }
        assertThat(DeltaTables.liveFiles(table)).isEqualTo(2);
        assertThat(sorted(sparkRows(table), "id")).isEqualTo(sorted(expected, "id"));

        // Spark's own maintenance accepts the table and changes no row.
        try (RowsReader reader = new RowsReader(allocator, 2000, 1, 60, List.of("a", "b/c"), 0);
             Loader loader = loader(table, Map.of("optimize_after_write", false, "partition_by", "p"))) {
            loader.loadTable(reader, "t", LoadMode.APPEND);
            expected.addAll(reader.expected());
        }
        spark.sql("OPTIMIZE " + ref(table)).collectAsList();
        spark.sql("VACUUM " + ref(table) + " RETAIN 0 HOURS").collectAsList();
        assertThat(DeltaTables.liveFiles(table)).isEqualTo(2);
        assertThat(DeltaTables.dataFiles(table)).hasSize(2);
        assertThat(sorted(sparkRows(table), "id")).isEqualTo(sorted(expected, "id"));
        // Kernel (and so the loader) reads what Spark's OPTIMIZE wrote.
        assertThat(sorted(DeltaTables.rows(table), "id")).isEqualTo(sorted(expected, "id"));
    }

    @Test
    void sparkReadsPastTheLoadersCheckpoint() throws Exception {
        Path table = DeltaTables.freshDir("spark-checkpoint");
        List<Map<String, Object>> expected = new ArrayList<>();
        try (Loader loader = loader(table, Map.of("optimize_after_write", false))) {
            for (int i = 0; i < 13; i++) {
                try (RowsReader reader = new RowsReader(allocator, i * 10L, 1, 10, List.of("a"), 0)) {
                    loader.loadTable(reader, "t", LoadMode.APPEND);
                    expected.addAll(reader.expected());
                }
            }
        }
        assertThat(table.resolve("_delta_log").resolve("_last_checkpoint")).exists();
        assertThat(sorted(sparkRows(table), "id")).isEqualTo(sorted(expected, "id"));
        assertThat(history(table)).hasSize(13);
    }

    @Test
    void theLoaderAppendsToATableSparkCreated() throws Exception {
        Path table = DeltaTables.freshDir("spark-created");
        spark.sql("CREATE TABLE " + ref(table) + " (id BIGINT NOT NULL, p STRING, v STRING) USING delta"
                + " PARTITIONED BY (p)");
        spark.sql("INSERT INTO " + ref(table) + " VALUES (-1, 'a', 'spark'), (-2, 'a/b', 'spark')");
        List<Map<String, Object>> expected = new ArrayList<>(List.of(
                new LinkedHashMap<>(Map.of("id", -1L, "p", "a", "v", "spark")),
                new LinkedHashMap<>(Map.of("id", -2L, "p", "a/b", "v", "spark"))));
        try (RowsReader reader = new RowsReader(allocator, 0, 2, 20, List.of("a", "a/b", "c d"), 0);
             Loader loader = loader(table, Map.of("partition_by", "p", "optimize_after_write", false))) {
            loader.loadTable(reader, "t", LoadMode.APPEND);
            expected.addAll(reader.expected());
        }
        assertThat(sorted(sparkRows(table), "id")).isEqualTo(sorted(expected, "id"));
        assertThat(history(table)).hasSize(3);
    }

    @Test
    void theLoaderAppendsToASparkTableWithDeletionVectorsThatSparkDeletedFrom() throws Exception {
        Path table = DeltaTables.freshDir("spark-dv");
        spark.sql("CREATE TABLE " + ref(table) + " (id BIGINT NOT NULL, p STRING, v STRING) USING delta"
                + " TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')");
        spark.sql("INSERT INTO " + ref(table) + " VALUES (-1, 'a', 'spark'), (-2, 'b', 'spark'), (-3, 'c', 'x')");
        spark.sql("DELETE FROM " + ref(table) + " WHERE id = -3");
        List<Map<String, Object>> expected = new ArrayList<>(List.of(
                new LinkedHashMap<>(Map.of("id", -1L, "p", "a", "v", "spark")),
                new LinkedHashMap<>(Map.of("id", -2L, "p", "b", "v", "spark"))));
        try (RowsReader reader = new RowsReader(allocator, 0, 1, 20, List.of("a"), 0);
             Loader loader = loader(table, Map.of("optimize_after_write", false))) {
            loader.loadTable(reader, "t", LoadMode.APPEND);
            expected.addAll(reader.expected());
        }
        assertThat(sorted(sparkRows(table), "id")).isEqualTo(sorted(expected, "id"));
    }

    @Test
    void aSparkTableWithACheckConstraintIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path table = DeltaTables.freshDir("spark-check");
        spark.sql("CREATE TABLE " + ref(table) + " (id BIGINT NOT NULL, p STRING, v STRING) USING delta");
        spark.sql("ALTER TABLE " + ref(table) + " ADD CONSTRAINT positive CHECK (id >= 0)");
        long version = DeltaTables.version(table);
        try (RowsReader reader = new RowsReader(allocator, 0, 1, 20, List.of("a"), 0);
             Loader loader = loader(table, Map.of("optimize_after_write", false))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> loader.loadTable(reader, "t", LoadMode.APPEND))
                    .isInstanceOf(org.loadperf.api.loader.LoaderException.class)
                    .hasMessageContaining("checkConstraints");
        }
        assertThat(DeltaTables.version(table)).isEqualTo(version);
        assertThat(DeltaTables.dataFiles(table)).isEmpty();
        assertThat(sparkRows(table)).isEmpty();
    }
}
