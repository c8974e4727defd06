package org.loadperf.core.discovery;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.api.loader.LoaderProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds loaders through {@link ServiceLoader}: every jar on the class path that lists a
 * {@link LoaderProvider} in {@code META-INF/services/org.loadperf.api.loader.LoaderProvider}.
 *
 * <p>A provider that fails to load (a typo in a service file, a missing dependency) is logged and skipped, the
 * others still load, and asking for a type that is not there names it; two providers of one type fail with both
 * class names.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class Loaders {

    private static final Logger LOG = LoggerFactory.getLogger(Loaders.class);

    private Loaders() {
    }

    /** The providers found by the context class loader, by type. */
    public static Map<String, LoaderProvider> providers() {
        return discover(Thread.currentThread().getContextClassLoader(), new ArrayList<>());
    }

    /** The providers of {@code classLoader} by type; those that failed to load are added to {@code failures}. */
    static Map<String, LoaderProvider> discover(ClassLoader classLoader, List<String> failures) {
        Map<String, LoaderProvider> byType = new TreeMap<>();
        Iterator<LoaderProvider> it = ServiceLoader.load(LoaderProvider.class, classLoader).iterator();
        while (true) {
            LoaderProvider provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
            } catch (ServiceConfigurationError e) {
                LOG.warn("Skipping a loader provider that failed to load: {}", e.getMessage());
                failures.add(e.getMessage());
                continue;
            }
            LoaderProvider previous = byType.putIfAbsent(provider.type(), provider);
            if (previous != null) {
                throw new LoaderException("Two loader providers have the type '" + provider.type() + "': "
                        + previous.getClass().getName() + " and " + provider.getClass().getName()
                        + "; remove one of them from the class path");
            }
        }
        LOG.debug("Found loaders: {}", byType.keySet());
        return Collections.unmodifiableMap(byType);
    }

    /** The types of the loaders found, sorted. */
    public static List<String> available() {
        return new ArrayList<>(providers().keySet());
    }

    /**
     * The provider of {@code type}.
     *
     * @throws LoaderException naming the available types when there is none
     */
    public static LoaderProvider provider(String type) {
        List<String> failures = new ArrayList<>();
        Map<String, LoaderProvider> providers = discover(Thread.currentThread().getContextClassLoader(), failures);
        LoaderProvider p = providers.get(type);
        if (p == null) {
            String failed = failures.isEmpty() ? "" : "; failed to load (check META-INF/services/"
                    + LoaderProvider.class.getName() + "): " + String.join("; ", failures);
            throw new LoaderException((providers.isEmpty()
                    ? "No loader of type '" + type + "': no loader module is on the class path; add one, e.g. "
                    + "org.loadperf:perf-loader-postgres"
                    : "No loader of type '" + type + "'; available: " + String.join(", ", providers.keySet()))
                    + failed);
        }
        return p;
    }

    /**
     * A new loader of {@code type}, configured by {@code config}.
     *
     * @throws LoaderException for an unknown type (naming the available ones) or a bad configuration (naming the
     *                         key)
     */
    public static Loader create(String type, LoaderConfig config) {
        return provider(type).create(config);
    }
}
