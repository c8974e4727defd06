package org.loadperf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Reporter;
import org.loadperf.api.Verdict.Status;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.InMemoryBaselineStore;
import org.loadperf.core.verdict.LeakCheck;

/**
 * The memory figures of issue 17, on deterministic quantities only: a direct buffer of known size held by a
 * runner-owned loader, a heap that grows by a known amount per iteration, bytes allocated per row by a fixed body.
 */
class MemoryFiguresTest {

    private static volatile Object sink;

    private PerfRunner runner(FakeMachine machine, InMemoryBaselineStore store, Map<String, String> env) {
        return machine.on(PerfRunner.builder(PerfSettings.of(Map.of(), env, Map.of()))).store(store)
                .reporter(new Reporter() { }).warmupIterations(0).measuredIterations(5)
                .measurementTime(java.time.Duration.ZERO).confirm(false).build();
    }

    /** A loader that holds a direct buffer of {@code bytes} from its creation until it is closed. */
    static final class HoldingLoader implements Loader {
        final ByteBuffer held;
        boolean closed;

        HoldingLoader(int bytes) {
            held = ByteBuffer.allocateDirect(bytes);
        }

        @Override
        public String type() {
            return "holding";
        }

        @Override
        public Set<LoadMode> supportedModes() {
            return EnumSet.of(LoadMode.APPEND);
        }

        @Override
        public LoadResult loadBatch(VectorSchemaRoot batch, String table, LoadMode mode) {
            return new LoadResult(batch.getRowCount(), 0, 0, table, type(), Map.of("stored_bytes_per_row", 12.5));
        }

        @Override
        public LoadResult loadTable(ArrowReader source, String table, LoadMode mode) {
            return new LoadResult(1000, 0, 0, table, type(), Map.of("stored_bytes_per_row", 12.5));
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void whatARunnerOwnedLoaderHoldsFromItsCreationCountsInEveryIterationsMemory() {
        // Before: the figure was the growth above the level before the body, so a loader that made its buffers when
        // it was created needed "nothing" (0.0 MB for every streaming loader).
        FakeMachine machine = new FakeMachine();
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        List<HoldingLoader> made = new ArrayList<>();
        Benchmark b = Benchmark.builder("held", "holding").datasetSize(1000)
                .loader(() -> {
                    HoldingLoader l = new HoldingLoader(32 << 20);
                    made.add(l);
                    return l;
                })
                .body(ctx -> {
                    LoadResult r = ctx.loader().loadTable(null, "t", LoadMode.APPEND);
                    ctx.report(r);
                    machine.advance(10);
                    return r.rowsLoaded();
                }).build();
        try (PerfRunner r = runner(machine, store, Map.of())) {
            BenchmarkResult res = r.run(b);
            assertThat(made).hasSize(1); // created once for the benchmark
            assertThat(made.get(0).closed).as("closed by the runner after the benchmark").isTrue();
            assertThat(res.samples().get(Metric.MEMORY)).hasSize(5).allSatisfy(mb -> assertThat(mb)
                    .isGreaterThanOrEqualTo(32.0));
            Map<String, Object> extras = store.baseline(b.key()).orElseThrow().extras();
            assertThat(((Number) extras.get("loader_memory_mb")).doubleValue()).isGreaterThanOrEqualTo(32.0);
            assertThat(extras).containsKey("memory_growth_mb").containsEntry("stored_bytes_per_row", 12.5);
            assertThat(((Number) extras.get("memory_growth_mb")).doubleValue()).isLessThan(32.0);
        }
    }

    /** Collections so far, all collectors. */
    private static long collections() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionCount).sum();
    }

    @Test
    void aWorkingSetThatIsGarbageWhenTheBodyReturnsCountsInMemory() {
        // Before: the heap peak was read only from collections that happened to run during the body, so a streaming
        // load's buffers (garbage when it returns) were mostly not seen. The body holds 24 MB until a collection has
        // run while it holds them (bounded), as a load holds its buffers while the sampler collects.
        FakeMachine machine = new FakeMachine();
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        Benchmark b = Benchmark.builder("working_set", "holding").datasetSize(1000)
                .body(ctx -> {
                    byte[] buffer = new byte[24 << 20];
                    java.util.Arrays.fill(buffer, (byte) 1);
                    long start = collections();
                    // the memory iterations are the first five measured ones; the timed ones need not wait
                    long deadline = System.nanoTime() + (!ctx.warmup() && ctx.iteration() <= 5 ? 10_000_000_000L : 0);
                    while (collections() == start && System.nanoTime() < deadline) {
                        Thread.sleep(1);
                    }
                    sink = buffer[buffer.length - 1];
                    machine.advance(10);
                    return 1000;
                }).build();
        try (PerfRunner r = runner(machine, store, Map.of())) {
            BenchmarkResult res = r.run(b);
            assertThat(res.samples().get(Metric.MEMORY)).hasSize(5).allSatisfy(mb -> assertThat(mb)
                    .isGreaterThanOrEqualTo(24.0));
            assertThat(res.samples().get(Metric.DURATION)).as("memory iterations give no time").hasSize(5);
        }
    }

