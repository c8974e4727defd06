package org.loadperf.examples.csv;

import java.util.List;
import org.loadperf.api.loader.ConfigKey;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderProvider;

/**
 * A loader as a user writes one: loader type {@code csv}, writing each table as an RFC 4180 CSV file
 * {@code {directory}/{table}.csv}. Registered in {@code META-INF/services/org.loadperf.api.loader.LoaderProvider},
 * so {@code Loaders.create("csv", config)} finds it and {@code PerfRunner} measures it like the built-in loaders.
 *
 * <p>Configuration keys: see {@link CsvLoaderConfig}.
 */
// region provider (the README's text, checked by ReadmeSnippetsTest)
public final class CsvLoaderProvider implements LoaderProvider {

    /** The loader type. */
    public static final String TYPE = "csv";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<ConfigKey<?>> configKeys() {
        return CsvLoaderConfig.KEYS;
    }

    @Override
    public Loader create(LoaderConfig config) {
        return new CsvLoader(CsvLoaderConfig.from(config));
    }

    @Override
    public String description() {
        return "CSV files (RFC 4180), one per table, in a directory";
    }
}
// endregion
