package org.loadperf.core.store;

import java.nio.file.Path;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BaselineStore;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.settings.RunnerSetting;

/** Opens the baseline store a setting names: a {@code postgresql://} URL or the path of a JSON file. */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class BaselineStores {

    private BaselineStores() {
    }

    /** The store {@code PERF_STORE} names, by default {@code performance_benchmarks.json} in the working directory. */
    public static BaselineStore fromSettings(PerfSettings settings) {
        String store = settings.get(RunnerSetting.STORE, JsonFileBaselineStore.DEFAULT_FILE_NAME);
        return PostgresBaselineStore.isUrl(store) ? PostgresBaselineStore.open(store, settings)
                : JsonFileBaselineStore.at(Path.of(store).toAbsolutePath());
    }

    /** The store {@code spec} names (the command line's {@code --store}); a file path stays as given. */
    public static BaselineStore open(String spec, PerfSettings settings) {
        return PostgresBaselineStore.isUrl(spec) ? PostgresBaselineStore.open(spec, settings)
                : JsonFileBaselineStore.at(Path.of(spec));
    }
}
