package org.loadperf.core;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.loadperf.api.BaselinePolicy;
import org.loadperf.api.BaselineStore;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkContext;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.MetricSummary;
import org.loadperf.api.Reporter;
import org.loadperf.api.Thresholds;
import org.loadperf.api.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link Benchmark}s: warm-up iterations, then measured ones, each timed and memory-probed; compares the
 * samples with the baseline in a {@link BaselineStore}; records the run; tells the {@link Reporter}s.
 *
 * <pre>{@code
 * try (PerfRunner runner = PerfRunner.builder().measuredIterations(7).build()) {
 *     BenchmarkResult r = runner.run(benchmark);
 *     assertThat(r.hasRegression()).isFalse();
 * }
 * }</pre>
 *
 * <p>Defaults come from {@link PerfSettings} (system property, environment, {@code .env.test}):
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>PERF_STORE / perf.store</td><td>performance_benchmarks.json</td><td>the baseline file</td></tr>
 *   <tr><td>PERF_WARMUP_ITERATIONS</td><td>1</td><td>iterations run and discarded</td></tr>
 *   <tr><td>PERF_ITERATIONS</td><td>5</td><td>measured iterations</td></tr>
 *   <tr><td>PERF_CONFIDENCE</td><td>0.95</td><td>one-sided confidence of a REGRESSION</td></tr>
 *   <tr><td>PERF_BASELINE_POLICY</td><td>always</td><td>always, update-unless-regressed, pinned</td></tr>
 *   <tr><td>PERF_FAIL_ON_REGRESSION</td><td>false</td><td>throw {@link PerformanceRegressionError}</td></tr>
 *   <tr><td>PERF_THRESHOLD_THROUGHPUT, _MEMORY, _DURATION</td><td>5, 10, 10</td><td>thresholds in %</td></tr>
 *   <tr><td>PERF_ENV</td><td>local</td><td>environment recorded</td></tr>
 * </table>
 *
 * <p>A runner is not thread-safe: run benchmarks one after another (a measurement needs the machine to itself).
 */