    /** A cache made on first use and kept: what a lazily filled pool or a table's snapshot is to a loader. */
    private static final List<byte[]> FIRST_USE_CACHE = new ArrayList<>();

    @Test
    void whatTheWarmUpsLeaveBehindCountsInMemory() {
        FakeMachine machine = new FakeMachine();
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        Benchmark b = Benchmark.builder("first_use", "holding").datasetSize(1000)
                .body(ctx -> {
                    synchronized (FIRST_USE_CACHE) {
                        if (FIRST_USE_CACHE.isEmpty()) {
                            FIRST_USE_CACHE.add(new byte[16 << 20]);
                        }
                    }
                    machine.advance(10);
                    return 1000;
                }).build();
        try (PerfRunner r = machine.on(PerfRunner.builder(PerfSettings.of(Map.of(), Map.of(), Map.of())))
                .store(store).reporter(new Reporter() { }).warmupIterations(1).measuredIterations(5)
                .measurementTime(java.time.Duration.ZERO).confirm(false).build()) {
            BenchmarkResult res = r.run(b);
            assertThat(res.samples().get(Metric.MEMORY)).hasSize(5).allSatisfy(mb -> assertThat(mb)
                    .isGreaterThanOrEqualTo(16.0));
            Map<String, Object> extras = store.baseline(b.key()).orElseThrow().extras();
            assertThat(((Number) extras.get("warmup_kept_mb")).doubleValue()).isGreaterThanOrEqualTo(16.0);
        } finally {
            synchronized (FIRST_USE_CACHE) {
                FIRST_USE_CACHE.clear();
            }
        }
    }

    @Test
    void aBenchmarkWithoutALoaderFactorySaysSoWhenItAsksForOne() {
        FakeMachine machine = new FakeMachine();
        Benchmark b = Benchmark.builder("none", "counting").datasetSize(1).body(ctx -> {
            ctx.loader();
            return 1;
        }).build();
        try (PerfRunner r = runner(machine, new InMemoryBaselineStore(), Map.of())) {
            assertThatThrownBy(() -> r.run(b)).hasStackTraceContaining("has no loader")
                    .hasStackTraceContaining(".loader(");
        }
    }

    @Test
    void retainedMemoryGrowingIterationOverIterationIsALeak() {
        FakeMachine machine = new FakeMachine();
        List<byte[]> kept = new ArrayList<>();
        Benchmark leaking = Benchmark.builder("leaking", "counting").datasetSize(1).body(ctx -> {
            kept.add(new byte[4 << 20]); // 4 MB kept by every iteration
            machine.advance(10);
            return 1;
        }).build();
        Benchmark steady = Benchmark.builder("steady", "counting").datasetSize(1).body(ctx -> {
            sink = new byte[4 << 20]; // 4 MB made and dropped by the next iteration
            machine.advance(10);
            return 1;
        }).build();
        try (PerfRunner r = runner(machine, new InMemoryBaselineStore(), Map.of())) {
            BenchmarkResult leak = r.run(leaking);
            assertThat(leak.verdict(Metric.MEMORY).orElseThrow().status()).isEqualTo(Status.LEAK);
            assertThat(leak.verdict(Metric.MEMORY).orElseThrow().message()).startsWith("the heap retained")
                    .contains("MB per iteration");
            BenchmarkResult ok = r.run(steady);
            assertThat(ok.verdict(Metric.MEMORY).orElseThrow().status()).isEqualTo(Status.NO_BASELINE);
            assertThat(ok.notes()).noneSatisfy(n -> assertThat(n).startsWith("LEAK"));
        } finally {
            kept.clear();
        }
    }

    @Test
    void leakCheckLooksPastTheFirstIterationAndNeedsGrowthAtEveryStepPastTheFloor() {
        long mb = 1 << 20;
        assertThat(LeakCheck.of(List.of(0L, 10 * mb, 10 * mb, 10 * mb, 10 * mb), 1.0)).as("first-use caches").isEmpty();
        assertThat(LeakCheck.of(List.of(0L, mb, 2 * mb, 3 * mb, 4 * mb), 1.0)).isPresent();
        assertThat(LeakCheck.of(List.of(0L, mb, 2 * mb, mb, 4 * mb), 1.0)).as("a step down").isEmpty();
        assertThat(LeakCheck.of(List.of(0L, 100L, 200L, 300L, 400L), 1.0)).as("under the floor").isEmpty();
        assertThat(LeakCheck.of(List.of(0L, mb), 1.0)).as("too few").isEmpty();
        // measured on a Delta stream: a few KB per load of table state, and once a background checkpoint in flight
        assertThat(LeakCheck.of(List.of(0L, 10_000L, 20_000L, 30_000L, 30_000L + 3 * mb), 1.0)).as("one jump")
                .isEmpty();
        assertThat(LeakCheck.of(List.of(0L, 10 * mb, 11 * mb, 13 * mb, 14 * mb), 1.0)).as("uneven, but every load")
                .isPresent();
    }

