package org.loadperf.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.api.loader.LoaderProvider;
import org.loadperf.core.Loaders;
import org.loadperf.core.PerfSettings;

/**
 * Every loader {@link Loaders} finds on the class path, configured for this machine, for the cross-loader suite.
 * Known types get their servers or directories (PostgreSQL and Redis from {@code POSTGRES_*} / {@code REDIS_*},
 * else the embedded test servers; Delta Lake and CSV in a work directory); an unknown type is tried with an empty
 * configuration and skipped, with the reason printed, when that is not enough.
 */
final class ComparedLoaders implements AutoCloseable {

    /** One loader under comparison. */
    record Target(String type, String benchmarkName, Loader loader) {

        /**
         * Empties {@code table} by overwriting it with no rows (not measured), so that the measured load is a plain
         * append into an empty table for every loader alike.
         */
        void clear(String table, Schema schema, BufferAllocator allocator) {
            try (VectorSchemaRoot empty = VectorSchemaRoot.create(schema, allocator)) {
                empty.allocateNew();
                empty.setRowCount(0);
                loader.loadBatch(empty, table, LoadMode.OVERWRITE);
            }
        }
    }

    private final List<Target> targets;
    private final Map<String, String> skipped;

    private ComparedLoaders(List<Target> targets, Map<String, String> skipped) {
        this.targets = targets;
        this.skipped = skipped;
    }

    static ComparedLoaders discover(Path work, PerfSettings settings) {
        List<Target> targets = new ArrayList<>();
        Map<String, String> skipped = new LinkedHashMap<>();
        for (Map.Entry<String, LoaderProvider> e : Loaders.providers().entrySet()) {
            String type = e.getKey();
            try {
                LoaderConfig config = configFor(type, work, settings);
                targets.add(new Target(type, e.getValue().benchmarkName(), e.getValue().create(config)));
            } catch (LoaderException | IllegalStateException ex) {
                skipped.put(type, ex.getMessage());
            }
        }
        return new ComparedLoaders(List.copyOf(targets), skipped);
    }

    private static LoaderConfig configFor(String type, Path work, PerfSettings settings) {
        return switch (type) {
            case "csv" -> LoaderConfig.of(Map.of("directory", work.resolve("csv").toString()));
            case "postgresql" -> LoaderConfig.of(TestServers.postgres(settings));
            case "redis" -> LoaderConfig.of(TestServers.redis(settings));
            case "deltalake" -> LoaderConfig.of(Map.of("table_path", work.resolve("delta").toUri().toString()));
            default -> LoaderConfig.empty();
        };
    }

    List<Target> targets() {
        return targets;
    }

    /** Loader types that could not be configured here, with the reason. */
    Map<String, String> skipped() {
        return skipped;
    }

    @Override
    public void close() {
        targets.forEach(t -> t.loader().close());
    }
}