public final class PerfRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PerfRunner.class);

    /** The system properties a runner understands; any other {@code perf.*} property is a mistake. */
    static final Set<String> KNOWN_PROPERTIES = Set.of("perf.store", "perf.warmupIterations", "perf.iterations",
            "perf.confidence", "perf.baselinePolicy", "perf.failOnRegression", "perf.thresholdThroughput",
            "perf.thresholdMemory", "perf.thresholdDuration", "perf.env", "perf.testSize", "perf.envFile");

    private final BaselineStore store;
    private final Thresholds thresholds;
    private final int warmups;
    private final int iterations;
    private final VerdictEngine verdicts;
    private final BaselinePolicy policy;
    private final boolean failOnRegression;
    private final String environment;
    private final List<Reporter> reporters;
    private final Set<Metric> compared;
    private final PerfSettings settings;
    private final BufferAllocator root;
    private final List<BenchmarkResult> results = new ArrayList<>();
    private boolean leakReported;

    private PerfRunner(Builder b) {
        this.settings = b.settings;
        this.store = b.store != null ? b.store : defaultStore(b.settings);
        this.thresholds = b.thresholds;
        this.warmups = b.warmups;
        this.iterations = b.iterations;
        this.verdicts = new VerdictEngine(b.confidence);
        this.policy = b.policy;
        this.failOnRegression = b.failOnRegression;
        this.environment = b.environment;
        this.reporters = List.copyOf(b.reporters);
        this.compared = Collections.unmodifiableSet(EnumSet.copyOf(b.compared));
        this.root = new RootAllocator();
    }

    static BaselineStore defaultStore(PerfSettings settings) {
        Path path = Path.of(settings.get("PERF_STORE", "performance_benchmarks.json")).toAbsolutePath();
        return JsonFileBaselineStore.at(path);
    }

    /** A builder with the defaults of this process's {@link PerfSettings}. */
    public static Builder builder() {
        return new Builder(PerfSettings.load());
    }

    /** A builder with the defaults of {@code settings}. */
    public static Builder builder(PerfSettings settings) {
        return new Builder(settings);
    }

    /** A runner with every default taken from this process's settings. */
    public static PerfRunner fromEnvironment() {
        return builder().build();
    }

    /** The store this runner compares with and records to. */
    public BaselineStore store() {
        return store;
    }

    /** The settings the runner was made from. */
    public PerfSettings settings() {
        return settings;
    }

    /** The results of every benchmark run so far. */
    public List<BenchmarkResult> results() {
        return List.copyOf(results);
    }

    /**
     * Runs {@code benchmark}: setup, warm-ups, measured iterations, teardown; then compares with the baseline and
     * records the run.
     *
     * @throws PerformanceRegressionError when fail-on-regression is on and a metric regressed (after recording)
     * @throws IllegalStateException      when the benchmark failed, naming it and the iteration
     */
    public BenchmarkResult run(Benchmark benchmark) {
        Objects.requireNonNull(benchmark, "benchmark is null");
        OffsetDateTime started = OffsetDateTime.now();
        long t0 = System.nanoTime();
        reporters.forEach(r -> r.benchmarkStarted(benchmark, warmups, iterations));
        List<IterationProbe.Sample> samples = new ArrayList<>();
        try (BufferAllocator benchAllocator = root.newChildAllocator(benchmark.key(), 0, Long.MAX_VALUE)) {
            Context setupContext = new Context(benchAllocator, 0, false, benchmark);
            phase("setup", benchmark, () -> benchmark.setup().run(setupContext));
            try {
                for (int i = 1; i <= warmups; i++) {
                    iteration(benchmark, i, true, t0);
                }
                for (int i = 1; i <= iterations; i++) {
                    samples.add(iteration(benchmark, i, false, t0));
                }
            } finally {
                phase("teardown", benchmark, () -> benchmark.teardown().run(setupContext));
            }
        }
        BenchmarkResult result = evaluate(benchmark, started, samples);
        results.add(result);
        record(result);
        reporters.forEach(r -> r.benchmarkFinished(result));
        if (failOnRegression && result.hasRegression()) {
            throw new PerformanceRegressionError(PerformanceRegressionError.describe(List.of(result)), result);
        }
        return result;
    }

    private IterationProbe.Sample iteration(Benchmark benchmark, int index, boolean warmup, long t0) {
        String what = (warmup ? "warm-up " : "iteration ") + index;
        IterationProbe probe = new IterationProbe();
        IterationProbe.Sample sample;
        BufferAllocator allocator = root.newChildAllocator(benchmark.key() + "-" + what, 0, Long.MAX_VALUE);
        try {
            Context ctx = new Context(allocator, index, warmup, benchmark);
            phase("beforeEach of " + what, benchmark, () -> benchmark.beforeEach().run(ctx));
            probe.before();
            long start = System.nanoTime();
            long rows;
            try {
                rows = benchmark.body().run(ctx);
            } catch (Exception e) {
                throw new IllegalStateException("Benchmark " + benchmark.key() + " failed in " + what + ": " + e, e);
            }
            long nanos = System.nanoTime() - start;
            sample = probe.after(nanos, rows < 0 ? benchmark.datasetSize() : rows, allocator);
            phase("afterEach of " + what, benchmark, () -> benchmark.afterEach().run(ctx));
        } finally {
            try {
                allocator.close();
            } catch (IllegalStateException leak) {
                leakReported = true;
                throw new IllegalStateException("Benchmark " + benchmark.key() + " left Arrow memory allocated after "
                        + what + " (close every batch and reader it opens): " + leak.getMessage(), leak);
            }
        }
        double seconds = sample.nanos() / 1e9;
        double elapsed = (System.nanoTime() - t0) / 1e9;
        reporters.forEach(r -> r.iterationFinished(benchmark, index, warmup ? warmups : iterations, warmup, seconds,
                elapsed));
        return sample;
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void phase(String name, Benchmark benchmark, Action action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            throw e instanceof IllegalStateException && e.getMessage() != null
                    && e.getMessage().startsWith("Benchmark ") ? e
                    : new IllegalStateException("Benchmark " + benchmark.key() + " failed in " + name + ": " + e, e);
        } catch (Exception e) {
            throw new IllegalStateException("Benchmark " + benchmark.key() + " failed in " + name + ": " + e, e);
        }
    }

    private BenchmarkResult evaluate(Benchmark benchmark, OffsetDateTime started, List<IterationProbe.Sample> runs) {
        Map<Metric, List<Double>> samples = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            samples.put(m, new ArrayList<>());
        }
        for (IterationProbe.Sample s : runs) {
            double seconds = s.nanos() / 1e9;
            samples.get(Metric.THROUGHPUT).add(seconds > 0 ? s.rows() / seconds : 0.0);
            samples.get(Metric.DURATION).add(seconds);
            samples.get(Metric.MEMORY).add(s.memoryBytes() / (1024.0 * 1024.0));
            samples.get(Metric.ALLOCATED_BYTES_PER_ROW).add(s.rows() > 0 ? (double) s.allocatedBytes() / s.rows()
                    : (double) s.allocatedBytes());
            samples.get(Metric.CPU_SECONDS).add(s.cpuNanos() / 1e9);
        }
        Map<Metric, MetricSummary> summaries = new EnumMap<>(Metric.class);
        samples.forEach((m, list) -> summaries.put(m, Statistics.summarize(m, list)));

        Map<String, String> fingerprint = MachineFingerprint.current();
        GitInfo git = GitInfo.current(settings);
        List<String> notes = new ArrayList<>();
        List<Verdict> list = new ArrayList<>();
        Thresholds t = benchmark.thresholds().orElse(thresholds);
        Optional<BenchmarkRecord> baseline = store.baseline(benchmark.key());
        for (Metric m : compared) {
            if (baseline.isEmpty()) {
                list.add(noBaseline(m, summaries.get(m).median(), t, "no baseline yet: this run becomes it"));
                continue;
            }
            BenchmarkRecord base = baseline.get();
            if (base.datasetSize() != benchmark.datasetSize()) {
                list.add(noBaseline(m, summaries.get(m).median(), t, "the baseline measured " + base.datasetSize()
                        + " rows, this run " + benchmark.datasetSize() + ": not compared"));
                continue;
            }
            if (base.value(m).isEmpty()) {
                list.add(noBaseline(m, summaries.get(m).median(), t, "the baseline has no " + m.key()));
                continue;
            }
            List<Double> baseSamples = base.samples(m).isEmpty() ? List.of(base.value(m).getAsDouble())
                    : base.samples(m);
            list.add(verdicts.compare(m, baseSamples, base.value(m).getAsDouble(), samples.get(m), t.of(m), 0.0));
        }
        baseline.ifPresent(base -> {
            Map<String, String> diff = MachineFingerprint.differences(base.fingerprint(), fingerprint);
            if (!diff.isEmpty()) {
                notes.add("the baseline (" + base.gitCommit() + ") was measured on another machine: " + diff);
            }
        });
        return new BenchmarkResult(benchmark.testName(), benchmark.loaderType(), benchmark.datasetSize(), warmups,
                samples, summaries, list, started, git.commit(), git.dirty(), environment, fingerprint, notes);
    }

    private Verdict noBaseline(Metric m, double current, Thresholds t, String why) {
        return new Verdict(m, Verdict.Status.NO_BASELINE, Double.NaN, Double.NaN, current, Double.NaN,
                verdicts.confidence(), t.of(m).percent(), Double.NaN, Double.NaN, "none", why);
    }

    private void record(BenchmarkResult result) {
        boolean hasBaseline = store.baseline(result.key()).isPresent();
        boolean move = switch (policy) {
            case ALWAYS_UPDATE -> true;
            case UPDATE_UNLESS_REGRESSED -> !result.hasRegression();
            case PINNED -> !hasBaseline;
        };
        store.record(result.toRecord(), move);
        LOG.debug("Recorded {} in {} (baseline {})", result.key(), store.location(), move ? "moved" : "kept");
    }

    /** Tells the reporters the run is over (they print the summary) and releases the runner's memory. */
    @Override
    public void close() {
        try {
            List<BenchmarkResult> all = results();
            reporters.forEach(r -> r.runFinished(all));
        } finally {
            try {
                root.close();
            } catch (IllegalStateException e) {
                if (!leakReported) {
                    throw e;
                }
                LOG.warn("Arrow memory leaked by a benchmark (reported when it ran) is still allocated");
            }
        }
    }

    private record Context(BufferAllocator allocator, int iteration, boolean warmup, Benchmark benchmark)
            implements BenchmarkContext {
    }

    /** Configures a {@link PerfRunner}; every setter checks its value at once. */
    public static final class Builder {
        private final PerfSettings settings;
        private BaselineStore store;
        private Thresholds thresholds;
        private int warmups;
        private int iterations;
        private double confidence;
        private BaselinePolicy policy;
        private boolean failOnRegression;
        private String environment;
        private final List<Reporter> reporters = new ArrayList<>();
        private boolean defaultReporters = true;
        private Set<Metric> compared = EnumSet.of(Metric.THROUGHPUT, Metric.MEMORY, Metric.DURATION);

        private Builder(PerfSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings is null");
            rejectUnknownProperties();
            this.warmups = checkWarmups(settings.getInt("PERF_WARMUP_ITERATIONS", 1));
            this.iterations = checkIterations(settings.getInt("PERF_ITERATIONS", 5));
            this.confidence = checkConfidence(Double.parseDouble(settings.get("PERF_CONFIDENCE", "0.95")));
            this.policy = BaselinePolicy.parse(settings.get("PERF_BASELINE_POLICY", "always"));
            this.failOnRegression = settings.getBoolean("PERF_FAIL_ON_REGRESSION", false);
            this.environment = settings.environment();
            Thresholds t = Thresholds.defaults();
            t = t.with(Metric.THROUGHPUT, threshold("PERF_THRESHOLD_THROUGHPUT", t.of(Metric.THROUGHPUT).percent()));
            t = t.with(Metric.MEMORY, threshold("PERF_THRESHOLD_MEMORY", t.of(Metric.MEMORY).percent()));
            t = t.with(Metric.DURATION, threshold("PERF_THRESHOLD_DURATION", t.of(Metric.DURATION).percent()));
            this.thresholds = t;
        }

        private static void rejectUnknownProperties() {
            for (String name : System.getProperties().stringPropertyNames()) {
                if (name.startsWith("perf.") && !KNOWN_PROPERTIES.contains(name)) {
                    throw new IllegalArgumentException("Unknown setting -D" + name + "; known: "
                            + String.join(", ", KNOWN_PROPERTIES.stream().sorted().toList()));
                }
            }
        }

        private double threshold(String name, double dflt) {
            String v = settings.get(name).orElse(null);
            if (v == null) {
                return dflt;
            }
            try {
                return new org.loadperf.api.Threshold(Metric.THROUGHPUT, Double.parseDouble(v.replace("%", "")))
                        .percent();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Setting " + name + " must be a percentage >= 0, got '" + v + "'");
            }
        }

        private static int checkWarmups(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("warmupIterations must be >= 0, got " + n);
            }
            return n;
        }

        private static int checkIterations(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("measuredIterations must be >= 1, got " + n);
            }
            return n;
        }

        private static double checkConfidence(double c) {
            if (!(c > 0.5 && c < 1.0)) {
                throw new IllegalArgumentException("confidence must be in (0.5, 1), got " + c);
            }
            return c;
        }

        /** Where baselines are read and runs recorded (default: the JSON file of {@code PERF_STORE}). */
        public Builder store(BaselineStore store) {
            this.store = Objects.requireNonNull(store, "store is null");
            return this;
        }

        /** The thresholds of every benchmark that has none of its own. */
        public Builder thresholds(Thresholds thresholds) {
            this.thresholds = Objects.requireNonNull(thresholds, "thresholds is null");
            return this;
        }

        /** Iterations run and discarded before measuring (JIT, caches, connections); default 1. */
        public Builder warmupIterations(int n) {
            this.warmups = checkWarmups(n);
            return this;
        }

        /** Iterations measured; default 5 (the fewest that give a 95% bound against a 5-sample baseline). */
        public Builder measuredIterations(int n) {
            this.iterations = checkIterations(n);
            return this;
        }

        /** One-sided confidence a REGRESSION needs; default 0.95. */
        public Builder confidence(double c) {
            this.confidence = checkConfidence(c);
            return this;
        }

        /** When a run becomes the baseline; default {@link BaselinePolicy#ALWAYS_UPDATE}, as in the guide. */
        public Builder baselinePolicy(BaselinePolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy is null");
            return this;
        }

        /** Whether a regression throws {@link PerformanceRegressionError}; default off, as in the guide. */
        public Builder failOnRegression(boolean fail) {
            this.failOnRegression = fail;
            return this;
        }

        /** The environment name recorded (default {@code PERF_ENV}, else {@code local}). */
        public Builder environment(String environment) {
            this.environment = Objects.requireNonNull(environment, "environment is null");
            return this;
        }

        /** Adds a reporter; the first call replaces the default console reporter. */
        public Builder reporter(Reporter reporter) {
            if (defaultReporters) {
                reporters.clear();
                defaultReporters = false;
            }
            reporters.add(Objects.requireNonNull(reporter, "reporter is null"));
            return this;
        }

        /** The metrics that get verdicts; default throughput, memory and duration (the guide's). */
        public Builder comparedMetrics(Set<Metric> metrics) {
            if (metrics.isEmpty()) {
                throw new IllegalArgumentException("comparedMetrics must not be empty");
            }
            this.compared = EnumSet.copyOf(metrics);
            return this;
        }

        /** The runner. */
        public PerfRunner build() {
            if (defaultReporters) {
                reporters.clear();
                reporters.add(new ConsoleReporter());
            }
            return new PerfRunner(this);
        }
    }
}
