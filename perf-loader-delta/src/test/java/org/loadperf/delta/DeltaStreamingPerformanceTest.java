package org.loadperf.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.core.measure.LatencySeries;
import org.loadperf.core.dataset.PerfDatasets;
import org.loadperf.core.PerfRunner;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.dataset.RecordedDataset;

/**
 * The streaming suite for Delta: consecutive appends of 1,000 rows into one table through one loader, as a
 * micro-batch stream makes them ({@code LatencySeries.loads(PERF_TEST_SIZE)} of them, 1,000 at the default size; the
 * test name says how many ran). Compaction after each load is off, as a stream compacts on a schedule. Each load's
 * latency, and its Parquet write without the commit (the anchor: the loader's own writer on the same rows, same run),
 * go into the store as percentiles.
 */
@Tag("performance")
@Tag("delta_lake")
@Tag("streaming")
class DeltaStreamingPerformanceTest {

    static final int ROWS_PER_LOAD = 1_000;

    @Test
    void streamingAppend() throws Exception {
        int loads = LatencySeries.loads(PerfSettings.load().testSize());
        String name = "streaming_append_" + loads + "x" + ROWS_PER_LOAD;
        Path table = DeltaTables.freshDir(name);
        LatencySeries latency;
        LatencySeries write = new LatencySeries();
        LatencySeries prepare = new LatencySeries();
        LatencySeries commit = new LatencySeries();
        java.util.concurrent.atomic.AtomicLong lastVersion = new java.util.concurrent.atomic.AtomicLong(-1);
        try (PerfRunner runner = PerfRunner.fromEnvironment();
             BufferAllocator allocator = new RootAllocator();
             Loader loader = DeltaTables.loader(table, Map.of("optimize_after_write", false))) {
            RecordedDataset data;
            try (ArrowReader source = PerfDatasets.performance(allocator, ROWS_PER_LOAD, ROWS_PER_LOAD)) {
                data = RecordedDataset.record(source, allocator);
            }
            try (data) {
                // The JIT's first compilations are not the table's age: LatencySeries.warmupLoads go first into a
                // scratch table, unrecorded, so that "first 100 against last 100" compares versions only.
                Path scratch = DeltaTables.freshDir(name + "-warmup");
                try (Loader warm = DeltaTables.loader(scratch, Map.of("optimize_after_write", false))) {
                    LatencySeries.warmUp(loads, i -> {
                        try (ArrowReader reader = data.reader(allocator)) {
                            warm.loadTable(reader, name, LoadMode.APPEND);
                        }
                    });
                }
                latency = LatencySeries.run(loads, i -> {
                    LoadResult r;
                    try (ArrowReader reader = data.reader(allocator)) {
                        r = loader.loadTable(reader, name, LoadMode.APPEND);
                    }
                    write.add(nanos(r, "write_seconds"));
                    prepare.add(nanos(r, "prepare_seconds"));
                    commit.add(nanos(r, "commit_seconds"));
                    lastVersion.set((long) r.metadata().get("commit_version"));
                });
            }
            Map<String, Object> extras = new LinkedHashMap<>();
            extras.put("anchor", "the loader's Parquet write of the same 1,000 rows without the commit, same loads");
            extras.put("anchor_write_p50_ms", write.percentileMillis(50));
            extras.put("prepare_p50_ms", prepare.percentileMillis(50));
            extras.put("commit_p50_ms", commit.percentileMillis(50));
            extras.put("table_version", lastVersion.get());
            extras.put("warmup_loads", LatencySeries.warmupLoads(loads));
            Map<String, Object> figures = latency.record(runner.store(), runner.settings(), name, new DeltaLoaderProvider().benchmarkName(),
                    ROWS_PER_LOAD, latency.peakHeapMb(), extras).extras();
            System.out.printf("%s (delta_lake): %s%n", name, LatencySeries.describe(figures));
        }
        assertThat(lastVersion.get()).isEqualTo(loads - 1);
        assertThat(DeltaTables.rows(table)).hasSize(loads * ROWS_PER_LOAD);
        if (loads > 10) {
            assertThat(table.resolve("_delta_log").resolve(String.format("%020d.checkpoint.parquet", 10))).exists();
        }
        try (var files = Files.walk(table)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static long nanos(LoadResult r, String key) {
        return (long) ((double) r.metadata().get(key) * 1e9);
    }
}
