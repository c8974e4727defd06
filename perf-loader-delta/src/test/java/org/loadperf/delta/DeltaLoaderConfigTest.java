package org.loadperf.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;

class DeltaLoaderConfigTest {

    @Test
    void defaults() {
        DeltaLoaderConfig c = DeltaLoaderConfig.from(LoaderConfig.of(Map.of("table_path", "/tmp/t")));
        assertThat(c.tablePath).isEqualTo("/tmp/t");
        assertThat(c.storageOptions).isEmpty();
        assertThat(c.partitionBy).isEmpty();
        assertThat(c.optimizeAfterWrite).isTrue();
        assertThat(c.vacuumAfterWrite).isFalse();
        assertThat(c.vacuumRetentionHours).isEqualTo(168);
        assertThat(c.schemaEvolution).isTrue();
        assertThat(c.targetFileSize).isEqualTo(128L * 1024 * 1024);
        assertThat(c.maxRowsPerFile).isEmpty();
        assertThat(c.rowGroupSize).isEqualTo(4L * 1024 * 1024);
        assertThat(c.compression).isEqualTo("snappy");
        assertThat(c.parquetCodec()).isEqualTo("SNAPPY");
        assertThat(c.batchSize).isEqualTo(10_000);
    }

    @Test
    void fullExplicitMapping() {
        DeltaLoaderConfig c = DeltaLoaderConfig.from(LoaderConfig.of(Map.ofEntries(
                Map.entry("table_path", "file:///data/t"),
                Map.entry("storage_options", "fs.s3a.endpoint=http://x,fs.s3a.secret.key=abc"),
                Map.entry("partition_by", "year, month"),
                Map.entry("optimize_after_write", "false"),
                Map.entry("vacuum_after_write", true),
                Map.entry("vacuum_retention_hours", "0"),
                Map.entry("schema_evolution", "yes"),
                Map.entry("merge_schema", "false"),
                Map.entry("target_file_size", "64MB"),
                Map.entry("max_rows_per_file", 5000),
                Map.entry("row_group_size", "16MB"),
                Map.entry("compression", "ZSTD"),
                Map.entry("batch_size", "2048"))));
        assertThat(c.tablePath).isEqualTo("file:///data/t");
        assertThat(c.storageOptions).containsEntry("fs.s3a.endpoint", "http://x").hasSize(2);
        assertThat(c.partitionBy).isEqualTo(List.of("year", "month"));
        assertThat(c.optimizeAfterWrite).isFalse();
        assertThat(c.vacuumAfterWrite).isTrue();
        assertThat(c.vacuumRetentionHours).isZero();
        assertThat(c.schemaEvolution).as("merge_schema=false turns schema evolution off").isFalse();
        assertThat(c.targetFileSize).isEqualTo(64L * 1024 * 1024);
        assertThat(c.maxRowsPerFile).hasValue(5000);
        assertThat(c.rowGroupSize).isEqualTo(16L * 1024 * 1024);
        assertThat(c.compression).isEqualTo("zstd");
        assertThat(c.batchSize).isEqualTo(2048);
    }

    @Test
    void everyProblemIsReportedByKey() {
        assertThatThrownBy(() -> DeltaLoaderConfig.from(LoaderConfig.of(Map.of("table_pth", "/x",
                "batch_size", "0", "compression", "lz4"))))
                .isInstanceOf(LoaderException.class)
                .hasMessageContaining("unknown key 'table_pth'")
                .hasMessageContaining("'table_path' is required")
                .hasMessageContaining("'batch_size'");
        assertThatThrownBy(() -> DeltaLoaderConfig.from(LoaderConfig.of(Map.of("table_path", "/x",
                "compression", "lz4"))))
                .hasMessageContaining("'compression': must be one of snappy, zstd, uncompressed, got 'lz4'");
        assertThatThrownBy(() -> DeltaLoaderConfig.from(LoaderConfig.of(Map.of("table_path", "/x",
                "partition_by", "a,a"))))
                .hasMessageContaining("'partition_by'");
        assertThatThrownBy(() -> DeltaLoaderConfig.from(LoaderConfig.of(Map.of("table_path", "/x",
                "storage_options", "parquet.block.size=1000"))))
                .hasMessageContaining("'storage_options': parquet.block.size is the row group size")
                .hasMessageContaining("row_group_size");
        assertThatThrownBy(() -> DeltaLoaderConfig.from(LoaderConfig.of(Map.of("table_path", "/x",
                "row_group_size", "100"))))
                .hasMessageContaining("'row_group_size'");
    }
}
