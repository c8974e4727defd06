package org.loadperf.core.measure;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BaselineStore;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;
import org.loadperf.core.settings.PerfSettings;

/**
 * The latencies of a stream of loads (one per load, in order) and their percentiles, recorded in a runner's store as
 * one record with the guide's fields plus {@code latency_*} extras. The runner's metrics are per iteration; a stream
 * of a thousand loads is one measurement whose spread is the figure, so it is recorded beside them, not judged.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public final class LatencySeries {

    /** Loads compared at the start and at the end of the stream (fewer when the stream is short). */
    public static final int WINDOW = 100;
    /** Loads left out of the first window: the JVM's warm-up and a new table's first versions. */
    public static final int SKIP = 10;
    /** Loads of a full stream, run at {@code PERF_TEST_SIZE} 50,000 and above. */
    public static final int FULL_STREAM = 1_000;
    /** The most unrecorded loads before a stream ({@link #warmupLoads}). */
    public static final int MAX_WARMUP = 300;

    /**
     * The loads a stream runs for {@code PERF_TEST_SIZE}: {@link #FULL_STREAM} at 50,000 rows and above, fewer with
     * the square of a smaller size (40 at 10,000), at least 20, so that the quick run stays quick.
     */
    public static int loads(int testSize) {
        long n = (long) testSize * testSize / 2_500_000L;
        return (int) Math.max(20, Math.min(FULL_STREAM, n));
    }

    /**
     * Unrecorded loads to run before a stream of {@code loads}, into a scratch table: a third of it, at most
     * {@link #MAX_WARMUP}. Until the JIT has compiled the loader's paths (seconds on 2 cores) the first loads ran
     * 20-40% slower than the last ones whatever the store; warmed up, "first 100 against last 100" compares the
     * table's age only.
     */
    public static int warmupLoads(int loads) {
        return Math.max(0, Math.min(MAX_WARMUP, loads / 3));
    }

    private long[] nanos = new long[64];
    private int count;
    private long peakHeapBytes;

    /** One load of a stream; its latency is what {@link #run} times. */
    @FunctionalInterface
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
    public interface Load {
        void run(int index) throws Exception;
    }

    /** Runs {@link #warmupLoads}({@code loads}) loads, unrecorded, before a stream of {@code loads}. */
    public static void warmUp(int loads, Load load) throws Exception {
        for (int i = 0; i < warmupLoads(loads); i++) {
            load.run(i);
        }
    }

    /**
     * Runs {@code loads} loads one after the other, timing each, and notes the peak used heap seen after each load
     * ({@link #peakHeapMb()}).
     */
    public static LatencySeries run(int loads, Load load) throws Exception {
        LatencySeries s = new LatencySeries();
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < loads; i++) {
            long start = System.nanoTime();
            load.run(i);
            s.add(System.nanoTime() - start);
            s.peakHeapBytes = Math.max(s.peakHeapBytes, rt.totalMemory() - rt.freeMemory());
        }
        return s;
    }

    /** The peak used heap seen by {@link #run}, in MB (0 for a series filled by {@link #add}). */
    public double peakHeapMb() {
        return peakHeapBytes / (1024.0 * 1024.0);
    }

    /** Adds the latency of the next load. */
    public void add(long loadNanos) {
        if (loadNanos < 0) {
            throw new IllegalArgumentException("a latency cannot be negative: " + loadNanos);
        }
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = loadNanos;
    }

    public int count() {
        return count;
    }

    /** The {@code p}-th percentile (0 < p <= 100, nearest rank) of loads {@code from} to {@code to - 1}, in ms. */
    public double percentileMillis(double p, int from, int to) {
        if (from < 0 || to > count || from >= to) {
            throw new IllegalArgumentException("no loads in [" + from + ", " + to + ") of " + count);
        }
        long[] sorted = Arrays.copyOfRange(nanos, from, to);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)] / 1e6;
    }

    public double percentileMillis(double p) {
        return percentileMillis(p, 0, count);
    }

    /** Loads skipped before the first window: {@link #SKIP}, or a tenth of a short stream. */
    public int skip() {
        return Math.min(SKIP, count / 10);
    }

    /** Loads in the first and last window: {@link #WINDOW}, or what is left of a short stream, halved. */
    public int window() {
        return Math.max(1, Math.min(WINDOW, (count - skip()) / 2));
    }

    /**
     * The figures: {@code latency_p50_ms}, {@code _p95_ms}, {@code _p99_ms} over every load,
     * {@code latency_first_p50_ms} (median of the {@link #window()} loads after the first {@link #skip()}),
     * {@code latency_last_p50_ms} (of the last {@link #window()}), {@code latency_change_pct} (last against first),
     * {@code latency_window}, {@code latency_skipped} and {@code loads}.
     */
    public Map<String, Object> figures() {
        Map<String, Object> f = new LinkedHashMap<>();
        int w = window();
        double first = percentileMillis(50, skip(), skip() + w);
        double last = percentileMillis(50, count - w, count);
        f.put("loads", count);
        f.put("latency_p50_ms", percentileMillis(50));
        f.put("latency_p95_ms", percentileMillis(95));
        f.put("latency_p99_ms", percentileMillis(99));
        f.put("latency_window", w);
        f.put("latency_skipped", skip());
        f.put("latency_first_p50_ms", first);
        f.put("latency_last_p50_ms", last);
        f.put("latency_change_pct", first > 0 ? (last - first) / first * 100 : 0.0);
        return f;
    }

    /**
     * Records the stream in {@code store} (a runner's: {@code runner.store(), runner.settings()}) under
     * {@code loaderType}_{@code testName}: throughput over every load, {@code memoryMb}, the summed load time as
     * duration, {@code rowsPerLoad} times the loads as the dataset size, the run's commit, environment and machine,
     * the {@link #figures()}, {@code load_average} and {@code extras}.
     */
    public BenchmarkRecord record(BaselineStore store, PerfSettings settings, String testName, String loaderType,
                                  long rowsPerLoad, double memoryMb, Map<String, Object> extras) {
        if (count == 0) {
            throw new IllegalStateException("no loads to record for " + loaderType + "_" + testName);
        }
        double seconds = Arrays.stream(nanos, 0, count).sum() / 1e9;
        long rows = rowsPerLoad * count;
        Map<Metric, Double> values = new EnumMap<>(Metric.class);
        values.put(Metric.THROUGHPUT, seconds > 0 ? rows / seconds : 0.0);
        values.put(Metric.MEMORY, memoryMb);
        values.put(Metric.DURATION, seconds);
        Map<String, Object> all = new LinkedHashMap<>(figures());
        all.put("rows_per_load", rowsPerLoad);
        all.put("load_average", loadAverage());
        all.putAll(extras);
        GitInfo git = GitInfo.current(settings);
        BenchmarkRecord record = new BenchmarkRecord(testName, loaderType, rows, values, Map.of(),
                OffsetDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), git.commit(), git.dirty(),
                settings.environment(), MachineFingerprint.current(), all);
        store.record(record, true);
        return record;
    }

    /** The figures of {@link #figures()} that {@link #describe} writes as prose; the others follow by name. */
    private static final java.util.Set<String> DESCRIBED = java.util.Set.of("loads", "rows_per_load",
            "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "latency_window", "latency_skipped",
            "latency_first_p50_ms", "latency_last_p50_ms", "latency_change_pct");

    /**
     * A record's figures ({@link #record}'s extras) as one line for the console, e.g. {@code 20 loads of 1,000 rows:
     * p50 14.2 ms, p95 29.6 ms, p99 146.3 ms; first 9 after 2 skipped 15.5 ms, last 9 12.6 ms (-18.8%); load_average
     * 7.68 7.07 4.18; anchor_p50_ms 9.5}: the rest by name, in their order, with fractions to one decimal.
     */
    public static String describe(Map<String, Object> figures) {
        StringBuilder sb = new StringBuilder().append(figures.get("loads")).append(" loads");
        if (figures.get("rows_per_load") instanceof Number rows) {
            sb.append(String.format(java.util.Locale.ROOT, " of %,d rows", rows.longValue()));
        }
        sb.append(String.format(java.util.Locale.ROOT, ": p50 %s ms, p95 %s ms, p99 %s ms; first %s after %s skipped "
                + "%s ms, last %s %s ms (%s%%)", figure(figures.get("latency_p50_ms")),
                figure(figures.get("latency_p95_ms")), figure(figures.get("latency_p99_ms")),
                figures.get("latency_window"), figures.get("latency_skipped"),
                figure(figures.get("latency_first_p50_ms")), figures.get("latency_window"),
                figure(figures.get("latency_last_p50_ms")), signed(figures.get("latency_change_pct"))));
        figures.forEach((k, v) -> {
            if (!DESCRIBED.contains(k)) {
                sb.append("; ").append(k).append(' ').append(figure(v));
            }
        });
        return sb.toString();
    }

    private static String figure(Object v) {
        return v instanceof Double || v instanceof Float ? String.format(java.util.Locale.ROOT, "%.1f",
                ((Number) v).doubleValue()) : String.valueOf(v);
    }

    private static String signed(Object v) {
        return v instanceof Number n ? String.format(java.util.Locale.ROOT, "%+.1f", n.doubleValue())
                : String.valueOf(v);
    }

    /** The machine's load average as Linux shows it (1, 5, 15 minutes), or {@code unknown}. */
    static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The latencies in ms, in load order (for a report). */
    public List<Double> millis() {
        return Arrays.stream(nanos, 0, count).mapToObj(n -> n / 1e6).toList();
    }
}
