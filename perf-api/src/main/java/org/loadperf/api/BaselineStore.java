package org.loadperf.api;

import org.loadperf.api.annotation.Api;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where baselines and the history of runs are kept. The default implementation is perf-core's
 * {@code JsonFileBaselineStore} ({@code performance_benchmarks.json}).
 *
 * <p>Implementations must be safe for concurrent use by several threads; a file-backed one also against other
 * processes.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface BaselineStore {

    /** The current baseline of the benchmark {@code key} ({@code {loader_type}_{test_name}}). */
    Optional<BenchmarkRecord> baseline(String key);

    /** All current baselines by key. */
    Map<String, BenchmarkRecord> baselines();

    /**
     * Keeps {@code record} in the history of its key and, when {@code moveBaseline}, makes it the baseline.
     */
    void record(BenchmarkRecord record, boolean moveBaseline);

    /**
     * Keeps {@code record} in the history of its key and makes it the baseline only when the key has none yet: the
     * {@link BaselinePolicy#PINNED} policy. Deciding and writing are one step, so that of concurrent first runs of
     * a key exactly one becomes its baseline and none moves it afterwards.
     *
     * <p>This default decides from {@link #baseline(String)} and then calls {@link #record}: atomic only when
     * nothing else writes in between. A store shared by threads or processes overrides it.
     *
     * @return whether {@code record} became the baseline
     */
    default boolean recordSettingBaselineIfAbsent(BenchmarkRecord record) {
        boolean first = baseline(record.key()).isEmpty();
        record(record, first);
        return first;
    }

    /** The kept runs of {@code key}, oldest first (bounded; older runs may have been dropped). */
    List<BenchmarkRecord> history(String key);

    /** Removes the baselines and history of every key. */
    void reset();

    /** Where the store keeps its data, for messages (e.g. a file path). */
    default String location() {
        return getClass().getSimpleName();
    }
}
