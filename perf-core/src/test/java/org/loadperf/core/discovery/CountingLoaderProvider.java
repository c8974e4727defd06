package org.loadperf.core.discovery;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.loadperf.api.loader.ConfigKey;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.api.loader.LoaderProvider;

/** A loader defined in the tests, found through META-INF/services like any other: it counts rows. */
public class CountingLoaderProvider implements LoaderProvider {

    static final ConfigKey<Integer> BATCH_SIZE = ConfigKey.integer("batch_size", 10_000, 1, 1_000_000, "rows per batch");
    static final ConfigKey<String> PASSWORD = ConfigKey.string("password", null, "not used").secret();

    @Override
    public String type() {
        return "counting";
    }

    @Override
    public List<ConfigKey<?>> configKeys() {
        return List.of(BATCH_SIZE, PASSWORD);
    }

    @Override
    public Loader create(LoaderConfig config) {
        config.validate("CountingLoader", configKeys());
        return new Loader() {
            @Override
            public String type() {
                return "counting";
            }

            @Override
            public Set<LoadMode> supportedModes() {
                return EnumSet.of(LoadMode.APPEND);
            }

            @Override
            public LoadResult loadBatch(VectorSchemaRoot batch, String table, LoadMode mode) {
                if (mode != LoadMode.APPEND) {
                    throw new LoaderException("CountingLoader supports APPEND only, not " + mode);
                }
                return new LoadResult(batch.getRowCount(), 0, 0, table, type(), Map.of());
            }

            @Override
            public LoadResult loadTable(ArrowReader source, String table, LoadMode mode) {
                long rows = 0;
                try {
                    while (source.loadNextBatch()) {
                        rows += loadBatch(source.getVectorSchemaRoot(), table, mode).rowsLoaded();
                    }
                } catch (java.io.IOException e) {
                    throw new LoaderException("reading failed", e);
                }
                return new LoadResult(rows, 0, 0, table, type(), Map.of("batch_size", config.get(BATCH_SIZE)));
            }

            @Override
            public void close() {
            }
        };
    }
}
