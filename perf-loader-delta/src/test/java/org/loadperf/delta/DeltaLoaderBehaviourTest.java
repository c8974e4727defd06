package org.loadperf.delta;

import static org.loadperf.delta.DeltaTables.loader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
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
import org.loadperf.api.loader.LoaderProvider;
import org.loadperf.core.dataset.PerfDatasets;
import org.slf4j.LoggerFactory;

class DeltaLoaderBehaviourTest {

    @RegisterExtension
    final TestAllocator allocator = new TestAllocator();


    @Test
    void providerIsFoundThroughServiceLoaderAndRecordsUnderDeltaLake() {
        LoaderProvider p = ServiceLoader.load(LoaderProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(x -> x.type().equals("deltalake")).findFirst().orElseThrow();
        assertThat(p).isInstanceOf(DeltaLoaderProvider.class);
        assertThat(p.benchmarkName()).isEqualTo("delta_lake");
        assertThat(p.configKeys()).extracting(k -> k.name()).containsExactly("table_path", "storage_options",
                "partition_by", "optimize_after_write", "vacuum_after_write", "vacuum_retention_hours",
                "schema_evolution", "merge_schema", "target_file_size", "max_rows_per_file", "row_group_size", "compression",
                "batch_size", "parallelism");
        assertThatThrownBy(() -> p.create(LoaderConfig.of(Map.of("table_path", "/x", "bogus", 1))))
                .isInstanceOf(LoaderException.class).hasMessageContaining("unknown key 'bogus'");
    }

    @Test
    void storageOptionValuesNeverReachTheLog() {
        Logger logger = (Logger) LoggerFactory.getLogger(DeltaLoader.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.DEBUG); // the loader's own line is at DEBUG
        try (Loader loader = loader(DeltaTables.freshDir("secret"), Map.of("storage_options",
                Map.of("fs.azure.account.key.acct.dfs.core.windows.net", "hunter2-account-key",
                        "fs.s3a.secret.key", "s3-secret-value")))) {
            assertThat(loader.type()).isEqualTo("deltalake");
        } finally {
            logger.setLevel(level);
            logger.detachAppender(appender);
        }
        String logged = appender.list.stream().map(ILoggingEvent::getFormattedMessage)
                .collect(Collectors.joining("\n"));
        assertThat(logged).contains("fs.s3a.secret.key").doesNotContain("hunter2").doesNotContain("s3-secret-value");
    }

    @Test
    void moreThanSixtyFourPartitionsAreWrittenCorrectly() throws Exception {
        Path table = appended("many-partitions", 3000, 1000, Map.of("partition_by", "category",
                "optimize_after_write", false));
        List<Map<String, Object>> rows = DeltaTables.rows(table);
        assertThat(rows).hasSize(3000);
        for (Map<String, Object> r : rows) {
            assertThat(r.get("category")).isEqualTo("cat_" + ((Long) r.get("id") % 100));
        }
        try (var dirs = Files.list(table)) {
            assertThat(dirs.filter(d -> d.getFileName().toString().startsWith("category=")).count()).isEqualTo(100);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"snappy", "zstd", "uncompressed"})
    void compressionIsTheConfiguredCodec(String codec) throws Exception {
        Path table = appended("codec-" + codec, 500, 500, Map.of("compression", codec));
        assertThat(rowGroups(DeltaTables.dataFiles(table).get(0)).get(0).getColumns())
                .allSatisfy(c -> assertThat(c.getCodec().name()).isEqualTo(codec.toUpperCase(java.util.Locale.ROOT)));
    }

    /** A new table in {@code dir} holding {@code rows} of the guide's rows, appended by a loader with {@code config}. */
    private Path appended(String dir, int rows, int batch, Map<String, Object> config) throws Exception {
        Path table = DeltaTables.freshDir(dir);
        try (ArrowReader reader = PerfDatasets.performance(allocator, rows, batch);
             Loader loader = loader(table, config)) {
            loader.loadTable(reader, "t", LoadMode.APPEND);
        }
        return table;
    }

    /** The row groups of a data file, from its footer. */
    private static List<org.apache.parquet.hadoop.metadata.BlockMetaData> rowGroups(Path file) throws Exception {
        try (org.apache.parquet.hadoop.ParquetFileReader r = org.apache.parquet.hadoop.ParquetFileReader.open(
                org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                        new org.apache.hadoop.fs.Path(file.toUri()), new org.apache.hadoop.conf.Configuration()))) {
            return r.getFooter().getBlocks();
        }
    }

    @Test
    void rowGroupsFlushAtRowGroupSizeSoALoadHoldsNoMoreThanThat() throws Exception {
        Path table = appended("row-groups", 50_000, 10_000, Map.of("row_group_size", "256KB",
                "optimize_after_write", false));
        List<Path> files = DeltaTables.dataFiles(table);
        assertThat(files).hasSize(1);
        List<org.apache.parquet.hadoop.metadata.BlockMetaData> groups = rowGroups(files.get(0));
        assertThat(groups).hasSizeGreaterThan(1);
        assertThat(groups.stream().mapToLong(org.apache.parquet.hadoop.metadata.BlockMetaData::getRowCount).sum())
                .isEqualTo(50_000);
        // parquet-mr's check: the buffered size may pass the limit by the rows between two checks, not by more
        assertThat(groups).allSatisfy(g -> assertThat(g.getCompressedSize()).isLessThan(2 * 256 * 1024));
    }

