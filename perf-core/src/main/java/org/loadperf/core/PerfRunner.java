// Over 400 lines: about half is PerfRunner.Builder, the documented setters users call on PerfRunner.Builder;
// the measuring is in measure.IterationLoop and the judging in verdict.BaselineComparison.
package org.loadperf.core;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.arrow.memory.RootAllocator;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BaselinePolicy;
import org.loadperf.api.BaselineStore;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.MetricSummary;
import org.loadperf.api.Reporter;
import org.loadperf.api.Thresholds;
import org.loadperf.api.Verdict;
import org.loadperf.core.measure.GitInfo;
import org.loadperf.core.measure.Interference;
import org.loadperf.core.measure.IterationLoop;
import org.loadperf.core.measure.TurnTaking;
import org.loadperf.core.measure.IterationProbe;
import org.loadperf.core.measure.MachineCalibration;
import org.loadperf.core.measure.MachineSensor;
import org.loadperf.core.report.ConsoleReporter;
import org.loadperf.core.report.ReportWriter;
import org.loadperf.core.report.VerdictText;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.settings.RunnerSetting;
import org.loadperf.core.settings.RunnerSettings;
import org.loadperf.core.stats.Statistics;
import org.loadperf.core.store.BaselineStores;
import org.loadperf.core.verdict.Acknowledgement;
import org.loadperf.core.verdict.BaselineComparison;
import org.loadperf.core.verdict.BuildGate;
import org.loadperf.core.verdict.LeakCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link Benchmark}s: warm-up iterations, then measured ones, each timed (the first
 * {@link Builder#measuredIterations} also measure the heap); compares the samples with the baseline in a
 * {@link BaselineStore}; records the run; tells the {@link Reporter}s.
 *
 * <pre>{@code
 * try (PerfRunner runner = PerfRunner.builder().measuredIterations(7).build()) {
 *     BenchmarkResult r = runner.run(benchmark);
 *     assertThat(r.hasRegression()).isFalse();
 * }
 * }</pre>
 *
 * <p>Defaults come from {@link PerfSettings} (system property, environment, {@code .env.test}); every setting, its
 * default and what it does is listed once, in {@link RunnerSetting} (and the README's settings table).
 *
 * <p>This class is the facade: it wires the measuring loop ({@code measure}), the one comparison with the
 * baseline ({@code verdict.BaselineComparison}), the build gate, the store and the reporters. Verdicts between
 * separate runs add the run-to-run noise measured from the store's history to the noise the samples show (see
 * docs/verdict-validation.md); with fail-on-regression, a regression fails only when it survives Holm's correction
 * across all comparisons the runner has made so far.
 *
 * <p>A runner is not thread-safe: run benchmarks one after another (a measurement needs the machine to itself).
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class PerfRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PerfRunner.class);

    /** The system properties a runner understands; any other {@code perf.*} property is a mistake. */
    static final Set<String> KNOWN_PROPERTIES = RunnerSetting.properties();

    /** Measured iterations beyond which a time-based measurement stops (see {@link IterationLoop}). */
    static final int MAX_TIMED_ITERATIONS = IterationLoop.MAX_TIMED_ITERATIONS;

    private final PerfSettings settings;
    private final BaselineStore store;
    private final Thresholds thresholds;
    private final BaselinePolicy policy;
    private final boolean failOnRegression;
    private final String environment;
    private final List<Reporter> reporters;
    private final RootAllocator root;
    private final IterationLoop loop;
    private final BaselineComparison comparison;
    private final boolean confirm;
    private final int warmups;
    private final int pairs;
    private final Map<String, String> acknowledgements;
    private final List<BenchmarkResult> results = new ArrayList<>();

    private PerfRunner(Builder b) {
        this.settings = b.settings;
        this.store = b.store != null ? b.store : BaselineStores.fromSettings(b.settings);
        this.thresholds = b.thresholds;
        this.policy = b.policy;
        this.failOnRegression = b.failOnRegression;
        this.environment = b.environment;
        this.reporters = List.copyOf(b.reporters);
        this.root = new RootAllocator();
        this.loop = new IterationLoop(root, b.clock, b.sensor != null ? b.sensor : MachineSensor.system(b.clock),
                reporters, b.plan(), turns(b.settings, b.clock));
        this.comparison = b.comparison();
        this.confirm = b.confirm;
        this.warmups = b.warmups;
        this.pairs = b.pairs;
        this.acknowledgements = new LinkedHashMap<>(b.acknowledgements);
        // A store that cannot be read (a corrupt file, a PostgreSQL store that refuses) fails here, where the runner
        // is made (a test class's @BeforeAll), before any loader connects or benchmark starts; run() checks again.
        try {
            store.baselines();
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** The turns of {@code compare}'s side when it runs this process alongside the other side's, else none. */
    private static TurnTaking turns(PerfSettings settings, java.util.function.LongSupplier clock) {
        return settings.get(RunnerSetting.COMPARE_TURNS.settingName())
                .filter(d -> !d.isBlank())
                .map(d -> TurnTaking.at(java.nio.file.Path.of(d), settings.get(
                        RunnerSetting.COMPARE_SIDE.settingName(), ""), clock))
                .orElse(TurnTaking.none());
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
        store.baseline(benchmark.key()); // a store that cannot be read fails now, not after the measurement
        OffsetDateTime started = OffsetDateTime.now();
        loop.takeTurn();
        long t0 = loop.now();
        reporters.forEach(r -> r.benchmarkStarted(benchmark, warmups, loop.plan().iterations()));
        if (loop.plan().speedCorrection()) {
            // Once per JVM (cached); here rather than at the first verdict so that the reference workload's code is
            // compiled before the first slice is timed.
            MachineCalibration.opsPerSecond();
        }
        IterationLoop.Samples samples = new IterationLoop.Samples();
        int[] warmed = new int[1];
        long[] heldBytes = new long[1];
        long[] keptBytes = new long[1];
        Measured measured = loop.withSetUp(benchmark, allocator -> {
            warmed[0] = loop.warmUp(benchmark, t0);
            heldBytes[0] = loop.heldBytes(benchmark);
            keptBytes[0] = loop.keptByWarmUps(benchmark);
            MachineSensor.Counters before = loop.sensor().read();
            loop.measure(benchmark, samples, t0);
            Measured first = evaluate(benchmark, samples, before, started);
            if (!confirm || !first.needsConfirmation()) {
                return first;
            }
            // A second look in the same process: the verdict is then made from all samples, so a confirmation
            // cannot raise the false-alarm rate above that of a single look.
            int firstLook = samples.timed();
            loop.measure(benchmark, samples, firstLook, 0, t0);
            Measured all = evaluate(benchmark, samples, before, started);
            all.notes().add(0, "confirmation: the first " + firstLook + " iterations said "
                    + first.describeStatuses() + "; " + firstLook + " more were run in this process and "
                    + "the verdict is made from all " + samples.timed());
            return all;
        });
        Thresholds t = benchmark.thresholds().orElse(thresholds);
        // A sustained shift in the history may carry the REGRESSION one noisy run could not (change points).
        List<Verdict> verdicts = comparison.withHistory(measured.verdicts(), store.history(benchmark.key()),
                measured.draft(), store.baseline(benchmark.key()), t, measured.notes());
        Map<String, Object> extras = new LinkedHashMap<>(memoryExtras(samples.iterations(), heldBytes[0],
                keptBytes[0]));
        Double storedPerRow = loop.takeStoredBytesPerRow(benchmark);
        if (storedPerRow != null) {
            extras.put("stored_bytes_per_row", storedPerRow);
        }
        Map<String, Object> interference = measured.machine().toExtras();
        if (!interference.isEmpty()) {
            extras.put(Interference.EXTRAS_KEY, interference);
        }
        String ackReason = acknowledgements.get(benchmark.key());
        if (ackReason != null) {
            verdicts = Acknowledgement.apply(benchmark.key(), ackReason, measured.git().commit(), verdicts,
                    measured.notes(), extras);
        }
        BenchmarkResult result = result(benchmark, warmed[0], measured.samples(), measured.summaries(), verdicts,
                started, measured.git(), measured.draft().fingerprint(), measured.notes());
        List<Verdict> failing = List.of();
        if (failOnRegression && result.hasRegression()) {
            BuildGate.Decision gate = BuildGate.decide(results, result, 1.0 - comparison.confidence());
            failing = gate.failing();
            result = result(benchmark, warmed[0], result.samples(), result.summaries(), result.verdicts(), started,
                    measured.git(), result.fingerprint(), gate.notes());
        }
        return finish(result, failing, extras, ackReason != null);
    }

    private BenchmarkResult result(Benchmark b, int warmed, Map<Metric, List<Double>> samples,
                                   Map<Metric, MetricSummary> summaries, List<Verdict> verdicts,
                                   OffsetDateTime started, GitInfo git, Map<String, String> fingerprint,
                                   List<String> notes) {
        return new BenchmarkResult(b.testName(), b.loaderType(), b.datasetSize(), warmed, samples, summaries, verdicts,
                started, git.commit(), git.dirty(), environment, fingerprint, notes);
    }

    /** A run's samples judged against its baseline, before the history, acknowledgement and the build gate. */
    private record Measured(Map<Metric, List<Double>> samples, Map<Metric, MetricSummary> summaries,
                            BenchmarkRecord draft, List<Verdict> verdicts, List<String> notes, GitInfo git,
                            Interference machine) {
        boolean needsConfirmation() {
            return verdicts.stream().anyMatch(v -> v.status() == Verdict.Status.INCONCLUSIVE
                    || v.status() == Verdict.Status.REGRESSION);
        }

        String describeStatuses() {
            List<String> parts = new ArrayList<>();
            for (Verdict v : verdicts) {
                if (v.status() == Verdict.Status.INCONCLUSIVE || v.status() == Verdict.Status.REGRESSION) {
                    parts.add(v.status() + " (" + v.metric().displayName() + ")");
                }
            }
            return String.join(", ", parts);
        }
    }

    private Measured evaluate(Benchmark benchmark, IterationLoop.Samples runs, MachineSensor.Counters before,
                              OffsetDateTime started) {
        Interference machine = Interference.between(before, loop.sensor().read(), runs.speeds());
        Map<Metric, List<Double>> samples = IterationLoop.samplesOf(runs.iterations());
        Map<Metric, MetricSummary> summaries = new EnumMap<>(Metric.class);
        samples.forEach((m, list) -> summaries.put(m, Statistics.summarize(m, list)));
        Map<String, String> fingerprint = IterationLoop.fingerprint();
        double speed = runs.speeds().isEmpty() ? Double.NaN
                : Statistics.median(Statistics.toArray(runs.speeds()));
        if (!Double.isNaN(speed)) {
            fingerprint.put(MachineCalibration.RUN_SPEED_KEY, String.format(java.util.Locale.ROOT, "%.0f", speed));
        }
        GitInfo git = GitInfo.current(settings);
        BenchmarkRecord draft = new BenchmarkResult(benchmark.testName(), benchmark.loaderType(),
                benchmark.datasetSize(), 0, samples, summaries, List.of(), started, git.commit(), git.dirty(),
                environment, fingerprint, List.of()).toRecord();
        Optional<BenchmarkRecord> baseline = store.baseline(benchmark.key());
        List<BenchmarkRecord> history = baseline.isPresent() ? store.history(benchmark.key()) : List.of();
        BaselineComparison.Judgement j = comparison.judge(draft, speed, benchmark.thresholds().orElse(thresholds),
                Optional.of(machine), baseline, history);
        List<Verdict> verdicts = new ArrayList<>(j.verdicts());
        List<String> notes = new ArrayList<>(j.notes());
        Optional<LeakCheck> leak = LeakCheck.of(retained(runs.iterations()), comparison.memoryFloorMb());
        if (leak.isPresent()) {
            verdicts.replaceAll(v -> v.metric() == Metric.MEMORY ? leak.get().verdict(v) : v);
        }
        long noRows = runs.iterations().stream().filter(r -> r.timed() && r.rows() == 0).count();
        if (noRows > 0) {
            notes.add("allocation: no rows in " + noRows + " iteration(s), which give no bytes per row");
        }
        return new Measured(samples, summaries, draft, verdicts, notes, git, machine);
    }

    /**
     * The parts of {@code memory_mb} and the figure it replaced, recorded beside it: {@code memory_growth_mb} (the
     * old definition: heap growth above the level before the body + the Arrow peak), {@code loader_memory_mb} (what
     * the runner-owned loader held from its creation), {@code warmup_kept_mb} (what the warm-ups left behind:
     * connections opened and caches filled on first use), {@code memory_heap_mb}, {@code memory_arrow_mb} and
     * {@code memory_direct_mb} (the body's peaks of live heap, Arrow and direct buffers above their levels before
     * it), medians over the memory iterations.
     */
    private static Map<String, Object> memoryExtras(List<IterationProbe.Sample> runs, long heldBytes,
                                                    long keptBytes) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<IterationProbe.Sample> measured = runs.stream().filter(IterationProbe.Sample::heapMeasured).toList();
        if (measured.isEmpty()) {
            return out;
        }
        double mb = 1024.0 * 1024.0;
        out.put("memory_growth_mb", medianMb(measured, IterationProbe.Sample::growthBytes));
        out.put("memory_direct_mb", medianMb(measured, IterationProbe.Sample::directPeak));
        out.put("memory_arrow_mb", medianMb(measured, IterationProbe.Sample::arrowPeak));
        out.put("memory_heap_mb", medianMb(measured, IterationProbe.Sample::heapPeak));
        out.put("loader_memory_mb", heldBytes / mb);
        out.put("warmup_kept_mb", keptBytes / mb);
        return out;
    }

    /** The median of {@code bytes} over {@code runs}, in MiB. */
    private static double medianMb(List<IterationProbe.Sample> runs,
                                   java.util.function.ToLongFunction<IterationProbe.Sample> bytes) {
        return Statistics.median(runs.stream().mapToDouble(r -> bytes.applyAsLong(r) / (1024.0 * 1024.0)).toArray());
    }

    /** The settled heap after each memory iteration, in order: what the leak check reads. */
    private static List<Long> retained(List<IterationProbe.Sample> runs) {
        return runs.stream().filter(IterationProbe.Sample::heapMeasured).map(IterationProbe.Sample::retainedAfter)
                .toList();
    }

    private BenchmarkResult finish(BenchmarkResult result, List<Verdict> failing, Map<String, Object> extras,
                                   boolean forceMove) {
        results.add(result);
        extras.put("verdict", VerdictText.verdictSummary(result)); // the CLI's summary shows the last one
        record(result, extras, forceMove);
        reporters.forEach(r -> r.benchmarkFinished(result));
        if (!failing.isEmpty()) {
            throw new PerformanceRegressionError(PerformanceRegressionError.describe(List.of(result)), result);
        }
        return result;
    }

    /**
     * Accepts the regressions of the next runs of {@code key} (for this runner) as expected, with {@code reason}:
     * they are reported as acknowledged instead of REGRESSION, the run becomes the baseline whatever the policy,
     * and the store keeps the reason, the commit and the time in the run's {@code acknowledged} field.
     */
    public PerfRunner acknowledge(String key, String reason) {
        acknowledgements.put(RunnerSettings.checkKey(key), RunnerSettings.checkReason(key, reason));
        return this;
    }

    /**
     * Compares two variants of a benchmark (two loader settings, two implementations) in this process: their
     * setups, then warm-ups of both, then pairs of measured iterations, each pair in a random order (A B or B A),
     * so that whatever changes while they run (the machine's load, the JIT, the heap) hits both alike. Each metric
     * gets a paired verdict: the candidate against the baseline, pair by pair (one-sample Hodges-Lehmann with an
     * exact signed-rank bound). Nothing is recorded in the store; the reporters see the candidate's result with
     * these verdicts.
     *
     * @return the comparison, with the samples of both and a verdict per compared metric
     * @throws PerformanceRegressionError when fail-on-regression is on and the candidate regressed (after reporting)
     */
    public PairedComparison compare(Benchmark baseline, Benchmark candidate) {
        Objects.requireNonNull(baseline, "baseline is null");
        Objects.requireNonNull(candidate, "candidate is null");
        if (baseline.key().equals(candidate.key())) {
            throw new IllegalArgumentException("paired benchmarks need different keys, both are " + baseline.key());
        }
        OffsetDateTime started = OffsetDateTime.now();
        long t0 = loop.now();
        reporters.forEach(r -> r.benchmarkStarted(candidate, warmups, pairs));
        IterationLoop.Pairs p = loop.pairs(baseline, candidate, t0);
        Map<Metric, List<Double>> sa = IterationLoop.samplesOf(p.a());
        Map<Metric, List<Double>> sb = IterationLoop.samplesOf(p.b());
        Thresholds t = candidate.thresholds().orElse(thresholds);
        List<Verdict> list = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        notes.add("paired with " + baseline.key() + ": " + p.orders().size() + " interleaved pairs in this process, order "
                + String.join(" ", p.orders()));
        for (Metric m : comparison.compared()) {
            Verdict v = comparison.paired(m, sa.get(m), sb.get(m), t.of(m), candidate.datasetSize());
            list.add(v);
            BaselineComparison.mdeWarning(v, comparison.memoryFloorMb()).ifPresent(notes::add);
        }
        Map<Metric, MetricSummary> summaries = new EnumMap<>(Metric.class);
        sb.forEach((m, l) -> summaries.put(m, Statistics.summarize(m, l)));
        GitInfo git = GitInfo.current(settings);
        BenchmarkResult candidateResult = result(candidate, warmups, sb, summaries, list, started, git,
                IterationLoop.fingerprint(), notes);
        results.add(candidateResult);
        reporters.forEach(r -> r.benchmarkFinished(candidateResult));
        // Fail-on-regression as in run(): only regressions that survive Holm's correction across the compared metrics.
        if (failOnRegression && !BuildGate.failingRegressions(List.of(candidateResult),
                1.0 - comparison.confidence()).isEmpty()) {
            throw new PerformanceRegressionError(PerformanceRegressionError.describe(List.of(candidateResult)),
                    candidateResult);
        }
        return new PairedComparison(baseline.key(), candidate.key(), p.orders().size(), sa, sb, list, notes,
                candidateResult);
    }

    private void record(BenchmarkResult result, Map<String, Object> extras, boolean forceMove) {
        BenchmarkRecord record = extras.isEmpty() ? result.toRecord() : result.toRecord().withExtras(extras);
        boolean move;
        if (policy == BaselinePolicy.PINNED && !forceMove) {
            // decided by the store while it writes: a baseline read here could be set by another run before the write
            move = store.recordSettingBaselineIfAbsent(record);
        } else {
            move = forceMove || policy == BaselinePolicy.ALWAYS_UPDATE || !result.hasRegression();
            store.record(record, move);
        }
        LOG.debug("Recorded {} in {} (baseline {})", result.key(), store.location(), move ? "moved" : "kept");
    }

    /** Tells the reporters the run is over (they print the summary) and releases the runner's memory. */
    @Override
    public void close() {
        loop.releaseTurn();
        try {
            List<BenchmarkResult> all = results();
            reporters.forEach(r -> r.runFinished(all));
        } finally {
            try {
                root.close();
            } catch (IllegalStateException e) {
                if (!loop.leakReported()) {
                    throw e;
                }
                LOG.warn("Arrow memory leaked by a benchmark (reported when it ran) is still allocated");
            }
        }
    }

    /** Configures a {@link PerfRunner}; every setter checks its value at once. */
    @Api(status = Api.Status.STABLE, since = "0.1")
    public static final class Builder {
        private final PerfSettings settings;
        private BaselineStore store;
        private Thresholds thresholds;
        private int warmups;
        private double warmupSeconds;
        private int iterations;
        private double measureSeconds;
        private double pairedSeconds;
        private double confidence;
        private BaselinePolicy policy;
        private boolean failOnRegression;
        private String environment;
        private final List<Reporter> reporters = new ArrayList<>();
        private boolean defaultReporters = true;
        private Set<Metric> compared;
        private boolean confirm;
        private double runNoise;
        private int noiseWindow;
        private int pairs;
        private boolean speedCorrection;
        private final Map<String, String> acknowledgements = new java.util.LinkedHashMap<>();
        private double memoryFloorMb;
        private java.util.function.LongSupplier clock = System::nanoTime;
        private MachineSensor sensor;

        private Builder(PerfSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings is null");
            RunnerSettings s = RunnerSettings.from(settings);
            this.warmups = s.warmups();
            this.warmupSeconds = s.warmupSeconds();
            this.iterations = s.iterations();
            this.measureSeconds = s.measureSeconds();
            this.pairedSeconds = s.pairedSeconds();
            this.confidence = s.confidence();
            this.policy = s.policy();
            this.failOnRegression = s.failOnRegression();
            this.environment = s.environment();
            this.thresholds = s.thresholds();
            this.confirm = s.confirm();
            this.runNoise = s.runNoise();
            this.noiseWindow = s.noiseWindow();
            this.pairs = s.pairs();
            this.speedCorrection = s.speedCorrection();
            this.memoryFloorMb = s.memoryFloorMb();
            this.acknowledgements.putAll(s.acknowledgements());
            this.compared = EnumSet.copyOf(s.compared());
        }

        /**
         * The smallest memory change (in MB) that can be called a REGRESSION, INCONCLUSIVE or IMPROVED; a smaller one
         * is OK (unchanged) whatever its statistics; default 1
         * ({@code PERF_MEMORY_FLOOR_MB}).
         */
        public Builder memoryFloor(double mb) {
            this.memoryFloorMb = RunnerSettings.checkMemoryFloor(mb);
            return this;
        }

        /**
         * The clock (nanoseconds, like {@link System#nanoTime()}) that times bodies and decides when time-based
         * loops stop; tests pass a fake one that their bodies advance.
         */
        Builder ticker(java.util.function.LongSupplier ticker) {
            this.clock = Objects.requireNonNull(ticker, "ticker is null");
            return this;
        }

        /** What the runner reads of the machine's interference and speed; tests pass fixed figures. */
        Builder machineSensor(MachineSensor machineSensor) {
            this.sensor = Objects.requireNonNull(machineSensor, "machineSensor is null");
            return this;
        }

        /**
         * Whether an INCONCLUSIVE or REGRESSION verdict re-runs the measured iterations once more in the same
         * process before it is final (the verdict then uses all samples); default on ({@code PERF_CONFIRM}).
         */
        public Builder confirm(boolean confirm) {
            this.confirm = confirm;
            return this;
        }

        /**
         * The run-to-run noise (in %, the standard deviation of the difference between two separate runs beyond
         * what their samples show) assumed until a benchmark has {@value RunnerSettings#MIN_NOISE_RUNS} earlier runs on
         * this machine in the store; default 10 ({@code PERF_RUN_NOISE}).
         */
        public Builder runNoise(double percent) {
            this.runNoise = RunnerSettings.checkRunNoise(percent);
            return this;
        }

        /** How many of the latest runs estimate the run-to-run noise; default 20 ({@code PERF_NOISE_WINDOW}). */
        public Builder noiseWindow(int runs) {
            this.noiseWindow = RunnerSettings.checkNoiseWindow(runs);
            return this;
        }

        /**
         * Whether runs time the machine's speed between their measured iterations and verdicts correct for it where
         * the benchmark's history shows it follows it ({@link SpeedAdjustment}); default on
         * ({@code PERF_SPEED_CORRECTION}).
         */
        public Builder speedCorrection(boolean on) {
            this.speedCorrection = on;
            return this;
        }

        /** Interleaved pairs measured by {@link PerfRunner#compare}; default 10 ({@code PERF_PAIRS}). */
        public Builder pairs(int n) {
            this.pairs = RunnerSettings.checkPairs(n);
            return this;
        }

        /**
         * Accepts the regressions of benchmark {@code key} ({@code {loader_type}_{test_name}}) as expected, with
         * {@code reason} (also {@code PERF_ACKNOWLEDGE=<key>:<reason>}, several separated by {@code ;}).
         */
        public Builder acknowledge(String key, String reason) {
            acknowledgements.put(RunnerSettings.checkKey(key), RunnerSettings.checkReason(key, reason));
            return this;
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
            this.warmups = RunnerSettings.checkWarmups(n);
            return this;
        }

        /**
         * The least time the warm-up takes before measuring ({@code PERF_WARMUP_SECONDS}, default 1 s, wall time):
         * warm-up iterations continue past {@link #warmupIterations} until it has passed (at most 200; no warm-up at
         * all when {@code warmupIterations} is 0). Short bodies need many iterations to reach compiled code; a body
         * longer than this needs only its minimum.
         */
        public Builder warmupTime(java.time.Duration time) {
            this.warmupSeconds = RunnerSettings.checkSeconds("PERF_WARMUP_SECONDS",
                    Objects.requireNonNull(time, "time is null").toNanos() / 1e9);
            return this;
        }

        /**
         * The least time the measured iterations take ({@code PERF_MEASURE_SECONDS}, default 1 s, wall time):
         * measured iterations continue past {@link #measuredIterations} until it has passed, up to
         * {@value IterationLoop#MAX_TIMED_ITERATIONS} in all. {@code Duration.ZERO}: exactly
         * {@link #measuredIterations}.
         */
        public Builder measurementTime(java.time.Duration time) {
            this.measureSeconds = RunnerSettings.checkSeconds("PERF_MEASURE_SECONDS",
                    Objects.requireNonNull(time, "time is null").toNanos() / 1e9);
            return this;
        }

        /**
         * The least time the interleaved pairs of {@link PerfRunner#compare} take ({@code PERF_PAIRED_SECONDS},
         * default 30 s, wall time): pairs continue past {@link #pairs} until it has passed, up to
         * {@value IterationLoop#MAX_TIMED_ITERATIONS} pairs. {@code Duration.ZERO}: exactly {@link #pairs}.
         */
        public Builder pairedTime(java.time.Duration time) {
            this.pairedSeconds = RunnerSettings.checkSeconds("PERF_PAIRED_SECONDS",
                    Objects.requireNonNull(time, "time is null").toNanos() / 1e9);
            return this;
        }

        /**
         * Iterations measured, at least; default 5 (5 against 5 samples give a 99% rank bound; 4 against 4 cannot);
         * more while {@link #measurementTime} has not passed.
         */
        public Builder measuredIterations(int n) {
            this.iterations = RunnerSettings.checkIterations(n);
            return this;
        }

        /**
         * One-sided confidence a REGRESSION needs; default 0.99 (measured: at 0.95, 1 in 20 A/A comparisons between
         * separate runs on a loaded machine came out REGRESSION; see the README, "Verdicts you can trust").
         */
        public Builder confidence(double c) {
            this.confidence = RunnerSettings.checkConfidence(c);
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

        /** The metrics that get verdicts; default {@code PERF_METRICS}, else throughput, memory and duration. */
        public Builder comparedMetrics(Set<Metric> metrics) {
            if (metrics.isEmpty()) {
                throw new IllegalArgumentException("comparedMetrics must not be empty");
            }
            this.compared = EnumSet.copyOf(metrics);
            return this;
        }

        private BaselineComparison comparison() {
            return new BaselineComparison(confidence, compared, runNoise, noiseWindow, speedCorrection, memoryFloorMb);
        }

        private IterationLoop.Plan plan() {
            return new IterationLoop.Plan(warmups, warmupSeconds, iterations, measureSeconds, pairs, pairedSeconds,
                    speedCorrection);
        }

        /** The thresholds a runner of this builder judges by (settings applied); the two-commit comparison uses them. */
        public Thresholds thresholds() {
            return thresholds;
        }

        /** The one-sided confidence a REGRESSION needs ({@code PERF_CONFIDENCE}). */
        public double confidence() {
            return confidence;
        }

        /** The memory floor in MB ({@code PERF_MEMORY_FLOOR_MB}). */
        public double memoryFloorMb() {
            return memoryFloorMb;
        }

        /** The runner. */
        public PerfRunner build() {
            if (defaultReporters) {
                reporters.clear();
                if (store == null) {
                    // the report charts the history of the store the runner uses
                    store = BaselineStores.fromSettings(settings);
                }
                ReportWriter reports = ReportWriter.fromSettings(settings, store, comparison(), thresholds);
                reporters.add(reports); // first: it has written the files when the console says where they are
                reporters.add(new ConsoleReporter().withReports(reports));
            }
            return new PerfRunner(this);
        }
    }
}
