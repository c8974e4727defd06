package org.loadperf.core.measure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.LongSupplier;
import org.apache.arrow.memory.BufferAllocator;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkContext;
import org.loadperf.api.Metric;
import org.loadperf.api.Reporter;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;

/**
 * The measuring loop of one runner: a benchmark's setup and teardown around its warm-up and measured iterations (or
 * the interleaved pairs of two benchmarks), each iteration timed and probed, the machine's speed timed between
 * them. What the samples mean for a verdict is not its business.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class IterationLoop {

    /**
     * Warm-up iterations beyond which a time-based warm-up stops even if its time has not passed: a body of
     * microseconds is warm long before that, and every iteration also runs its beforeEach/afterEach.
     */
    public static final int MAX_TIMED_WARMUPS = 200;

    /**
     * Measured iterations beyond which a time-based measurement stops even if its time has not passed: a body of
     * microseconds has shown its figure long before, and every sample is kept in the store's history.
     */
    public static final int MAX_TIMED_ITERATIONS = 100;

    /**
     * Slices of the reference workload timed after every measured iteration to know the machine's speed during the
     * run: 5 iterations give 20, whose median moves by a few percent at most when nothing changes.
     */
    public static final int SPEED_SLICES = 4;

    /** Runs of a memory iteration at most, until a collection ran during its body. */
    private static final int MEMORY_ATTEMPTS = 3;

    /** Warm-up iterations after which slices are also run (untimed), so that their code is compiled when timed. */
    private static final int SPEED_WARMUPS = 3;

    /** How many iterations and for how long; checked by the runner's builder. */
    @Api(status = Api.Status.INTERNAL, since = "0.2")
    public record Plan(int warmups, double warmupSeconds, int iterations, double measureSeconds, int pairs,
                       double pairedSeconds, boolean speedCorrection) {
    }

    /**
     * The measured iterations of one benchmark so far (memory iterations first, then timed ones) and the machine's
     * speed timed between the timed ones (ops/s).
     */
    @Api(status = Api.Status.INTERNAL, since = "0.2")
    public record Samples(List<IterationProbe.Sample> iterations, List<Double> speeds) {
        public Samples() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        /** The timed iterations so far. */
        public int timed() {
            return (int) iterations.stream().filter(IterationProbe.Sample::timed).count();
        }
    }

    /** What an iteration is for. */
    private enum Kind {
        /** run and discarded; its time tells how long a body takes */
        WARMUP,
        /** the heap settled around it and sampled in it: memory only */
        MEMORY,
        /** time, CPU and allocation */
        TIMED
    }

    /** The samples of two benchmarks measured in interleaved pairs, and the order of each pair ("AB", "BA"). */
    @Api(status = Api.Status.INTERNAL, since = "0.2")
    public record Pairs(List<IterationProbe.Sample> a, List<IterationProbe.Sample> b, List<String> orders) {
    }

    /** Work done between a benchmark's setup and its teardown. */
    @Api(status = Api.Status.INTERNAL, since = "0.2")
    public interface SetUpWork<T> {
        T run(BufferAllocator allocator);
    }

    private final BufferAllocator root;
    private final LongSupplier clock;
    private final MachineSensor sensor;
    private final List<Reporter> reporters;
    private final Plan plan;
    private final Random order = new Random();
    private final TurnTaking turns;
    private boolean leakReported;
    /** The loaders the runner owns, per running benchmark ({@code Benchmark.Builder#loader}). */
    private final Map<Benchmark, OwnedLoader> owned = new IdentityHashMap<>();
    /** What each running benchmark held between loads, measured around its warm-ups (bytes), and a body's time. */
    private final Map<Benchmark, Long> keptByWarmUps = new IdentityHashMap<>();
    private final Map<Benchmark, Long> expectedNanos = new IdentityHashMap<>();
    /** The last {@code stored_bytes_per_row} a measured iteration of each running benchmark reported. */
    private final Map<Benchmark, Double> reported = Collections.synchronizedMap(new IdentityHashMap<>());

    public IterationLoop(BufferAllocator root, LongSupplier clock, MachineSensor sensor, List<Reporter> reporters,
                         Plan plan) {
        this(root, clock, sensor, reporters, plan, TurnTaking.none());
    }

    /** A loop that takes turns with another process ({@code compare}'s two sides): see {@link TurnTaking}. */
    public IterationLoop(BufferAllocator root, LongSupplier clock, MachineSensor sensor, List<Reporter> reporters,
                         Plan plan, TurnTaking turns) {
        this.turns = Objects.requireNonNull(turns, "turns is null");
        this.root = Objects.requireNonNull(root, "root is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.sensor = Objects.requireNonNull(sensor, "sensor is null");
        this.reporters = List.copyOf(reporters);
        this.plan = Objects.requireNonNull(plan, "plan is null");
    }

    /** How many iterations and for how long. */
    public Plan plan() {
        return plan;
    }

    /** Waits for this side's turn when taking turns with another process; holds it until {@link #releaseTurn}. */
    public void takeTurn() {
        turns.take();
    }

    /** Lets the other process run on (the runner is done). */
    public void releaseTurn() {
        turns.release();
    }

    /** The runner's clock, in nanoseconds. */
    public long now() {
        return clock.getAsLong();
    }

    /** What reads the machine's interference and speed. */
    public MachineSensor sensor() {
        return sensor;
    }

    /** Whether a benchmark left Arrow memory allocated (already reported as its failure). */
    public boolean leakReported() {
        return leakReported;
    }

    /**
     * Runs {@code benchmark}'s setup, then {@code work}, then its teardown, on an allocator of its own; a setup that
     * fails half-way is torn down too (it may hold what teardown frees).
     */
    public <T> T withSetUp(Benchmark benchmark, SetUpWork<T> work) {
        turns.take();
        try (BufferAllocator allocator = root.newChildAllocator(benchmark.key(), 0, Long.MAX_VALUE)) {
            // the loader first: setup may use it (creating the table); its creation is not measured as a load
            Context setupContext = own(benchmark, allocator);
            try {
                phase("setup", benchmark, () -> benchmark.setup().run(setupContext));
            } catch (RuntimeException e) {
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
                return work.run(allocator);
            } finally {
                keptByWarmUps.remove(benchmark);
                expectedNanos.remove(benchmark);
                try {
                    phase("teardown", benchmark, () -> benchmark.teardown().run(setupContext));
                } finally {
                    release(benchmark);
                }
            }
        }
    }

    /** Bytes the runner-owned loader of {@code benchmark} held from its creation (0 without one). */
    public long heldBytes(Benchmark benchmark) {
        OwnedLoader loader = owned.get(benchmark);
        return loader == null ? 0 : loader.heldBytes();
    }

    /**
     * Bytes the warm-ups of {@code benchmark} left behind (settled heap and direct buffers after them, above the level
     * before them): what its loader made on first use and keeps between loads (connections a pool opened, caches,
     * a table's snapshot), 0 before the warm-up or without one.
     */
    public long keptByWarmUps(Benchmark benchmark) {
        return keptByWarmUps.getOrDefault(benchmark, 0L);
    }

    /**
     * The last {@code stored_bytes_per_row} a measured iteration of {@code benchmark} reported
     * ({@link BenchmarkContext#report}), taken out; null when none did.
     */
    public Double takeStoredBytesPerRow(Benchmark benchmark) {
        return reported.remove(benchmark);
    }

    /** Creates the loader of {@code benchmark} when it gives a factory; the context of setup/teardown gets it too. */
    private Context own(Benchmark benchmark, BufferAllocator allocator) {
        Optional<Supplier<? extends Loader>> factory = benchmark.loader();
        if (factory.isEmpty()) {
            return new Context(allocator, 0, false, benchmark, null, reported);
        }
        OwnedLoader loader;
        try {
            loader = OwnedLoader.create(benchmark, factory.get());
        } catch (RuntimeException e) {
            throw new IllegalStateException("Benchmark " + benchmark.key() + " failed creating its loader: " + e, e);
        }
        owned.put(benchmark, loader);
        return new Context(allocator, 0, false, benchmark, loader, reported);
    }

    /** Closes the loader the runner created for {@code benchmark}, if any. */
    private void release(Benchmark benchmark) {
        OwnedLoader loader = owned.remove(benchmark);
        if (loader != null) {
            phase("closing the loader", benchmark, loader::close);
        }
    }

    /**
     * Warm-up: at least {@code warmups}, and more until {@code warmupSeconds} have passed since it began (at most
     * {@link #MAX_TIMED_WARMUPS}); none at all with {@code warmups} 0. A fixed count cannot fit every body: one
     * iteration of a 2-second load leaves the JIT done, one of a 20 ms load leaves half the code interpreted (see
     * docs/verdict-validation.md). Warm-up iterations skip the probe's heap settling, which would cost more than a
     * short body.
     *
     * @return the warm-up iterations run
     */
    public int warmUp(Benchmark benchmark, long t0) {
        boolean memory = plan.iterations() > 0 && plan.warmups() > 0;
        long heapBefore = memory ? HeapWatcher.settledHeap() : 0;
        long directBefore = memory ? HeapWatcher.directUsed() : 0;
        long start = clock.getAsLong();
        int i = 0;
        List<Long> times = new ArrayList<>();
        // Wall time, beforeEach and afterEach included, so that a tiny body with a slow per-iteration set-up cannot
        // stretch the warm-up beyond its time.
        while (goesOn(i, plan.warmups(), start, plan.warmups() > 0 ? plan.warmupSeconds() : 0, MAX_TIMED_WARMUPS)) {
            i++;
            times.add(iteration(benchmark, i, Kind.WARMUP, t0, Math.max(i, plan.warmups())).nanos());
            if (i <= SPEED_WARMUPS) {
                timeSpeed(null);
            }
        }
        if (!times.isEmpty()) {
            // the later half: the first ones ran interpreted
            List<Long> late = times.subList(times.size() / 2, times.size()).stream().sorted().toList();
            expectedNanos.put(benchmark, late.get(late.size() / 2));
        }
        if (memory) {
            long kept = Math.max(0, HeapWatcher.settledHeap() - heapBefore)
                    + Math.max(0, HeapWatcher.directUsed() - directBefore);
            keptByWarmUps.put(benchmark, kept);
        }
        return i;
    }

    /**
     * The plan's memory iterations of {@code benchmark}, appended to {@code samples}: each settles the heap before and
     * after its body and forces a few collections during it. Run once, before the timed iterations, whose times they
     * would disturb.
     */
    private void measureMemory(Benchmark benchmark, Samples samples, long t0) {
        for (int i = 1; i <= plan.iterations(); i++) {
            samples.iterations().add(memoryIteration(benchmark, i, t0));
        }
    }

    /**
     * A memory iteration, run again (at most {@value #MEMORY_ATTEMPTS} times, the first collection sooner each time)
     * when its body ended before a collection ran in it: on a busy machine the sampler can start late.
     */
    private IterationProbe.Sample memoryIteration(Benchmark benchmark, int index, long t0) {
        IterationProbe.Sample s = null;
        for (int attempt = 0; attempt < MEMORY_ATTEMPTS && (s == null || !s.heapSampled()); attempt++) {
            s = iteration(benchmark, index, Kind.MEMORY, t0, plan.iterations(), attempt);
        }
        return s;
    }

    /** The measured iterations of the plan (at least its count, more until its time has passed). */
    public void measure(Benchmark benchmark, Samples samples, long t0) {
        measure(benchmark, samples, plan.iterations(), plan.measureSeconds(), t0);
    }

    /**
     * Measured iterations, appended to {@code samples}: at least {@code atLeast}, and more until {@code seconds} of
     * wall time have passed (at most {@link #MAX_TIMED_ITERATIONS} timed samples in all). By time because the noise
     * that decides a verdict between separate runs is the machine's, which changes over seconds. The first call runs
     * the plan's memory iterations before them (see {@link #measureMemory}); their collections would disturb the
     * times, and settling the heap around every body would hide the collections a load's own garbage costs.
     */
    public void measure(Benchmark benchmark, Samples samples, int atLeast, double seconds, long t0) {
        if (samples.iterations().isEmpty()) {
            measureMemory(benchmark, samples, t0);
        }
        int memory = samples.iterations().size() - samples.timed();
        long start = clock.getAsLong();
        int before = samples.timed();
        int i = 0;
        while (goesOn(i, atLeast, start, seconds, MAX_TIMED_ITERATIONS - before)) {
            i++;
            int index = memory + before + i;
            samples.iterations().add(iteration(benchmark, index, Kind.TIMED, t0,
                    memory + before + Math.max(i, atLeast)));
            timeSpeed(samples.speeds());
        }
    }

    /**
     * Interleaved pairs of measured iterations of {@code a} and {@code b}, each pair in a random order (A B or B A),
     * so that whatever changes while they run (the machine's load, the JIT, the heap) hits both alike; at least the
     * plan's pairs, more until its paired time has passed. Both are set up and warmed up first.
     */
    public Pairs pairs(Benchmark a, Benchmark b, long t0) {
        List<IterationProbe.Sample> sa = new ArrayList<>();
        List<IterationProbe.Sample> sb = new ArrayList<>();
        List<String> orders = new ArrayList<>();
        withSetUp(a, allocA -> withSetUp(b, allocB -> {
            warmUp(a, t0);
            warmUp(b, t0);
            // memory iterations in pairs too, before the timed pairs whose times their collections would disturb
            for (int i = 1; i <= plan.iterations(); i++) {
                boolean aFirst = order.nextBoolean();
                Benchmark first = aFirst ? a : b;
                Benchmark second = aFirst ? b : a;
                IterationProbe.Sample s1 = memoryIteration(first, i, t0);
                IterationProbe.Sample s2 = memoryIteration(second, i, t0);
                sa.add(aFirst ? s1 : s2);
                sb.add(aFirst ? s2 : s1);
            }
            int memory = plan.iterations();
            // Time-based like measure(): one iteration differs from the next by 10-20% on a shared machine, so 10
            // pairs bound a change only to +-10%; finding a 10% change 19 times in 20 takes 60-100.
            long start = clock.getAsLong();
            for (int i = 1; goesOn(i - 1, plan.pairs(), start, plan.pairedSeconds(), MAX_TIMED_ITERATIONS); i++) {
                int total = memory + Math.max(i, plan.pairs());
                if (order.nextBoolean()) {
                    sa.add(iteration(a, memory + i, Kind.TIMED, t0, total));
                    sb.add(iteration(b, memory + i, Kind.TIMED, t0, total));
                    orders.add("AB");
                } else {
                    sb.add(iteration(b, memory + i, Kind.TIMED, t0, total));
                    sa.add(iteration(a, memory + i, Kind.TIMED, t0, total));
                    orders.add("BA");
                }
            }
            return null;
        }));
        return new Pairs(sa, sb, orders);
    }

    /**
     * Whether a loop that has done {@code done} since {@code start} goes on: always until {@code atLeast}, then
     * while {@code seconds} of wall time have not passed and fewer than {@code cap} are done.
     */
    private boolean goesOn(int done, int atLeast, long start, double seconds, int cap) {
        return done < atLeast || ((clock.getAsLong() - start) / 1e9 < seconds && done < cap);
    }

    /**
     * Times {@value #SPEED_SLICES} slices of the reference workload into {@code speeds} (ops/s), or only runs them
     * when {@code speeds} is null (to compile their code); nothing when the speed correction is off.
     */
    private void timeSpeed(List<Double> speeds) {
        if (!plan.speedCorrection()) {
            return;
        }
        for (int s = 0; s < SPEED_SLICES; s++) {
            double opsPerSecond = sensor.sliceSpeed();
            if (speeds != null) {
                speeds.add(opsPerSecond);
            }
        }
    }

    private IterationProbe.Sample iteration(Benchmark benchmark, int index, Kind kind, long t0, int total) {
        return iteration(benchmark, index, kind, t0, total, 0);
    }

    private IterationProbe.Sample iteration(Benchmark benchmark, int index, Kind kind, long t0, int total,
                                            int attempt) {
        boolean warmup = kind == Kind.WARMUP;
        String what = (warmup ? "warm-up " : "iteration ") + index;
        OwnedLoader loader = owned.get(benchmark);
        IterationProbe probe = new IterationProbe(kind == Kind.MEMORY,
                (loader == null ? 0 : loader.heldBytes()) + keptByWarmUps(benchmark),
                expectedNanos.getOrDefault(benchmark, 0L) >> attempt);
        IterationProbe.Sample sample;
        BufferAllocator allocator = root.newChildAllocator(benchmark.key() + "-" + what, 0, Long.MAX_VALUE);
        try {
            Context ctx = new Context(allocator, index, warmup, benchmark, loader, reported);
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
            } finally {
                if (!warmup) {
                    probe.bodyEnded();
                }
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
        turns.pass(); // the other side's iteration next, if it waits: both see the machine of the same seconds
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

    /** The samples of every metric, one per measured iteration (memory only for those that measured the heap). */
    public static Map<Metric, List<Double>> samplesOf(List<IterationProbe.Sample> runs) {
        Map<Metric, List<Double>> samples = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            samples.put(m, new ArrayList<>());
        }
        for (IterationProbe.Sample s : runs) {
            for (Metric m : Metric.values()) {
                Double v = MetricReading.of(m).read(s);
                if (v != null) {
                    samples.get(m).add(v);
                }
            }
        }
        return samples;
    }

    /** This machine's fingerprint with its calibrated speed. */
    public static Map<String, String> fingerprint() {
        Map<String, String> f = new java.util.LinkedHashMap<>(MachineFingerprint.current());
        f.put(MachineCalibration.KEY, String.format(Locale.ROOT, "%.0f", MachineCalibration.opsPerSecond()));
        return f;
    }

    private record Context(BufferAllocator allocator, int iteration, boolean warmup, Benchmark benchmark,
                           OwnedLoader owned, Map<Benchmark, Double> reported) implements BenchmarkContext {
        @Override
        public Loader loader() {
            return owned == null ? BenchmarkContext.super.loader() : owned.loader();
        }

        @Override
        public void report(LoadResult result) {
            if (!warmup && iteration > 0 && result.metadata().get("stored_bytes_per_row") instanceof Number n) {
                reported.put(benchmark, n.doubleValue());
            }
        }
    }
}
