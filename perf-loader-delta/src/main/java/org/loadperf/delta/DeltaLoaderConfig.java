package org.loadperf.delta;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.loadperf.api.loader.ConfigKey;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.api.loader.Secrets;

/**
 * The Delta Lake loader's configuration: every key declared once with its default and description, validated at
 * creation (unknown key, missing {@code table_path} or bad value fails naming the key).
 */
final class DeltaLoaderConfig {

    static final ConfigKey<String> TABLE_PATH = ConfigKey.string("table_path", null,
            "Where the Delta table lives: a local path or any Hadoop FileSystem URI (file:, hdfs:, s3a: with the "
                    + "matching Hadoop module on the class path)").required();
    static final ConfigKey<Map<String, String>> STORAGE_OPTIONS = ConfigKey.map("storage_options",
            "Hadoop configuration entries for the table's FileSystem (credentials, endpoints, ...); values whose "
                    + "key names a secret are never logged");
    static final ConfigKey<List<String>> PARTITION_BY = ConfigKey.list("partition_by", List.of(),
            "Columns to partition a new table by (col=value directories); must match an existing table's");
    static final ConfigKey<Boolean> OPTIMIZE_AFTER_WRITE = ConfigKey.bool("optimize_after_write", true,
            "After each load, compact files smaller than target_file_size, per partition, into files of about "
                    + "target_file_size, committed as a rearrangement (dataChange=false)");
    static final ConfigKey<Boolean> VACUUM_AFTER_WRITE = ConfigKey.bool("vacuum_after_write", false,
            "After each load, delete data files no version within the retention references");
    static final ConfigKey<Integer> VACUUM_RETENTION_HOURS = ConfigKey.integer("vacuum_retention_hours", 168, 0,
            100_000, "Files removed from the table (or never committed) less than this many hours ago are kept");
    static final ConfigKey<Boolean> SCHEMA_EVOLUTION = ConfigKey.bool("schema_evolution", true,
            "Allow a load whose data has new nullable columns to widen the table schema");
    static final ConfigKey<Boolean> MERGE_SCHEMA = ConfigKey.bool("merge_schema", true,
            "Alias of schema_evolution kept from the guide; both must be true for a schema change");
    static final ConfigKey<Long> TARGET_FILE_SIZE = ConfigKey.size("target_file_size", 128L * 1024 * 1024,
            1024, Long.MAX_VALUE, "Roll to a new data file when the current one reaches this size (bytes, or "
                    + "128MB); also the size compaction aims at");
    static final ConfigKey<Long> MAX_ROWS_PER_FILE = ConfigKey.size("max_rows_per_file", null, 1,
            Long.MAX_VALUE, "Roll to a new data file after this many rows (unlimited when not given)");
    static final ConfigKey<Long> ROW_GROUP_SIZE = ConfigKey.size("row_group_size", 4L * 1024 * 1024, 1024,
            Long.MAX_VALUE, "Flush a Parquet row group when its buffered pages reach this size (bytes, or 4MB): "
                    + "what a load holds in memory, whatever its rows (parquet-mr's 128MB made a 1M-row load "
                    + "hold 3x what a 100k-row one did)");
    static final ConfigKey<String> COMPRESSION = ConfigKey.string("compression", "snappy",
            "Parquet codec of the data files: snappy, zstd or uncompressed");
    static final ConfigKey<Integer> BATCH_SIZE = ConfigKey.integer("batch_size", 10_000, 1, 10_000_000,
            "Rows handed to the Parquet writer at a time: loadTable re-chunks larger source batches to this");
    static final ConfigKey<Integer> PARALLELISM = ConfigKey.integer("parallelism", 1, 1, 64,
            "Data files written at once: each batch's rows are split into this many ranges of at least 1,024 rows, "
                    + "written by as many threads into files of their own and committed together in one version; "
                    + "each thread holds a row group of its own (memory grows with it)");

