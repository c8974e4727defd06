package org.loadperf.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderProvider;
import org.loadperf.core.discovery.Loaders;
import org.loadperf.core.settings.PerfSettings;

/**
 * Every loader {@link Loaders} finds on the class path, configured for this machine, for the cross-loader suite.
 * Known types get their servers or directories (PostgreSQL and Redis: the shared test servers, embedded unless
 * {@code POSTGRES_HOST} / {@code REDIS_HOST} is set; Delta Lake and CSV: a work directory); an unknown type is
 * tried with an empty configuration and skipped, with the reason printed, when that is not enough.
 */
final class ComparedLoaders implements AutoCloseable {

    /**
     * One loader type under comparison. A Delta loader is bound to one table path, so each table gets its own
     * loader; the others serve every table from one loader.
     */
    static final class Target {
        private final String type;
        private final String benchmarkName;
        private final Function<String, LoaderConfig> configForTable;
        private final boolean loaderPerTable;
        private final LoaderProvider provider;
        private final Map<String, Loader> loaders = new ConcurrentHashMap<>();

        Target(LoaderProvider provider, Function<String, LoaderConfig> configForTable, boolean loaderPerTable) {
            this.provider = provider;
            this.type = provider.type();
            this.benchmarkName = provider.benchmarkName();
            this.configForTable = configForTable;
            this.loaderPerTable = loaderPerTable;
        }

        String type() {
            return type;
        }

        /** The loader name benchmarks are recorded under (e.g. {@code delta_lake} for type {@code deltalake}). */
        String benchmarkName() {
            return benchmarkName;
        }

        /** The loader that writes {@code table}. */
        Loader loader(String table) {
            String key = loaderPerTable ? table : "";
            return loaders.computeIfAbsent(key, k -> provider.create(configForTable.apply(table)));
        }

        /**
         * A new loader for {@code table}, not kept here: for a runner that owns its lifecycle (and measures what it
         * holds from its creation).
         */
        Loader create(String table) {
            return provider.create(configForTable.apply(table));
        }

        /**
         * Empties {@code table} by overwriting it with no rows (not measured), so that the measured load is a plain
         * append into an empty table for every loader alike.
         */
        void clear(String table, Schema schema, BufferAllocator allocator) {
            clear(loader(table), table, schema, allocator);
        }

        static void clear(Loader loader, String table, Schema schema, BufferAllocator allocator) {
            try (VectorSchemaRoot empty = VectorSchemaRoot.create(schema, allocator)) {
                empty.allocateNew();
                empty.setRowCount(0);
                loader.loadBatch(empty, table, LoadMode.OVERWRITE);
            }
        }

        /**
         * Removes the tables this run created on the shared servers (PostgreSQL tables, Redis keys); files of the
         * other loaders are under the suite's temporary directory.
         */
        void drop(java.util.Collection<String> tables) {
            try {
                switch (type) {
                    case "postgresql" -> {
                        try (java.sql.Connection c = org.loadperf.postgres.PostgresTestServer.shared().connect();
                             java.sql.Statement st = c.createStatement()) {
                            for (String t : tables) {
                                st.execute("DROP TABLE IF EXISTS public.\"" + t + "\"");
                            }
                        }
                    }
                    case "redis" -> tables.forEach(t -> org.loadperf.redis.RedisTestServer.shared().deleteKeys(t + ":"));
                    default -> { }
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("Cannot drop the suite's tables " + tables + ": " + e.getMessage(), e);
            }
        }

        void close() {
            loaders.values().forEach(Loader::close);
            loaders.clear();
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
        for (LoaderProvider provider : Loaders.providers().values()) {
            Target t = switch (provider.type()) {
                case "csv" -> new Target(provider, table -> LoaderConfig.of(Map.of("directory",
                        work.resolve("csv").toString())), false);
                case "deltalake" -> new Target(provider, table -> LoaderConfig.of(Map.of("table_path",
                        work.resolve("delta").resolve(table).toString())), true);
                case "postgresql" -> new Target(provider, table -> TestServers.postgres(settings), false);
                case "redis" -> new Target(provider, table -> TestServers.redis(settings), false);
                default -> new Target(provider, table -> LoaderConfig.empty(), false);
            };
            try {
                t.loader("examples_xl_probe"); // configurable and reachable here?
                targets.add(t);
            } catch (RuntimeException e) { // e.g. LoaderException, or a test server that cannot start here
                t.close();
                skipped.put(provider.type(), e.getMessage());
            }
        }
        return new ComparedLoaders(List.copyOf(targets), skipped);
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
        targets.forEach(Target::close);
    }
}
