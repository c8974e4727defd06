package org.loadperf.postgres;

import java.util.List;
import org.loadperf.api.loader.ConfigKey;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderProvider;

/**
 * The PostgreSQL loader (type {@code postgresql}): loads Arrow data with binary COPY over a HikariCP pool. Found
 * through {@link java.util.ServiceLoader}; its keys are listed by {@link #configKeys()}.
 */
public final class PostgresLoaderProvider implements LoaderProvider {

    /** Used by {@link java.util.ServiceLoader}. */
    public PostgresLoaderProvider() {
    }

    @Override
    public String type() {
        return PostgresLoader.TYPE;
    }

    @Override
    public List<ConfigKey<?>> configKeys() {
        return PostgresLoaderConfig.KEYS;
    }

    @Override
    public Loader create(LoaderConfig config) {
        return new PostgresLoader(PostgresLoaderConfig.from(config));
    }

    @Override
    public String description() {
        return "PostgreSQL via binary COPY (append, overwrite, upsert)";
    }
}