    @Test
    void allocationPerRowGetsAVerdictBeyondTheAssumedRunToRunNoise() {
        FakeMachine machine = new FakeMachine();
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        int[] bytesPerRow = {10_000};
        Benchmark b = Benchmark.builder("alloc", "counting").datasetSize(1000).body(ctx -> {
            for (int i = 0; i < 1000; i++) {
                sink = new byte[bytesPerRow[0] - 16];
            }
            machine.advance(10);
            return 1000;
        }).build();
        try (PerfRunner r = runner(machine, store, Map.of("PERF_THRESHOLD_ALLOCATION", "2"))) {
            r.run(b);
            assertThat(r.run(b).verdict(Metric.ALLOCATED_BYTES_PER_ROW).orElseThrow().status())
                    .as("unchanged").isEqualTo(Status.OK);
            bytesPerRow[0] = 10_200; // 2% more: within the 3% run-to-run noise assumed for allocation between JVMs
            assertThat(r.run(b).verdict(Metric.ALLOCATED_BYTES_PER_ROW).orElseThrow().status())
                    .isNotEqualTo(Status.REGRESSION);
            bytesPerRow[0] = 12_000; // 18% more than the last run: beyond it
            assertThat(r.run(b).verdict(Metric.ALLOCATED_BYTES_PER_ROW).orElseThrow().status())
                    .isEqualTo(Status.REGRESSION);
        }
    }

    @Test
    void anAllocationChangeSmallerThanTheFloorOverOneLoadIsOk() {
        // 10 -> 12 B/row over 1,000 rows: 20% more, but 2 KB per load, what other threads' work moves (busy CI)
        org.loadperf.api.Verdict v = new org.loadperf.api.Verdict(Metric.ALLOCATED_BYTES_PER_ROW, Status.REGRESSION,
                20.0, 10.0, 12.0, 15.0, 0.99, 10.0, 1.0, 2.0, "hodges-lehmann", "worse");
        org.loadperf.api.Verdict floored = org.loadperf.core.verdict.VerdictEngine.allocationFloor(v, 1000, 1.0);
        assertThat(floored.status()).isEqualTo(Status.OK);
        assertThat(floored.message()).contains("under the 1.00 MB floor").contains("REGRESSION");
        // the same change over 1M rows is 2 MB per load: judged
        assertThat(org.loadperf.core.verdict.VerdictEngine.allocationFloor(v, 1_000_000, 1.0).status())
                .isEqualTo(Status.REGRESSION);
    }

    @Test
    void pairedModeAppliesTheAllocationFloorToo() {
        FakeMachine machine = new FakeMachine();
        try (PerfRunner r = runner(machine, new InMemoryBaselineStore(), Map.of())) {
            // 3x the allocation, but 20 KB more per load of 1,000 rows: under the 1 MB floor
            PairedComparison small = r.compare(allocating("small_base", 10, machine), allocating("small_head", 30,
                    machine));
            assertThat(small.verdict(Metric.ALLOCATED_BYTES_PER_ROW).orElseThrow().status()).isEqualTo(Status.OK);
            assertThat(small.verdict(Metric.ALLOCATED_BYTES_PER_ROW).orElseThrow().message()).contains("floor");
            // 20% more at 10 KB per row: 2 MB more per load, judged
            PairedComparison large = r.compare(allocating("large_base", 10_000, machine), allocating("large_head",
                    12_000, machine));
            assertThat(large.verdict(Metric.ALLOCATED_BYTES_PER_ROW).orElseThrow().status())
                    .isEqualTo(Status.REGRESSION);
        }
    }

    /** A body that allocates about {@code bytesPerRow} per row of 1,000 rows. */
    private static Benchmark allocating(String key, int bytesPerRow, FakeMachine machine) {
        return Benchmark.builder(key, "counting").datasetSize(1000).body(ctx -> {
            sink = new byte[bytesPerRow * 1000 - 16];
            machine.advance(10);
            return 1000;
        }).build();
    }

    @Test
    void noRowsGiveNoBytesPerRowInsteadOfTheTotal() {
        // Before: an iteration of 0 rows recorded its total bytes as "bytes per row".
        FakeMachine machine = new FakeMachine();
        Benchmark b = Benchmark.builder("empty", "counting").datasetSize(0).body(ctx -> {
            sink = new byte[1 << 20];
            machine.advance(10);
            return 0;
        }).build();
        try (PerfRunner r = runner(machine, new InMemoryBaselineStore(), Map.of())) {
            BenchmarkResult res = r.run(b);
            assertThat(res.samples().get(Metric.ALLOCATED_BYTES_PER_ROW)).isEmpty();
            assertThat(res.verdict(Metric.ALLOCATED_BYTES_PER_ROW).orElseThrow().message()).contains("no rows");
            assertThat(res.notes()).anySatisfy(n -> assertThat(n).contains("no rows"));
        }
    }
}
