package org.loadperf.api.loader;

import java.util.List;
import org.loadperf.api.annotation.Api;

/**
 * Makes {@link Loader}s of one type. Found through {@link java.util.ServiceLoader}: a loader module lists its
 * provider in {@code META-INF/services/org.loadperf.api.loader.LoaderProvider}.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface LoaderProvider {

    /** The loader type, unique among providers, e.g. {@code postgresql}. */
    String type();

    /** Every configuration key the loader accepts, with its default and description. */
    List<ConfigKey<?>> configKeys();

    /**
     * A new loader.
     *
     * @throws LoaderException when a key is unknown or a value bad (naming the key), or the store unreachable
     */
    Loader create(LoaderConfig config);

    /** The name benchmarks record this loader under; the type unless the guide used another. */
    default String benchmarkName() {
        return type();
    }

    /** One line about the loader, for listings. */
    default String description() {
        return type() + " loader";
    }
}
