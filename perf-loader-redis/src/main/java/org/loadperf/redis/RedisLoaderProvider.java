package org.loadperf.redis;

import java.util.List;
import org.loadperf.api.loader.ConfigKey;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderProvider;

/**
 * The {@code redis} loader: writes Arrow rows into Redis (one server or a Redis Cluster) as hashes, strings,
 * sorted sets, sets, lists, streams or RedisJSON documents, pipelined. The configuration keys are those of
 * {@link #configKeys()}; the value encoding is described in the module's README and on the loader class.
 */
public final class RedisLoaderProvider implements LoaderProvider {

    /** The loader type. */
    public static final String TYPE = "redis";

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public RedisLoaderProvider() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<ConfigKey<?>> configKeys() {
        return RedisLoaderConfig.KEYS;
    }

    @Override
    public Loader create(LoaderConfig config) {
        return RedisLoader.open(RedisLoaderConfig.from(config));
    }

    @Override
    public String description() {
        return "Redis loader: pipelined, binary-safe writes of Arrow rows as hash/string/sorted_set/set/list/stream/json";
    }
}
