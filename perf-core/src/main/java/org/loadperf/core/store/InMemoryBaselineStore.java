package org.loadperf.core.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BaselineStore;
import org.loadperf.api.BenchmarkRecord;

/** A {@link BaselineStore} that lives as long as the JVM: for tests, paired comparisons and dry runs. */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class InMemoryBaselineStore implements BaselineStore {

    private final int historyLimit;
    private final Map<String, BenchmarkRecord> baselines = new LinkedHashMap<>();
    private final Map<String, List<BenchmarkRecord>> history = new LinkedHashMap<>();

    /** A store keeping the last 50 runs per key. */
    public InMemoryBaselineStore() {
        this(50);
    }

    /** A store keeping the last {@code historyLimit} runs per key. */
    public InMemoryBaselineStore(int historyLimit) {
        if (historyLimit < 1) {
            throw new IllegalArgumentException("historyLimit must be >= 1, got " + historyLimit);
        }
        this.historyLimit = historyLimit;
    }

    @Override
    public synchronized Optional<BenchmarkRecord> baseline(String key) {
        return Optional.ofNullable(baselines.get(key));
    }

    @Override
    public synchronized Map<String, BenchmarkRecord> baselines() {
        return Map.copyOf(baselines);
    }

    @Override
    public synchronized void record(BenchmarkRecord record, boolean moveBaseline) {
        List<BenchmarkRecord> runs = history.computeIfAbsent(record.key(), k -> new ArrayList<>());
        runs.add(record);
        while (runs.size() > historyLimit) {
            runs.remove(0);
        }
        if (moveBaseline) {
            baselines.put(record.key(), record);
        }
    }

    @Override
    public synchronized boolean recordSettingBaselineIfAbsent(BenchmarkRecord record) {
        boolean first = !baselines.containsKey(record.key());
        record(record, first);
        return first;
    }

    @Override
    public synchronized List<BenchmarkRecord> history(String key) {
        return List.copyOf(history.getOrDefault(key, List.of()));
    }

    @Override
    public synchronized void reset() {
        baselines.clear();
        history.clear();
    }

    @Override
    public String location() {
        return "memory";
    }
}