    static final List<ConfigKey<?>> KEYS = List.of(TABLE_PATH, STORAGE_OPTIONS, PARTITION_BY, OPTIMIZE_AFTER_WRITE,
            VACUUM_AFTER_WRITE, VACUUM_RETENTION_HOURS, SCHEMA_EVOLUTION, MERGE_SCHEMA, TARGET_FILE_SIZE,
            MAX_ROWS_PER_FILE, ROW_GROUP_SIZE, COMPRESSION, BATCH_SIZE, PARALLELISM);

    private static final List<String> CODECS = List.of("snappy", "zstd", "uncompressed");

    final String tablePath;
    final Map<String, String> storageOptions;
    final List<String> partitionBy;
    final boolean optimizeAfterWrite;
    final boolean vacuumAfterWrite;
    final int vacuumRetentionHours;
    final boolean schemaEvolution;
    final long targetFileSize;
    final OptionalLong maxRowsPerFile;
    final long rowGroupSize;
    final String compression;
    final int batchSize;
    final int parallelism;
    /** The secret-named storage_options values, kept out of every message. */
    final Secrets secrets;

    private DeltaLoaderConfig(LoaderConfig config) {
        tablePath = config.get(TABLE_PATH).trim();
        storageOptions = config.get(STORAGE_OPTIONS);
        partitionBy = config.get(PARTITION_BY);
        optimizeAfterWrite = config.get(OPTIMIZE_AFTER_WRITE);
        vacuumAfterWrite = config.get(VACUUM_AFTER_WRITE);
        vacuumRetentionHours = config.get(VACUUM_RETENTION_HOURS);
        schemaEvolution = config.get(SCHEMA_EVOLUTION) && config.get(MERGE_SCHEMA);
        targetFileSize = config.get(TARGET_FILE_SIZE);
        Optional<Long> maxRows = config.find(MAX_ROWS_PER_FILE);
        maxRowsPerFile = maxRows.isPresent() ? OptionalLong.of(maxRows.get()) : OptionalLong.empty();
        rowGroupSize = config.get(ROW_GROUP_SIZE);
        compression = config.get(COMPRESSION).trim().toLowerCase(Locale.ROOT);
        batchSize = config.get(BATCH_SIZE);
        parallelism = config.get(PARALLELISM);
        secrets = Secrets.of(config, KEYS);
    }

    /**
     * Validates {@code config} against {@link #KEYS} and the cross-key rules.
     *
     * @throws LoaderException naming every bad key at once
     */
    static DeltaLoaderConfig from(LoaderConfig config) {
        config.validate("DeltaLakeLoader", KEYS);
        DeltaLoaderConfig c = new DeltaLoaderConfig(config);
        StringBuilder problems = new StringBuilder();
        if (c.tablePath.isEmpty()) {
            problems.append("'table_path': must not be empty; ");
        } else if (c.tablePath.matches("(?s)[A-Za-z][A-Za-z0-9+.-]*://[^/]*@.*")) {
            // The path is named in every message and log line: credentials in it would travel with it.
            problems.append("'table_path': credentials in the URI (user-info before '@', not shown) are not "
                    + "supported; give them in storage_options (e.g. fs.s3a.access.key, fs.s3a.secret.key); ");
        }
        if (!CODECS.contains(c.compression)) {
            problems.append("'compression': must be one of ").append(String.join(", ", CODECS)).append(", got '")
                    .append(c.compression).append("'; ");
        }
        if (c.storageOptions.containsKey("parquet.block.size")) {
            problems.append("'storage_options': parquet.block.size is the row group size: give it as "
                    + "row_group_size; ");
        }
        if (c.partitionBy.stream().anyMatch(String::isBlank)) {
            problems.append("'partition_by': column names must not be blank; ");
        } else if (c.partitionBy.stream().distinct().count() != c.partitionBy.size()) {
            problems.append("'partition_by': a column is listed twice: ").append(c.partitionBy).append("; ");
        }
        if (problems.length() > 0) {
            problems.setLength(problems.length() - 2);
            throw new LoaderException("Invalid DeltaLakeLoader configuration: " + problems);
        }
        return c;
    }

    /** The Parquet codec name as parquet-mr's {@code parquet.compression} expects it. */
    String parquetCodec() {
        return compression.toUpperCase(Locale.ROOT);
    }
}
