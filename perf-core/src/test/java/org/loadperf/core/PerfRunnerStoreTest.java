package org.loadperf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.BaselinePolicy;
import org.loadperf.api.BaselineStore;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.core.report.ConsoleReporter;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.CorruptStoreException;
import org.loadperf.core.store.InMemoryBaselineStore;
import org.loadperf.core.store.JsonFileBaselineStore;
import org.loadperf.core.store.JsonFileBaselineStoreTest;

/** How {@link PerfRunner} uses its store: the pinned policy under concurrency, and a store it cannot read. */
class PerfRunnerStoreTest {

    @TempDir
    Path dir;

    /**
     * The file store, except that every {@link #baseline} waits until the other runner has read it too: both
     * runners see "no baseline yet" before either records, the interleaving that let the second first run move
     * the baseline the first had just set.
     */
    private static final class BothReadFirst implements BaselineStore {
        private final JsonFileBaselineStore file;
        private final CyclicBarrier barrier = new CyclicBarrier(2);

        BothReadFirst(JsonFileBaselineStore file) {
            this.file = file;
        }

        @Override
        public Optional<BenchmarkRecord> baseline(String key) {
            try {
                barrier.await(2, TimeUnit.MINUTES);
            } catch (Exception e) {
                throw new IllegalStateException("the other runner did not read the baseline: " + e, e);
            }
            return file.baseline(key);
        }

        @Override
        public Map<String, BenchmarkRecord> baselines() {
            return file.baselines();
        }

        @Override
        public void record(BenchmarkRecord record, boolean moveBaseline) {
            file.record(record, moveBaseline);
        }

        @Override
        public boolean recordSettingBaselineIfAbsent(BenchmarkRecord record) {
            return file.recordSettingBaselineIfAbsent(record);
        }

        @Override
        public List<BenchmarkRecord> history(String key) {
            return file.history(key);
        }

        @Override
        public void reset() {
            file.reset();
        }
    }

    private static PerfRunner.Builder runner(BaselineStore store) {
        return PerfRunner.builder(PerfSettings.of(Map.of(), Map.of(), Map.of())).store(store)
                .reporter(new ConsoleReporter(new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8)))
                .speedCorrection(false).confirm(false).warmupIterations(1).warmupTime(Duration.ZERO)
                .measuredIterations(3).measurementTime(Duration.ZERO);
    }

    /**
     * Two runners with the {@code pinned} policy make the first run of one benchmark at once: one of them becomes
     * the baseline, the other is kept in the history without moving it.
     */
    @Test
    void concurrentFirstRunsSetThePinnedBaselineOnce() throws Exception {
        JsonFileBaselineStore file = JsonFileBaselineStore.at(dir);
        BothReadFirst store = new BothReadFirst(file);
        Benchmark benchmark = Benchmark.builder("race", "counting").datasetSize(10).body(ctx -> 10).build();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> runs = new ArrayList<>();
        try {
            for (String name : List.of("runner-a", "runner-b")) {
                runs.add(pool.submit(() -> {
                    try (PerfRunner r = runner(store).baselinePolicy(BaselinePolicy.PINNED).environment(name)
                            .build()) {
                        return r.run(benchmark);
                    }
                }));
            }
            for (Future<?> f : runs) {
                f.get(3, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        List<BenchmarkRecord> history = file.history("counting_race");
        assertThat(history).extracting(BenchmarkRecord::environment)
                .containsExactlyInAnyOrder("runner-a", "runner-b");
        // the baseline is the first run recorded; the second did not move it
        assertThat(file.baseline("counting_race").orElseThrow().environment())
                .isEqualTo(history.get(0).environment());
    }

    /** The in-memory store decides and writes in one step as well. */
    @Test
    void inMemoryStoreSetsThePinnedBaselineOnce() throws Exception {
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> claims = new ArrayList<>();
        try {
            for (int t = 0; t < 4; t++) {
                String writer = "t" + t;
                claims.add(pool.submit(() -> {
                    start.await();
                    return store.recordSettingBaselineIfAbsent(JsonFileBaselineStoreTest.run("x", "mem", writer, 0));
                }));
            }
            start.countDown();
            List<String> won = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                if (claims.get(t).get(1, TimeUnit.MINUTES)) {
                    won.add("t" + t + "-0");
                }
            }
            assertThat(store.history("mem_x")).hasSize(4);
            assertThat(won).containsExactly(store.history("mem_x").get(0).gitCommit());
            assertThat(store.baseline("mem_x").orElseThrow().gitCommit()).isEqualTo(won.get(0));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A store file the runner cannot represent fails the runner where it is built (before a test connects to
     * anything), and a run whose store became unreadable after that fails before the benchmark's setup; the file is
     * kept as it is.
     */
    @Test
    void unreadableStoreFailsTheRunBeforeAnyWork() throws Exception {
        Path path = dir.resolve(JsonFileBaselineStore.DEFAULT_FILE_NAME);
        String text = "{\"counting_other\": {\"test_name\": \"other\", \"loader_type\": \"counting\", "
                + "\"throughput_rows_per_sec\": 5.0, \"dataset_size\": 10.9, \"timestamp\": \"t\"}}\n";
        Files.writeString(path, text);
        AtomicInteger work = new AtomicInteger();
        Benchmark benchmark = Benchmark.builder("fresh", "counting").datasetSize(10)
                .setup(ctx -> work.incrementAndGet()).body(ctx -> {
                    work.incrementAndGet();
                    return 10;
                }).build();

        assertThatThrownBy(() -> runner(JsonFileBaselineStore.at(path)).build())
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining(path.toAbsolutePath().toString())
                .hasMessageContaining("'counting_other.dataset_size'").hasMessageContaining("10.9");

        Files.delete(path);
        try (PerfRunner r = runner(JsonFileBaselineStore.at(path)).build()) {
            Files.writeString(path, text); // broken after the runner was built
            assertThatThrownBy(() -> r.run(benchmark)).isInstanceOf(CorruptStoreException.class)
                    .hasMessageContaining("'counting_other.dataset_size'");
        }
        assertThat(work).hasValue(0);
        assertThat(Files.readString(path)).isEqualTo(text);
    }
}
