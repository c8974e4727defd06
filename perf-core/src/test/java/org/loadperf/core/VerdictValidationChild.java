package org.loadperf.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Reporter;
import org.loadperf.api.Verdict;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;

/**
 * One run of the validation benchmarks in a JVM of its own, as a user runs them: a {@link PerfRunner} with the
 * settings of the environment (and {@code -Dperf.store}) runs the two benchmarks and prints one line per benchmark
 * for {@link VerdictValidationBenchmark} to read.
 *
 * <p>Arguments: {@code <slowdown %>} (0 for none), or {@code paired <slowdown %>}. A slowdown of x% is injected as
 * extra arithmetic after the body, run until the iteration has taken {@code 100 / (100 - x)} times what the body
 * took, so that the throughput of every slowed iteration is exactly x% lower than the same iteration would have
 * been; the extra work meets the same machine load as the body.
 */
public final class VerdictValidationChild {

    static final String CPU_KEY = "validation_cpu_memory_workload";
    static final String LOAD_KEY = "counting_validation_load";
    private static volatile long sink;

    private VerdictValidationChild() {
    }

    /** The fixed CPU-and-memory workload: about {@code rows} * 10 operations of sorting, hashing and strings. */
    static long cpuMemoryWork(int rows) {
        int n = rows * 10;
        long[] a = new long[n];
        long x = 12345;
        for (int i = 0; i < n; i++) {
            x = x * 2862933555777941757L + 3037000493L;
            a[i] = x >>> 7;
        }
        java.util.Arrays.sort(a);
        Map<String, Long> m = new java.util.HashMap<>();
        for (int i = 0; i < n; i += 4) {
            m.merge("k" + (a[i] % 5003), a[i], Long::sum);
        }
        sink = m.size() + a[n / 3];
        return rows;
    }

    /** The real load: the guide's dataset streamed through the in-process counting loader. */
    static long load(Loader loader, org.apache.arrow.memory.BufferAllocator allocator, int rows) throws Exception {
        try (ArrowReader data = PerfDatasets.performance(allocator, rows, 10_000)) {
            return loader.loadTable(data, "validation_table", LoadMode.APPEND).rowsLoaded();
        }
    }

    /** Extra arithmetic until {@code deadline} ({@link System#nanoTime()}). */
    static void extraWorkUntil(long deadline) {
        long acc = sink;
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 200; i++) {
                acc = acc * 6364136223846793005L + (acc >>> 13) + i;
            }
        }
        sink = acc;
    }

    /** Runs {@code work}, then extra work so that the whole takes {@code 100 / (100 - slowdown)} of its time. */
    static long slowed(double slowdown, Benchmark.Body work, org.loadperf.api.BenchmarkContext ctx) throws Exception {
        long t0 = System.nanoTime();
        long rows = work.run(ctx);
        if (slowdown > 0) {
            long took = System.nanoTime() - t0;
            extraWorkUntil(t0 + Math.round(took * 100.0 / (100.0 - slowdown)));
        }
        return rows;
    }

    /** The two benchmarks, slowed by the given extra work units. */
    static List<Benchmark> benchmarks(int rows, double slowdown, Loader loader, String suffix) {
        Benchmark cpu = Benchmark.builder("cpu_memory_workload" + suffix, "validation").datasetSize(rows)
                .body(ctx -> slowed(slowdown, c -> cpuMemoryWork(rows), ctx)).build();
        Benchmark load = Benchmark.builder("validation_load" + suffix, "counting").datasetSize(rows).body(ctx -> slowed(slowdown,
                c -> load(loader, c.allocator(), rows), ctx)).build();
        return List.of(cpu, load);
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("paired")) {
            paired(Double.parseDouble(args[1]));
            return;
        }
        double slowdown = Double.parseDouble(args[0]);
        int rows = PerfSettings.load().testSize();
        Map<String, Double> warmupSeconds = new java.util.HashMap<>();
        Reporter capture = new Reporter() {
            @Override
            public void iterationFinished(Benchmark benchmark, int index, int total, boolean warmup, double seconds,
                                          double elapsed) {
                if (warmup && index == 1) {
                    warmupSeconds.put(benchmark.key(), seconds);
                }
            }
        };
        long t0 = System.nanoTime();
        List<String> lines = new ArrayList<>();
        try (Loader loader = Loaders.create("counting", LoaderConfig.of(Map.of()));
             PerfRunner runner = PerfRunner.builder().reporter(capture).build()) {
            for (Benchmark b : benchmarks(rows, slowdown, loader, "")) {
                BenchmarkResult r = runner.run(b);
                Verdict v = r.verdict(Metric.THROUGHPUT).orElseThrow();
                String first = r.notes().stream().filter(n -> n.startsWith("confirmation:")).findFirst()
                        .map(n -> n.contains("REGRESSION (throughput)") ? "REGRESSION"
                                : n.contains("INCONCLUSIVE (throughput)") ? "INCONCLUSIVE" : "OK")
                        .orElse(v.status().toString());
                String samples = r.samples().get(Metric.THROUGHPUT).stream().limit(5)
                        .map(d -> String.format(Locale.ROOT, "%.1f", d)).collect(Collectors.joining(","));
                lines.add(String.format(Locale.ROOT, "VALIDATION %s %s %s %s %.3f %.3f %.3f %.6f %s %d",
                        r.key(), v.status(), first, r.hasRegression(), v.regressionPercent(), v.confidenceBound(),
                        v.minDetectablePercent(), warmupSeconds.getOrDefault(r.key(), Double.NaN), samples,
                        r.samples().get(Metric.THROUGHPUT).size()));
            }
        }
        lines.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "VALIDATION_TIME %.3f%n", (System.nanoTime() - t0) / 1e9);
    }

    /** Paired mode: the unchanged benchmark against the slowed one, interleaved in this JVM. */
    static void paired(double slowdown) throws Exception {
        int rows = PerfSettings.load().testSize();
        long t0 = System.nanoTime();
        List<String> lines = new ArrayList<>();
        try (Loader loader = Loaders.create("counting", LoaderConfig.of(Map.of()));
             PerfRunner runner = PerfRunner.builder().store(new InMemoryBaselineStore())
                     .reporter(new Reporter() { }).build()) {
            List<Benchmark> base = benchmarks(rows, 0, loader, "");
            List<Benchmark> cand = benchmarks(rows, slowdown, loader, "_candidate");
            for (int i = 0; i < base.size(); i++) {
                PairedComparison c = runner.compare(base.get(i), cand.get(i));
                Verdict v = c.verdict(Metric.THROUGHPUT).orElseThrow();
                String samples = c.baselineSamples().get(Metric.THROUGHPUT).stream().limit(5)
                        .map(d -> String.format(Locale.ROOT, "%.1f", d)).collect(Collectors.joining(","));
                lines.add(String.format(Locale.ROOT, "VALIDATION %s %s %s %s %.3f %.3f %.3f %.6f %s %d",
                        c.baselineKey(), v.status(), v.status(), c.hasRegression(), v.regressionPercent(),
                        v.confidenceBound(), v.minDetectablePercent(), Double.NaN, samples, c.pairs()));
            }
        }
        lines.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "VALIDATION_TIME %.3f%n", (System.nanoTime() - t0) / 1e9);
    }
}
