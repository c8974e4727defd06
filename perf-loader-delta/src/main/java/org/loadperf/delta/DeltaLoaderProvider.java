package org.loadperf.delta;

import java.util.List;
import org.loadperf.api.loader.ConfigKey;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderProvider;

/**
 * Writes Arrow data as a Delta Lake table through Delta Kernel (loader type {@code deltalake}; benchmarks are
 * recorded under {@code delta_lake}, as in the guide). Found through {@link java.util.ServiceLoader}.
 */
public final class DeltaLoaderProvider implements LoaderProvider {

    /** The loader type. */
    public static final String TYPE = "deltalake";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<ConfigKey<?>> configKeys() {
        return DeltaLoaderConfig.KEYS;
    }

    @Override
    public Loader create(LoaderConfig config) {
        return new DeltaLoader(DeltaLoaderConfig.from(config));
    }

    @Override
    public String benchmarkName() {
        return "delta_lake";
    }

    @Override
    public String description() {
        return "Delta Lake tables on any Hadoop FileSystem, written through Delta Kernel";
    }
}