    @Test
    void checkpointIsWrittenByThePostCommitHook() throws Exception {
        Path table = DeltaTables.freshDir("checkpoint");
        LoadResult last = null;
        try (Loader loader = loader(table, Map.of("optimize_after_write", false))) {
            for (int i = 0; i < 11; i++) {
                try (ArrowReader reader = PerfDatasets.performance(allocator, 10, 10)) {
                    last = loader.loadTable(reader, "c", LoadMode.APPEND);
                }
            }
        }
        assertThat(last.metadata().get("post_commit_hooks").toString()).contains("CHECKPOINT");
        assertThat(table.resolve("_delta_log").resolve(String.format("%020d.checkpoint.parquet", 10))).exists();
        assertThat(DeltaTables.rows(table)).hasSize(110);
    }

    @Test
    void loadBatchWritesOneBatchAndMissingNullableColumnsReadAsNull() throws Exception {
        Path table = DeltaTables.freshDir("batch");
        Schema full = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("name", ArrowType.Utf8.INSTANCE)));
        try (VectorSchemaRoot root = VectorSchemaRoot.create(full, allocator);
             Loader loader = loader(table, Map.of())) {
            ((BigIntVector) root.getVector(0)).allocateNew(2);
            ((BigIntVector) root.getVector(0)).set(0, 1);
            ((BigIntVector) root.getVector(0)).set(1, 2);
            ((VarCharVector) root.getVector(1)).allocateNew(2);
            ((VarCharVector) root.getVector(1)).set(0, "a".getBytes(StandardCharsets.UTF_8));
            ((VarCharVector) root.getVector(1)).setNull(1);
            root.setRowCount(2);
            assertThat(loader.loadBatch(root, "b", LoadMode.APPEND).rowsLoaded()).isEqualTo(2);
        }
        Schema idOnly = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true))));
        try (VectorSchemaRoot root = VectorSchemaRoot.create(idOnly, allocator);
             Loader loader = loader(table, Map.of())) {
            ((BigIntVector) root.getVector(0)).allocateNew(1);
            ((BigIntVector) root.getVector(0)).set(0, 3);
            root.setRowCount(1);
            loader.loadBatch(root, "b", LoadMode.APPEND);
        }
        Map<Long, Object> names = new HashMap<>();
        DeltaTables.rows(table).forEach(r -> names.put((Long) r.get("id"), r.get("name")));
        assertThat(names).containsEntry(1L, "a").containsEntry(2L, null).containsEntry(3L, null).hasSize(3);
    }

    @Test
    void nullsInANotNullColumnFailNamingColumnAndRow() throws Exception {
        Path table = DeltaTables.freshDir("notnull");
        Schema schema = new Schema(List.of(Field.notNullable("id", new ArrowType.Int(64, true))));
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             Loader loader = loader(table, Map.of())) {
            BigIntVector id = (BigIntVector) root.getVector(0);
            id.allocateNew(3);
            id.set(0, 1);
            id.set(1, 2);
            id.set(2, 3);
            root.setRowCount(3);
            loader.loadBatch(root, "n", LoadMode.APPEND);
            id.setNull(1);
            assertThatThrownBy(() -> loader.loadBatch(root, "n", LoadMode.APPEND))
                    .isInstanceOf(LoaderException.class).hasMessageContaining("'id'").hasMessageContaining("row 1")
                    .hasMessageContaining("nothing was committed");
        }
        assertThat(DeltaTables.rows(table)).hasSize(3);
        assertThat(DeltaTables.snapshot(table).getSchema().get("id").isNullable()).isFalse();
    }

    @Test
    void typeMismatchAndPartitionMismatchFailNamingTheColumn() throws Exception {
        Path table = DeltaTables.freshDir("mismatch");
        try (ArrowReader reader = PerfDatasets.performance(allocator, 10, 10);
             Loader loader = loader(table, Map.of("partition_by", "year"))) {
            loader.loadTable(reader, "t", LoadMode.APPEND);
        }
        Schema wrong = new Schema(List.of(Field.nullable("id", ArrowType.Utf8.INSTANCE)));
        try (VectorSchemaRoot root = VectorSchemaRoot.create(wrong, allocator);
             Loader loader = loader(table, Map.of())) {
            root.allocateNew();
            root.setRowCount(0);
            assertThatThrownBy(() -> loader.loadBatch(root, "t", LoadMode.APPEND))
                    .hasMessageContaining("Column 'id'").hasMessageContaining("string");
        }
        try (ArrowReader reader = PerfDatasets.performance(allocator, 10, 10);
             Loader loader = loader(table, Map.of("partition_by", "month"))) {
            assertThatThrownBy(() -> loader.loadTable(reader, "t", LoadMode.APPEND))
                    .hasMessageContaining("partition_by [month]").hasMessageContaining("[year]");
        }
        assertThat(DeltaTables.version(table)).isZero();
    }
}
