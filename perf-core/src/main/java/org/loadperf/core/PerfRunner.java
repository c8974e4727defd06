package org.loadperf.core;

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
import org.loadperf.core.measure.GitInfo;
import org.loadperf.core.measure.Interference;
import org.loadperf.core.measure.IterationProbe;
import org.loadperf.core.measure.MachineCalibration;
import org.loadperf.core.measure.MachineFingerprint;
import org.loadperf.core.measure.MachineSensor;
import org.loadperf.core.measure.OwnedLoader;
import org.loadperf.core.report.ConsoleReporter;
import org.loadperf.core.report.ReportWriter;
import org.loadperf.core.report.VerdictText;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.stats.Statistics;
import org.loadperf.core.store.BaselineStores;
import org.loadperf.core.store.PostgresBaselineStore;
import org.loadperf.core.verdict.ChangePointVerdicts;
import org.loadperf.core.verdict.LeakCheck;
import org.loadperf.core.verdict.MemoryNoise;
import org.loadperf.core.verdict.RunToRunNoise;
import org.loadperf.core.verdict.SpeedAdjustment;
import org.loadperf.core.verdict.VerdictEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link Benchmark}s: warm-up iterations, then measured ones, each timed (the first
 * {@link Builder#measuredIterations} also measure the heap); compares the
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
 *   <tr><td>PERF_STORE / perf.store</td><td>performance_benchmarks.json</td><td>the baseline file, or a PostgreSQL
 *   URL ({@link PostgresBaselineStore})</td></tr>
 *   <tr><td>PERF_WARMUP_ITERATIONS</td><td>1</td><td>iterations run and discarded, at least (0: no warm-up)</td></tr>
 *   <tr><td>PERF_WARMUP_SECONDS</td><td>1</td><td>more warm-up iterations until this much wall time has passed
 *       (at most {@value #MAX_TIMED_WARMUPS})</td></tr>
 *   <tr><td>PERF_ITERATIONS</td><td>5</td><td>measured iterations, at least</td></tr>
 *   <tr><td>PERF_MEASURE_SECONDS</td><td>1</td><td>more measured iterations until this much wall time has passed
 *       (at most {@value #MAX_TIMED_ITERATIONS} in all)</td></tr>
 *   <tr><td>PERF_CONFIDENCE</td><td>0.99</td><td>one-sided confidence that a REGRESSION is worse at all (its
 *       change must also be past the threshold)</td></tr>
 *   <tr><td>PERF_BASELINE_POLICY</td><td>always</td><td>always, update-unless-regressed, pinned</td></tr>
 *   <tr><td>PERF_FAIL_ON_REGRESSION</td><td>false</td><td>throw {@link PerformanceRegressionError}</td></tr>
 *   <tr><td>PERF_THRESHOLD_THROUGHPUT, _MEMORY, _DURATION</td><td>5, 10, 10</td><td>thresholds in %</td></tr>
 *   <tr><td>PERF_ENV</td><td>local</td><td>environment recorded</td></tr>
 *   <tr><td>PERF_CONFIRM</td><td>true</td><td>re-run an INCONCLUSIVE or REGRESSION verdict once in the same
 *       process; the verdict then uses all samples</td></tr>
 *   <tr><td>PERF_RUN_NOISE</td><td>10</td><td>run-to-run noise (%) assumed until the store holds
 *       {@value #MIN_NOISE_RUNS} earlier runs of the benchmark on this machine</td></tr>
 *   <tr><td>PERF_NOISE_WINDOW</td><td>20</td><td>latest runs that estimate the run-to-run noise</td></tr>
 *   <tr><td>PERF_PAIRS</td><td>10</td><td>interleaved pairs of {@link #compare}, at least</td></tr>
 *   <tr><td>PERF_PAIRED_SECONDS</td><td>30</td><td>more pairs until this much wall time has passed (at most
 *       {@value #MAX_TIMED_ITERATIONS} pairs)</td></tr>
 *   <tr><td>PERF_SPEED_CORRECTION</td><td>true</td><td>time the machine's speed between measured iterations
 *       ({@value #SPEED_SLICES} slices of about 5 ms each) and correct for it where the history shows the
 *       benchmark follows it (see {@link SpeedAdjustment})</td></tr>
 *   <tr><td>PERF_MEMORY_FLOOR_MB</td><td>1</td><td>a memory change smaller than this (MB) is OK, whatever its
 *       statistics: below what the heap measurement resolves</td></tr>
 *   <tr><td>PERF_ACKNOWLEDGE</td><td></td><td>{@code <key>:<reason>[;...]}: accept a benchmark's regression,
 *       record why, move its baseline</td></tr>
 * </table>
 *
 * <p>Verdicts between separate runs add the run-to-run noise measured from the store's history to the noise the
 * samples show (see the README, "Verdicts you can trust"); a threshold below what that noise lets us detect is
 * reported in the result's notes. With fail-on-regression, a regression fails only when it survives Holm's
 * correction across all comparisons the runner has made so far, so the chance of a false failure does not grow with
 * the number of benchmarks and metrics.
 *
 * <p>A runner is not thread-safe: run benchmarks one after another (a measurement needs the machine to itself).
 */
public final class PerfRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PerfRunner.class);

    /** The system properties a runner understands; any other {@code perf.*} property is a mistake. */
    static final Set<String> KNOWN_PROPERTIES = Set.of("perf.store", "perf.warmupIterations", "perf.iterations",
            "perf.confidence", "perf.baselinePolicy", "perf.failOnRegression", "perf.thresholdThroughput",
            "perf.thresholdMemory", "perf.thresholdDuration", "perf.thresholdAllocation", "perf.env", "perf.testSize", "perf.envFile",
            "perf.acknowledge", "perf.confirm", "perf.runNoise", "perf.noiseWindow", "perf.pairs",
            "perf.reportDir", "perf.warmupSeconds", "perf.speedCorrection", "perf.measureSeconds",
            "perf.pairedSeconds", "perf.memoryFloorMb");

    /**
     * Warm-up iterations beyond which a time-based warm-up stops even if its time has not passed: a body of
     * microseconds is warm long before that, and every iteration also runs its beforeEach/afterEach.
     */
    static final int MAX_TIMED_WARMUPS = 200;

    /**
     * Measured iterations beyond which a time-based measurement stops even if its time has not passed: a body of
     * microseconds has shown its figure long before, and every sample is kept in the store's history.
     */
    static final int MAX_TIMED_ITERATIONS = 100;

    /** Earlier runs needed before the run-to-run noise is estimated from history instead of assumed. */
    static final int MIN_NOISE_RUNS = 5;

    /**
     * Slices of the reference workload timed after every measured iteration to know the machine's speed during the
     * run: 5 iterations give 20, whose median moves by a few percent at most when nothing changes.
     */
    static final int SPEED_SLICES = 4;

    /** Warm-up iterations after which slices are also run (untimed), so that their code is compiled when timed. */
    private static final int SPEED_WARMUPS = 3;

    private final BaselineStore store;
    private final Thresholds thresholds;
    private final int warmups;
    private final double warmupSeconds;
    private final int iterations;
    private final double measureSeconds;
    private final double pairedSeconds;
    private final VerdictEngine verdicts;
    private final BaselinePolicy policy;
    private final boolean failOnRegression;
    private final String environment;
    private final List<Reporter> reporters;
    private final Set<Metric> compared;
    private final PerfSettings settings;
    private final BufferAllocator root;
    private final List<BenchmarkResult> results = new ArrayList<>();
    private final boolean confirm;
    private final double runNoisePrior;
    private final int noiseWindow;
    private final int pairs;
    private final boolean speedCorrection;
    private final Map<String, String> acknowledgements;
    private final double memoryFloorMb;
    private final java.util.function.LongSupplier clock;
    private final MachineSensor sensor;
    private final java.util.Random order = new java.util.Random();
    private boolean leakReported;

    private PerfRunner(Builder b) {
        this.settings = b.settings;
        this.store = b.store != null ? b.store : BaselineStores.fromSettings(b.settings);
        this.thresholds = b.thresholds;
        this.warmups = b.warmups;
        this.warmupSeconds = b.warmupSeconds;
        this.iterations = b.iterations;
        this.measureSeconds = b.measureSeconds;
        this.pairedSeconds = b.pairedSeconds;
        this.verdicts = new VerdictEngine(b.confidence);
        this.policy = b.policy;
        this.failOnRegression = b.failOnRegression;
        this.environment = b.environment;
        this.reporters = List.copyOf(b.reporters);
        this.compared = Collections.unmodifiableSet(EnumSet.copyOf(b.compared));
        this.root = new RootAllocator();
        this.confirm = b.confirm;
        this.runNoisePrior = b.runNoise;
        this.noiseWindow = b.noiseWindow;
        this.pairs = b.pairs;
        this.speedCorrection = b.speedCorrection;
        this.acknowledgements = new java.util.LinkedHashMap<>(b.acknowledgements);
        this.memoryFloorMb = b.memoryFloorMb;
        this.clock = b.clock;
        this.sensor = b.sensor != null ? b.sensor : MachineSensor.system(b.clock);
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
        long t0 = clock.getAsLong();
        reporters.forEach(r -> r.benchmarkStarted(benchmark, warmups, iterations));
        List<IterationProbe.Sample> samples = new ArrayList<>();
        List<Double> speeds = new ArrayList<>();
        if (speedCorrection) {
            // Once per JVM (cached); here rather than at the first verdict so that the reference workload's code is
            // compiled before the first slice is timed.
            MachineCalibration.opsPerSecond();
        }
        Evaluation evaluation;
        int warmed;
        long heldBytes;
        try (BufferAllocator benchAllocator = root.newChildAllocator(benchmark.key(), 0, Long.MAX_VALUE)) {
            // the loader first: setup may use it (creating the table); its creation is not measured as a load
            Context setupContext = own(benchmark, benchAllocator);
            heldBytes = setupContext.owned() == null ? 0 : setupContext.owned().heldBytes();
            try {
                phase("setup", benchmark, () -> benchmark.setup().run(setupContext));
            } catch (RuntimeException e) {
                // a setup that failed half-way (data made, then a refused connection) may hold what teardown frees
                try {
                    benchmark.teardown().run(setupContext);
                } catch (Exception | AssertionError t) {
                    e.addSuppressed(t);
                }
                try {
                    release(benchmark);
                } catch (RuntimeException t) {
                    e.addSuppressed(t);
                }
                throw e;
            }
            try {
                warmed = warmUp(benchmark, t0);
                MachineSensor.Counters before = sensor.read();
                measure(benchmark, samples, speeds, iterations, measureSeconds, t0);
                Interference machine = Interference.between(before, sensor.read(), speeds);
                evaluation = evaluate(benchmark, samples, speeds, machine);
                if (confirm && evaluation.needsConfirmation()) {
                    // A second look in the same process: the verdict is then made from all samples, so a
                    // confirmation cannot raise the false-alarm rate above that of a single look.
                    int firstLook = samples.size();
                    measure(benchmark, samples, speeds, firstLook, 0, t0);
                    machine = Interference.between(before, sensor.read(), speeds);
                    Evaluation first = evaluation;
                    evaluation = evaluate(benchmark, samples, speeds, machine);
                    evaluation.notes().add(0, "confirmation: the first " + firstLook + " iterations said "
                            + first.describeStatuses() + "; " + firstLook + " more were run in this process and "
                            + "the verdict is made from all " + samples.size());
                }
            } finally {
                try {
                    phase("teardown", benchmark, () -> benchmark.teardown().run(setupContext));
                } finally {
                    release(benchmark);
                }
            }
        }
        // A sustained shift in the history may carry the REGRESSION one noisy run could not (ChangePointVerdicts).
        BenchmarkRecord draft = new BenchmarkResult(benchmark.testName(), benchmark.loaderType(),
                benchmark.datasetSize(), warmed, evaluation.samples(), evaluation.summaries(), List.of(), started,
                evaluation.git().commit(), evaluation.git().dirty(), environment, evaluation.fingerprint(), List.of())
                .toRecord();
        Evaluation ev = new Evaluation(evaluation.samples(), evaluation.summaries(), ChangePointVerdicts.apply(
                evaluation.verdicts(), store.history(benchmark.key()), draft, store.baseline(benchmark.key()),
                benchmark.thresholds().orElse(thresholds), evaluation.notes(), memoryFloorMb), evaluation.notes(),
                evaluation.fingerprint(), evaluation.git(), evaluation.machine());
        String ackReason = acknowledgements.get(benchmark.key());
        Map<String, Object> extras = new java.util.LinkedHashMap<>(memoryExtras(samples, heldBytes));
        Double storedPerRow = reported.remove(benchmark);
        if (storedPerRow != null) {
            extras.put("stored_bytes_per_row", storedPerRow);
        }
        Map<String, Object> interference = ev.machine().toExtras();
        if (!interference.isEmpty()) {
            extras.put(Interference.EXTRAS_KEY, interference);
        }
        List<Verdict> verdictList = ev.verdicts();
        if (ackReason != null) {
            verdictList = acknowledge(benchmark.key(), ackReason, ev, extras);
        }
        BenchmarkResult result = new BenchmarkResult(benchmark.testName(), benchmark.loaderType(),
                benchmark.datasetSize(), warmed, ev.samples(), ev.summaries(), verdictList, started, ev.git().commit(),
                ev.git().dirty(), environment, ev.fingerprint(), ev.notes());
        List<Verdict> failing = List.of();
        if (failOnRegression && result.hasRegression()) {
            List<BenchmarkResult> family = new ArrayList<>(results);
            family.add(result);
            failing = failingRegressions(family, 1.0 - verdicts.confidence()).stream()
                    .filter(f -> f.key().equals(result.key()) && f.timestamp().equals(result.timestamp()))
                    .flatMap(f -> f.regressions().stream()).toList();
            if (failing.size() < result.regressions().size()) {
                List<String> notes = new ArrayList<>(result.notes());
                notes.add((result.regressions().size() - failing.size()) + " regression(s) of this benchmark do "
                        + "not fail the build: they do not survive Holm's correction across the "
                        + countComparisons(family) + " comparisons of this run");
                BenchmarkResult noted = withNotes(result, notes);
                return finish(noted, failing, extras, ackReason != null);
            }
        }
        return finish(result, failing, extras, ackReason != null);
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

    private static BenchmarkResult withNotes(BenchmarkResult r, List<String> notes) {
        return new BenchmarkResult(r.testName(), r.loaderType(), r.datasetSize(), r.warmupIterations(), r.samples(),
                r.summaries(), r.verdicts(), r.timestamp(), r.gitCommit(), r.gitDirty(), r.environment(),
                r.fingerprint(), notes);
    }

    private static int countComparisons(List<BenchmarkResult> family) {
        return family.stream().mapToInt(r -> (int) r.verdicts().stream()
                .filter(v -> !Double.isNaN(v.regressionPercent()) && v.status() != Verdict.Status.NO_BASELINE)
                .count()).sum();
    }

    /**
     * The results whose regressions survive Holm's step-down correction at family-wise error rate {@code alpha},
     * the family being every compared metric of every result given; each returned result keeps only its verdicts.
     * A regression that does not survive stays a REGRESSION in its result (its own bound is past the threshold),
     * but failing a build on it would make the chance of any false failure grow with the number of comparisons.
     */
    static List<BenchmarkResult> failingRegressions(List<BenchmarkResult> family, double alpha) {
        List<Verdict> all = new ArrayList<>();
        List<BenchmarkResult> owner = new ArrayList<>();
        for (BenchmarkResult r : family) {
            for (Verdict v : r.verdicts()) {
                if (v.status() != Verdict.Status.NO_BASELINE && !Double.isNaN(v.regressionPercent())) {
                    all.add(v);
                    owner.add(r);
                }
            }
        }
        double[] p = new double[all.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = VerdictEngine.pValue(all.get(i));
        }
        boolean[] rejected = Statistics.holm(p, alpha);
        List<BenchmarkResult> out = new ArrayList<>();
        for (BenchmarkResult r : family) {
            boolean any = false;
            for (int i = 0; i < all.size(); i++) {
                if (owner.get(i) == r && rejected[i] && all.get(i).isRegression()) {
                    any = true;
                }
            }
            if (any) {
                List<Verdict> keep = new ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    if (owner.get(i) == r && (!all.get(i).isRegression() || rejected[i])) {
                        keep.add(all.get(i));
                    }
                }
                out.add(new BenchmarkResult(r.testName(), r.loaderType(), r.datasetSize(), r.warmupIterations(),
                        r.samples(), r.summaries(), keep, r.timestamp(), r.gitCommit(), r.gitDirty(), r.environment(),
                        r.fingerprint(), r.notes()));
            }
        }
        return out;
    }

    /**
     * Accepts the regressions of the next runs of {@code key} (for this runner) as expected, with {@code reason}:
     * they are reported as acknowledged instead of REGRESSION, the run becomes the baseline whatever the policy,
     * and the store keeps the reason, the commit and the time in the run's {@code acknowledged} field.
     */
    public PerfRunner acknowledge(String key, String reason) {
        acknowledgements.put(Builder.checkKey(key), Builder.checkReason(key, reason));
        return this;
    }

    private List<Verdict> acknowledge(String key, String reason, Evaluation ev, Map<String, Object> extras) {
        List<Verdict> out = new ArrayList<>();
        List<String> accepted = new ArrayList<>();
        for (Verdict v : ev.verdicts()) {
            if (v.isRegression()) {
                accepted.add(String.format(java.util.Locale.ROOT, "%s %.1f%%", v.metric().displayName(),
                        v.regressionPercent()));
                out.add(new Verdict(v.metric(), Verdict.Status.OK, v.regressionPercent(), v.baseline(), v.current(),
                        v.confidenceBound(), v.confidence(), v.thresholdPercent(), v.noisePercent(),
                        v.minDetectablePercent(), v.method(), "acknowledged regression (" + reason + "): "
                        + v.message()));
            } else {
                out.add(v);
            }
        }
        Map<String, Object> ack = new java.util.LinkedHashMap<>();
        ack.put("reason", reason);
        ack.put("commit", ev.git().commit());
        ack.put("time", OffsetDateTime.now().format(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        ack.put("regressions", List.copyOf(accepted));
        extras.put("acknowledged", ack);
        ev.notes().add(accepted.isEmpty()
                ? "acknowledged (" + reason + "), but nothing regressed; the baseline moves to this run"
                : "acknowledged regression of " + String.join(", ", accepted) + " (" + reason + "); the baseline "
                        + "moves to this run");
        LOG.info("Acknowledged {} for {}: {}", accepted.isEmpty() ? "no regression" : accepted, key, reason);
        return out;
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
        long t0 = clock.getAsLong();
        reporters.forEach(r -> r.benchmarkStarted(candidate, warmups, pairs));
        List<IterationProbe.Sample> a = new ArrayList<>();
        List<IterationProbe.Sample> b = new ArrayList<>();
        StringBuilder orders = new StringBuilder();
        try (BufferAllocator allocA = root.newChildAllocator(baseline.key(), 0, Long.MAX_VALUE);
             BufferAllocator allocB = root.newChildAllocator(candidate.key(), 0, Long.MAX_VALUE)) {
            Context ctxA = own(baseline, allocA);
            try {
                phase("setup", baseline, () -> baseline.setup().run(ctxA));
            } catch (RuntimeException e) {
                release(baseline);
                throw e;
            }
            try {
                Context ctxB = own(candidate, allocB);
                try {
                    phase("setup", candidate, () -> candidate.setup().run(ctxB));
                } catch (RuntimeException e) {
                    release(candidate);
                    throw e;
                }
                try {
                    warmUp(baseline, t0);
                    warmUp(candidate, t0);
                    // Time-based like measure(): one iteration differs from the next by 10-20% on a shared machine
                    // (measured: README, "Verdicts you can trust"), so 10 pairs bound a change only to +-10%; finding
                    // a 10% change 19 times in 20 takes 60-100.
                    long start = clock.getAsLong();
                    for (int i = 1; goesOn(i - 1, pairs, start, pairedSeconds, MAX_TIMED_ITERATIONS); i++) {
                        int total = Math.max(i, pairs);
                        if (order.nextBoolean()) {
                            a.add(iteration(baseline, i, false, t0, total));
                            b.add(iteration(candidate, i, false, t0, total));
                            orders.append("AB ");
                        } else {
                            b.add(iteration(candidate, i, false, t0, total));
                            a.add(iteration(baseline, i, false, t0, total));
                            orders.append("BA ");
                        }
                    }
                } finally {
                    try {
                        phase("teardown", candidate, () -> candidate.teardown().run(ctxB));
                    } finally {
                        release(candidate);
                    }
                }
            } finally {
                try {
                    phase("teardown", baseline, () -> baseline.teardown().run(ctxA));
                } finally {
                    release(baseline);
                }
            }
        }
        Map<Metric, List<Double>> sa = samplesOf(a);
        Map<Metric, List<Double>> sb = samplesOf(b);
        Thresholds t = candidate.thresholds().orElse(thresholds);
        List<Verdict> list = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        notes.add("paired with " + baseline.key() + ": " + a.size() + " interleaved pairs in this process, order "
                + orders.toString().strip());
        for (Metric m : compared) {
            Verdict v = VerdictEngine.floor(verdicts.comparePaired(m, sa.get(m), sb.get(m), t.of(m)),
                    memoryFloorMb);
            list.add(v);
            mdeWarning(v).ifPresent(notes::add);
        }
        Map<Metric, MetricSummary> summaries = new EnumMap<>(Metric.class);
        sb.forEach((m, l) -> summaries.put(m, Statistics.summarize(m, l)));
        GitInfo git = GitInfo.current(settings);
        BenchmarkResult candidateResult = new BenchmarkResult(candidate.testName(), candidate.loaderType(),
                candidate.datasetSize(), warmups, sb, summaries, list, started, git.commit(), git.dirty(), environment,
                fingerprint(), notes);
        results.add(candidateResult);
        reporters.forEach(r -> r.benchmarkFinished(candidateResult));
        // Fail-on-regression as in run(): only regressions that survive Holm's correction across the compared metrics.
        if (failOnRegression && !failingRegressions(List.of(candidateResult), 1.0 - verdicts.confidence()).isEmpty()) {
            throw new PerformanceRegressionError(PerformanceRegressionError.describe(List.of(candidateResult)),
                    candidateResult);
        }
        return new PairedComparison(baseline.key(), candidate.key(), a.size(), sa, sb, list, notes, candidateResult);
    }

    /**
     * Warm-up: at least {@code warmupIterations}, and more until {@code warmupSeconds} have passed since it began
     * (at most {@link #MAX_TIMED_WARMUPS}); none at all with {@code warmupIterations} 0. A fixed count cannot fit
     * every body: one iteration of a 2-second load leaves the JIT done, one of a 20 ms load leaves half the code
     * interpreted and the next JVM's run 30% faster or slower by chance (measured, README "Verdicts you can
     * trust"). Warm-up iterations skip the probe's heap settling, which would cost more than a short body.
     *
     * @return the warm-up iterations run
     */
    private int warmUp(Benchmark benchmark, long t0) {
        long start = clock.getAsLong();
        int i = 0;
        // Wall time, beforeEach and afterEach included, so that a tiny body with a slow per-iteration set-up cannot
        // stretch the warm-up beyond its time.
        while (goesOn(i, warmups, start, warmups > 0 ? warmupSeconds : 0, MAX_TIMED_WARMUPS)) {
            i++;
            iteration(benchmark, i, true, t0, Math.max(i, warmups));
            if (i <= SPEED_WARMUPS) {
                timeSpeed(null);
            }
        }
        return i;
    }

    /**
     * Measured iterations, appended to {@code samples}: at least {@code atLeast}, and more until {@code seconds} of
     * wall time have passed (at most {@link #MAX_TIMED_ITERATIONS} samples in all). Why by time: the noise that
     * decides a verdict between separate runs is the machine's, which changes over seconds; five iterations of a
     * 0.1 s load see one moment of it, more spread over a second or two average several (measured: README,
     * "Verdicts you can trust"). Only the first {@code iterations} (the memory iterations) settle the heap around
     * the body: two to eight full collections, tens of milliseconds per iteration (2 s of the verdict validation's
     * 0.07 s CPU workload gave 12-18 samples with them on every iteration, 19-26 without), and they start every
     * body on an empty young generation, hiding the collections a load's own garbage costs in steady state.
     */
    private void measure(Benchmark benchmark, List<IterationProbe.Sample> samples, List<Double> speeds, int atLeast,
                         double seconds, long t0) {
        long start = clock.getAsLong();
        int before = samples.size();
        int i = 0;
        while (goesOn(i, atLeast, start, seconds, MAX_TIMED_ITERATIONS - before)) {
            i++;
            samples.add(iteration(benchmark, before + i, false, t0, before + Math.max(i, atLeast)));
            timeSpeed(speeds);
        }
    }

    /**
     * Whether a loop of warm-ups, measured iterations or pairs that has done {@code done} since {@code start}
     * (the runner's clock) goes on: always until {@code atLeast}, then while {@code seconds} of wall time have not
     * passed and fewer than {@code cap} are done.
     */
    private boolean goesOn(int done, int atLeast, long start, double seconds, int cap) {
        return done < atLeast || ((clock.getAsLong() - start) / 1e9 < seconds && done < cap);
    }

    /**
     * Times {@value #SPEED_SLICES} slices of the reference workload into {@code speeds} (ops/s), or only runs them
     * when {@code speeds} is null (to compile their code); nothing when the speed correction is off.
     */
    private void timeSpeed(List<Double> speeds) {
        if (!speedCorrection) {
            return;
        }
        for (int s = 0; s < SPEED_SLICES; s++) {
            double opsPerSecond = sensor.sliceSpeed();
            if (speeds != null) {
                speeds.add(opsPerSecond);
            }
        }
    }

    private IterationProbe.Sample iteration(Benchmark benchmark, int index, boolean warmup, long t0, int total) {
        String what = (warmup ? "warm-up " : "iteration ") + index;
        // The first `iterations` measured iterations also measure the heap; the rest only time (see measure).
        OwnedLoader loader = owned.get(benchmark);
        IterationProbe probe = new IterationProbe(!warmup && index <= iterations,
                loader == null ? 0 : loader.heldBytes());
        IterationProbe.Sample sample;
        BufferAllocator allocator = root.newChildAllocator(benchmark.key() + "-" + what, 0, Long.MAX_VALUE);
        try {
            Context ctx = new Context(allocator, index, warmup, benchmark, loader);
            phase("beforeEach of " + what, benchmark, () -> benchmark.beforeEach().run(ctx));
            if (!warmup) {
                probe.before();
            }
            long start = clock.getAsLong();
            long rows;
            try {
                rows = benchmark.body().run(ctx);
            } catch (Exception e) {
                throw new IllegalStateException("Benchmark " + benchmark.key() + " failed in " + what + ": " + e, e);
            }
            long nanos = clock.getAsLong() - start;
            long counted = rows < 0 ? benchmark.datasetSize() : rows;
            sample = warmup ? IterationProbe.Sample.timeOnly(nanos, counted)
                    : probe.after(nanos, counted, allocator);
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
        double elapsed = (clock.getAsLong() - t0) / 1e9;
        reporters.forEach(r -> r.iterationFinished(benchmark, index, total, warmup, seconds, elapsed));
        return sample;
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void phase(String name, Benchmark benchmark, Action action) {
        try {
            action.run();
        } catch (Exception e) {
            throw new IllegalStateException("Benchmark " + benchmark.key() + " failed in " + name + ": " + e, e);
        }
    }

    private static Map<Metric, List<Double>> samplesOf(List<IterationProbe.Sample> runs) {
        Map<Metric, List<Double>> samples = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            samples.put(m, new ArrayList<>());
        }
        for (IterationProbe.Sample s : runs) {
            double seconds = s.nanos() / 1e9;
            samples.get(Metric.THROUGHPUT).add(seconds > 0 ? s.rows() / seconds : 0.0);
            samples.get(Metric.DURATION).add(seconds);
            if (s.heapMeasured()) {
                samples.get(Metric.MEMORY).add(s.memoryBytes() / (1024.0 * 1024.0));
            }
            if (s.rows() > 0) { // no rows, no bytes per row (the total is not a per-row figure)
                samples.get(Metric.ALLOCATED_BYTES_PER_ROW).add((double) s.allocatedBytes() / s.rows());
            }
            samples.get(Metric.CPU_SECONDS).add(s.cpuNanos() / 1e9);
        }
        return samples;
    }

    private static Map<String, String> fingerprint() {
        Map<String, String> f = new java.util.LinkedHashMap<>(MachineFingerprint.current());
        f.put(MachineCalibration.KEY, String.format(java.util.Locale.ROOT, "%.0f", MachineCalibration.opsPerSecond()));
        return f;
    }

    /** What {@link #evaluate} found, before acknowledgement and the build gate. */
    private record Evaluation(Map<Metric, List<Double>> samples, Map<Metric, MetricSummary> summaries,
                              List<Verdict> verdicts, List<String> notes, Map<String, String> fingerprint,
                              GitInfo git, Interference machine) {
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

    private Evaluation evaluate(Benchmark benchmark, List<IterationProbe.Sample> runs, List<Double> speeds,
                                Interference machine) {
        Map<Metric, List<Double>> samples = samplesOf(runs);
        Map<Metric, MetricSummary> summaries = new EnumMap<>(Metric.class);
        samples.forEach((m, list) -> summaries.put(m, Statistics.summarize(m, list)));

        Map<String, String> fingerprint = fingerprint();
        double speed = speeds.isEmpty() ? Double.NaN : Statistics.median(Statistics.toArray(speeds));
        if (!Double.isNaN(speed)) {
            fingerprint.put(MachineCalibration.RUN_SPEED_KEY, String.format(java.util.Locale.ROOT, "%.0f", speed));
        }
        GitInfo git = GitInfo.current(settings);
        List<String> notes = new ArrayList<>();
        List<Verdict> list = new ArrayList<>();
        Thresholds t = benchmark.thresholds().orElse(thresholds);
        Optional<BenchmarkRecord> baseline = store.baseline(benchmark.key());
        List<BenchmarkRecord> history = baseline.isPresent() ? store.history(benchmark.key()) : List.of();
        double factor = Double.NaN;
        if (baseline.isPresent()) {
            BenchmarkRecord base = baseline.get();
            Map<String, String> diff = MachineFingerprint.differences(base.fingerprint(), fingerprint);
            if (!diff.isEmpty()) {
                factor = MachineCalibration.normalisation(base.fingerprint(), fingerprint);
                notes.add("the baseline (" + base.gitCommit() + ") was measured on another machine: " + diff
                        + (Double.isNaN(factor) ? "; it has no calibration, so figures are compared as they are"
                        : String.format(java.util.Locale.ROOT, "; throughput and duration are compared after "
                                + "normalising by the machines' calibration (%s -> %s %s, factor %.3f)",
                        base.fingerprint().get(MachineCalibration.KEY), fingerprint.get(MachineCalibration.KEY),
                        MachineCalibration.KEY, factor)));
            }
        }
        List<String> noiseNotes = new ArrayList<>();
        Optional<Interference.Finding> interference = baseline.isPresent()
                ? Interference.assess(Interference.fromExtras(baseline.get().extras()), machine) : Optional.empty();
        for (Metric m : compared) {
            if (m == Metric.ALLOCATED_BYTES_PER_ROW && samples.get(m).isEmpty()) {
                list.add(noBaseline(m, Double.NaN, t, "no rows: the body returned 0 rows in every iteration, so "
                        + "there is no allocation per row"));
                continue;
            }
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
            double scale = Double.isNaN(factor) ? 1.0 : normalisation(m, factor);
            List<Double> baseSamples = (base.samples(m).isEmpty() ? List.of(base.value(m).getAsDouble())
                    : base.samples(m)).stream().map(x -> x * scale).toList();
            List<Double> current = samples.get(m);
            RunToRunNoise noise = RunToRunNoise.estimate(m, history, benchmark.datasetSize(), fingerprint,
                    noiseWindow, MIN_NOISE_RUNS, MemoryNoise.prior(m, baseSamples, current, runNoisePrior));
            Optional<SpeedAdjustment> adjustment = Double.isNaN(factor) && speedCorrection
                    ? SpeedAdjustment.estimate(m, history, benchmark.datasetSize(), fingerprint, noiseWindow,
                    MIN_NOISE_RUNS, base, speed) : Optional.empty();
            double baseFigure = base.value(m).getAsDouble() * scale;
            Verdict v;
            if (adjustment.isPresent()) {
                SpeedAdjustment adj = adjustment.get();
                Verdict uncorrected = verdicts.compare(m, baseSamples, baseFigure, current, t.of(m), noise);
                v = SpeedAdjustment.guard(verdicts.compare(m, baseSamples, baseFigure, adj.apply(current), t.of(m),
                        adj.noise()), uncorrected);
                // Said whenever it decides something, so that a reader sees what the raw figures alone said.
                if (v.status() != uncorrected.status() || v.status() != Verdict.Status.OK) {
                    notes.add(adj.describe(m) + "; uncorrected: " + uncorrected.status() + String.format(
                            java.util.Locale.ROOT, ", %.1f%% %s", Math.abs(uncorrected.regressionPercent()),
                            uncorrected.regressionPercent() >= 0 ? "worse" : "better"));
                }
            } else {
                noiseNotes.add(m.displayName() + " " + noise.describe());
                v = verdicts.compare(m, baseSamples, baseFigure, current, t.of(m), noise);
            }
            v = Interference.guard(VerdictEngine.floor(v, memoryFloorMb), interference);
            list.add(v);
            mdeWarning(v).ifPresent(notes::add);
        }
        Optional<LeakCheck> leak = LeakCheck.of(retained(runs), memoryFloorMb);
        if (leak.isPresent()) {
            notes.add(leak.get().describe());
            list.replaceAll(v -> v.metric() == Metric.MEMORY ? leak.get().verdict(v) : v);
        }
        if (runs.stream().anyMatch(r -> r.rows() == 0)) {
            notes.add("allocation: no rows in " + runs.stream().filter(r -> r.rows() == 0).count()
                    + " iteration(s), which give no bytes per row");
        }
        if (interference.isPresent() && list.stream().anyMatch(v -> v.status() != Verdict.Status.OK
                && v.status() != Verdict.Status.NO_BASELINE)) {
            notes.add("interference: " + interference.get().reason() + " (this run: " + machine.describe() + ")");
        }
        if (!noiseNotes.isEmpty() && list.stream().anyMatch(v -> v.status() != Verdict.Status.OK)) {
            notes.add(String.join("; ", noiseNotes));
        }
        return new Evaluation(samples, summaries, list, notes, fingerprint, git, machine);
    }

    /**
     * The parts of {@code memory_mb} and the figure it replaced, recorded beside it: {@code memory_growth_mb} (the
     * old definition: heap growth above the level before the body + the Arrow peak), {@code loader_memory_mb} (what
     * the runner-owned loader held from its creation), {@code memory_direct_mb} (direct buffers above their level
     * before the body), medians over the memory iterations.
     */
    private static Map<String, Object> memoryExtras(List<IterationProbe.Sample> runs, long heldBytes) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        List<IterationProbe.Sample> measured = runs.stream().filter(IterationProbe.Sample::heapMeasured).toList();
        if (measured.isEmpty()) {
            return out;
        }
        double mb = 1024.0 * 1024.0;
        out.put("memory_growth_mb", Statistics.median(measured.stream().mapToDouble(r -> r.growthBytes() / mb)
                .toArray()));
        out.put("memory_direct_mb", Statistics.median(measured.stream().mapToDouble(r -> r.directPeak() / mb)
                .toArray()));
        out.put("loader_memory_mb", heldBytes / mb);
        return out;
    }

    /** The settled heap after each memory iteration, in order: what the leak check reads. */
    private static List<Long> retained(List<IterationProbe.Sample> runs) {
        return runs.stream().filter(IterationProbe.Sample::heapMeasured).map(IterationProbe.Sample::retainedAfter)
                .toList();
    }

    /** How a metric scales with machine speed: throughput with it, times against it, memory not at all. */
    static double normalisation(Metric m, double factor) {
        return switch (m) {
            case THROUGHPUT -> factor;
            case DURATION, CPU_SECONDS -> 1.0 / factor;
            case MEMORY, ALLOCATED_BYTES_PER_ROW -> 1.0;
        };
    }

    /**
     * The warning for a threshold below what the comparison can detect, e.g. "throughput: 5% threshold, but this
     * benchmark's noise hides changes under 12%".
     */
    static Optional<String> mdeWarning(Verdict v) {
        double mde = v.minDetectablePercent();
        if (Double.isNaN(mde) || !(mde > v.thresholdPercent())) {
            return Optional.empty();
        }
        String hides = Double.isInfinite(mde) ? "any change (too few samples)"
                : "changes under " + percent(Math.ceil(mde));
        return Optional.of(v.metric().displayName() + ": " + percent(v.thresholdPercent())
                + " threshold, but this benchmark's noise hides " + hides);
    }

    private static String percent(double p) {
        return (p == Math.rint(p) ? String.format(java.util.Locale.ROOT, "%.0f", p)
                : String.format(java.util.Locale.ROOT, "%.1f", p)) + "%";
    }

    private Verdict noBaseline(Metric m, double current, Thresholds t, String why) {
        return new Verdict(m, Verdict.Status.NO_BASELINE, Double.NaN, Double.NaN, current, Double.NaN,
                verdicts.confidence(), t.of(m).percent(), Double.NaN, Double.NaN, "none", why);
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

    private record Context(BufferAllocator allocator, int iteration, boolean warmup, Benchmark benchmark,
                           OwnedLoader owned) implements BenchmarkContext {
        Context(BufferAllocator allocator, int iteration, boolean warmup, Benchmark benchmark) {
            this(allocator, iteration, warmup, benchmark, null);
        }

        @Override
        public org.loadperf.api.loader.Loader loader() {
            return owned == null ? BenchmarkContext.super.loader() : owned.loader();
        }

        @Override
        public void report(org.loadperf.api.loader.LoadResult result) {
            if (!warmup && iteration > 0 && result.metadata().get("stored_bytes_per_row") instanceof Number n) {
                reported.put(benchmark, n.doubleValue());
            }
        }
    }

    /** The last {@code stored_bytes_per_row} a measured iteration of each running benchmark reported. */
    private static final Map<Benchmark, Double> reported = java.util.Collections.synchronizedMap(
            new java.util.IdentityHashMap<>());

    /** The loaders the runner owns, per running benchmark ({@link Benchmark.Builder#loader}). */
    private final Map<Benchmark, OwnedLoader> owned = new java.util.IdentityHashMap<>();

    /** Creates the loader of {@code benchmark} when it gives a factory; the context of setup/teardown gets it too. */
    private Context own(Benchmark benchmark, BufferAllocator allocator) {
        Optional<java.util.function.Supplier<? extends org.loadperf.api.loader.Loader>> factory = benchmark.loader();
        if (factory.isEmpty()) {
            return new Context(allocator, 0, false, benchmark);
        }
        OwnedLoader loader;
        try {
            loader = OwnedLoader.create(benchmark, factory.get());
        } catch (RuntimeException e) {
            throw new IllegalStateException("Benchmark " + benchmark.key() + " failed creating its loader: " + e, e);
        }
        owned.put(benchmark, loader);
        return new Context(allocator, 0, false, benchmark, loader);
    }

    /** Closes the loader the runner created for {@code benchmark}, if any. */
    private void release(Benchmark benchmark) {
        OwnedLoader loader = owned.remove(benchmark);
        if (loader != null) {
            phase("closing the loader", benchmark, loader::close);
        }
    }

    /** Configures a {@link PerfRunner}; every setter checks its value at once. */
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
        private Set<Metric> compared = EnumSet.of(Metric.THROUGHPUT, Metric.MEMORY, Metric.DURATION,
                Metric.ALLOCATED_BYTES_PER_ROW);
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
            rejectUnknownProperties();
            settings.testSize(); // PERF_TEST_SIZE sizes the suites' data: a bad one fails here, before any work
            this.warmups = checkWarmups(settings.getInt("PERF_WARMUP_ITERATIONS", 1));
            this.warmupSeconds = checkWarmupSeconds(secondsSetting("PERF_WARMUP_SECONDS", DEFAULT_WARMUP_SECONDS));
            this.iterations = checkIterations(settings.getInt("PERF_ITERATIONS", 5));
            this.measureSeconds = checkSeconds("PERF_MEASURE_SECONDS",
                    secondsSetting("PERF_MEASURE_SECONDS", DEFAULT_MEASURE_SECONDS));
            this.pairedSeconds = checkSeconds("PERF_PAIRED_SECONDS",
                    secondsSetting("PERF_PAIRED_SECONDS", DEFAULT_PAIRED_SECONDS));
            this.confidence = checkConfidence(Double.parseDouble(settings.get("PERF_CONFIDENCE", "0.99")));
            this.policy = BaselinePolicy.parse(settings.get("PERF_BASELINE_POLICY", "always"));
            this.failOnRegression = settings.getBoolean("PERF_FAIL_ON_REGRESSION", false);
            this.environment = settings.environment();
            Thresholds t = Thresholds.defaults();
            t = t.with(Metric.THROUGHPUT, threshold("PERF_THRESHOLD_THROUGHPUT", t.of(Metric.THROUGHPUT).percent()));
            t = t.with(Metric.MEMORY, threshold("PERF_THRESHOLD_MEMORY", t.of(Metric.MEMORY).percent()));
            t = t.with(Metric.DURATION, threshold("PERF_THRESHOLD_DURATION", t.of(Metric.DURATION).percent()));
            t = t.with(Metric.ALLOCATED_BYTES_PER_ROW, threshold("PERF_THRESHOLD_ALLOCATION",
                    t.of(Metric.ALLOCATED_BYTES_PER_ROW).percent()));
            this.thresholds = t;
            this.confirm = settings.getBoolean("PERF_CONFIRM", true);
            this.runNoise = checkRunNoise(percentSetting("PERF_RUN_NOISE", DEFAULT_RUN_NOISE));
            this.noiseWindow = checkNoiseWindow(settings.getInt("PERF_NOISE_WINDOW", 20));
            this.pairs = checkPairs(settings.getInt("PERF_PAIRS", 10));
            this.speedCorrection = settings.getBoolean("PERF_SPEED_CORRECTION", true);
            this.memoryFloorMb = checkMemoryFloor(numberSetting("PERF_MEMORY_FLOOR_MB", DEFAULT_MEMORY_FLOOR_MB,
                    "a number of MB"));
            settings.get("PERF_ACKNOWLEDGE").ifPresent(this::parseAcknowledgements);
        }

        /** Seconds of warm-up before measuring, at least (see {@link #warmupTime}). */
        static final double DEFAULT_WARMUP_SECONDS = 1.0;

        /** Seconds of measured iterations, at least (see {@link #measurementTime}). */
        static final double DEFAULT_MEASURE_SECONDS = 1.0;

        /** Seconds of interleaved pairs in {@link PerfRunner#compare}, at least (see {@link #pairedTime}). */
        static final double DEFAULT_PAIRED_SECONDS = 30.0;

        /** The smallest memory change (MB) that can be a REGRESSION: below it the heap figures are not resolved. */
        static final double DEFAULT_MEMORY_FLOOR_MB = 1.0;

        /** The run-to-run noise assumed (in %) until a benchmark has enough history to measure its own. */
        static final double DEFAULT_RUN_NOISE = 10.0;

        private double secondsSetting(String name, double dflt) {
            String v = settings.get(name).orElse(null);
            try {
                return v == null ? dflt : Double.parseDouble(v.strip().replaceFirst("s$", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Setting " + name + " must be a number of seconds, got '" + v + "'");
            }
        }

        private double numberSetting(String name, double dflt, String what) {
            String v = settings.get(name).orElse(null);
            try {
                return v == null ? dflt : Double.parseDouble(v.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Setting " + name + " must be " + what + ", got '" + v + "'");
            }
        }

        private static double checkMemoryFloor(double mb) {
            if (!(mb >= 0) || Double.isInfinite(mb)) {
                throw new IllegalArgumentException("Setting PERF_MEMORY_FLOOR_MB must be a finite number of MB >= 0, "
                        + "got " + mb);
            }
            return mb;
        }

        /**
         * The smallest memory change (in MB) that can be called a REGRESSION, INCONCLUSIVE or IMPROVED; a smaller one
         * is OK (unchanged) whatever its statistics; default {@value #DEFAULT_MEMORY_FLOOR_MB}
         * ({@code PERF_MEMORY_FLOOR_MB}).
         */
        public Builder memoryFloor(double mb) {
            this.memoryFloorMb = checkMemoryFloor(mb);
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

        private double percentSetting(String name, double dflt) {
            String v = settings.get(name).orElse(null);
            if (v == null) {
                return dflt;
            }
            try {
                return Double.parseDouble(v.strip().replace("%", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Setting " + name + " must be a percentage, got '" + v + "'");
            }
        }

        private void parseAcknowledgements(String value) {
            for (String part : value.split(";")) {
                if (part.isBlank()) {
                    continue;
                }
                int colon = part.indexOf(':');
                if (colon <= 0) {
                    throw new IllegalArgumentException("Setting PERF_ACKNOWLEDGE must be <key>:<reason> (several "
                            + "separated by ';'), got '" + part.strip() + "'");
                }
                acknowledge(part.substring(0, colon).strip(), part.substring(colon + 1).strip());
            }
        }

        static String checkKey(String key) {
            Objects.requireNonNull(key, "key is null");
            if (key.isBlank()) {
                throw new IllegalArgumentException("acknowledge: the benchmark key ({loader_type}_{test_name}) is "
                        + "blank");
            }
            return key;
        }

        static String checkReason(String key, String reason) {
            Objects.requireNonNull(reason, "reason is null");
            if (reason.isBlank()) {
                throw new IllegalArgumentException("acknowledge " + key + ": a reason is required (why the "
                        + "regression is expected)");
            }
            return reason;
        }

        private static double checkRunNoise(double p) {
            if (!(p >= 0) || Double.isInfinite(p)) {
                throw new IllegalArgumentException("runNoise must be a finite percentage >= 0, got " + p);
            }
            return p;
        }

        private static int checkNoiseWindow(int n) {
            if (n < MIN_NOISE_RUNS) {
                throw new IllegalArgumentException("noiseWindow must be >= " + MIN_NOISE_RUNS + ", got " + n);
            }
            return n;
        }

        private static int checkPairs(int n) {
            if (n < 2) {
                throw new IllegalArgumentException("pairs must be >= 2, got " + n);
            }
            return n;
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
         * what their samples show) assumed until a benchmark has {@value PerfRunner#MIN_NOISE_RUNS} earlier runs on
         * this machine in the store; default {@value #DEFAULT_RUN_NOISE} ({@code PERF_RUN_NOISE}).
         */
        public Builder runNoise(double percent) {
            this.runNoise = checkRunNoise(percent);
            return this;
        }

        /** How many of the latest runs estimate the run-to-run noise; default 20 ({@code PERF_NOISE_WINDOW}). */
        public Builder noiseWindow(int runs) {
            this.noiseWindow = checkNoiseWindow(runs);
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
            this.pairs = checkPairs(n);
            return this;
        }

        /**
         * Accepts the regressions of benchmark {@code key} ({@code {loader_type}_{test_name}}) as expected, with
         * {@code reason} (also {@code PERF_ACKNOWLEDGE=<key>:<reason>}, several separated by {@code ;}).
         */
        public Builder acknowledge(String key, String reason) {
            acknowledgements.put(checkKey(key), checkReason(key, reason));
            return this;
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

        private static double checkWarmupSeconds(double s) {
            return checkSeconds("PERF_WARMUP_SECONDS", s);
        }

        private static double checkSeconds(String name, double s) {
            if (!(s >= 0 && s <= 3600)) {
                throw new IllegalArgumentException("Setting " + name + " must be between 0 and 3600, got " + s);
            }
            return s;
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

        /**
         * The least time the warm-up takes before measuring ({@code PERF_WARMUP_SECONDS}, default 1 s, wall time):
         * warm-up iterations continue past {@link #warmupIterations} until it has passed (at most 200; no warm-up at
         * all when {@code warmupIterations} is 0). Short bodies need many iterations to reach compiled code; a body
         * longer than this needs only its minimum.
         */
        public Builder warmupTime(java.time.Duration time) {
            this.warmupSeconds = checkWarmupSeconds(Objects.requireNonNull(time, "time is null").toNanos() / 1e9);
            return this;
        }

        /**
         * The least time the measured iterations take ({@code PERF_MEASURE_SECONDS}, default 1 s, wall time):
         * measured iterations continue past {@link #measuredIterations} until it has passed, up to
         * {@value PerfRunner#MAX_TIMED_ITERATIONS} in all. {@code Duration.ZERO}: exactly
         * {@link #measuredIterations}.
         */
        public Builder measurementTime(java.time.Duration time) {
            this.measureSeconds = checkSeconds("PERF_MEASURE_SECONDS",
                    Objects.requireNonNull(time, "time is null").toNanos() / 1e9);
            return this;
        }

        /**
         * The least time the interleaved pairs of {@link PerfRunner#compare} take ({@code PERF_PAIRED_SECONDS},
         * default 30 s, wall time): pairs continue past {@link #pairs} until it has passed, up to
         * {@value PerfRunner#MAX_TIMED_ITERATIONS} pairs. {@code Duration.ZERO}: exactly {@link #pairs}.
         */
        public Builder pairedTime(java.time.Duration time) {
            this.pairedSeconds = checkSeconds("PERF_PAIRED_SECONDS",
                    Objects.requireNonNull(time, "time is null").toNanos() / 1e9);
            return this;
        }

        /**
         * Iterations measured, at least; default 5 (5 against 5 samples give a 99% rank bound; 4 against 4 cannot);
         * more while {@link #measurementTime} has not passed.
         */
        public Builder measuredIterations(int n) {
            this.iterations = checkIterations(n);
            return this;
        }

        /**
         * One-sided confidence a REGRESSION needs; default 0.99 (measured: at 0.95, 1 in 20 A/A comparisons between
         * separate runs on a loaded machine came out REGRESSION; see the README, "Verdicts you can trust").
         */
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

        /** The metrics that get verdicts; default throughput, memory, duration (the guide's) and allocation per row. */
        public Builder comparedMetrics(Set<Metric> metrics) {
            if (metrics.isEmpty()) {
                throw new IllegalArgumentException("comparedMetrics must not be empty");
            }
            this.compared = EnumSet.copyOf(metrics);
            return this;
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
                ReportWriter reports = ReportWriter.fromSettings(settings, store);
                reporters.add(reports); // first: it has written the files when the console says where they are
                reporters.add(new ConsoleReporter().withReports(reports));
            }
            return new PerfRunner(this);
        }
    }
}
