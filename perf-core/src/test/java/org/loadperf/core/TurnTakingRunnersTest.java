package org.loadperf.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.Benchmark;
import org.loadperf.core.measure.TurnTaking;
import org.loadperf.core.settings.PerfSettings;

/**
 * Two runners given {@code compare}'s turns (PERF_COMPARE_TURNS and PERF_COMPARE_SIDE), in two threads standing for
 * the base's and the head's processes: their bodies never run at once and alternate one by one.
 */
class TurnTakingRunnersTest {

    @TempDir
    Path dir;

    @Test
    void twoSidesBodiesAlternateAndNeverOverlap() throws Exception {
        Path turns = dir.resolve("turns");
        TurnTaking.prepare(turns, Duration.ofMinutes(2));
        List<String> bodies = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean();
        List<String> overlaps = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> sides = new ArrayList<>();
            for (String side : TurnTaking.SIDES) {
                sides.add(pool.submit(() -> runSide(side, turns, bodies, running, overlaps)));
            }
            for (Future<?> f : sides) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(overlaps).as("bodies that ran while the other side's ran").isEmpty();
        long base = bodies.stream().filter("base"::equals).count();
        long head = bodies.size() - base;
        assertThat(base).isPositive();
        assertThat(head).isPositive();
        List<String> both = bodies.subList(0, (int) (2 * Math.min(base, head)));
        for (int i = 1; i < both.size(); i++) {
            assertThat(both.get(i)).as("body %d of %s", i, bodies).isNotEqualTo(both.get(i - 1));
        }
    }

    private void runSide(String side, Path turns, List<String> bodies, AtomicBoolean running, List<String> overlaps) {
        PerfSettings settings = PerfSettings.of(Map.of(), Map.of("PERF_COMPARE_TURNS", turns.toString(),
                "PERF_COMPARE_SIDE", side, "PERF_STORE", dir.resolve(side + ".json").toString()), Map.of());
        try (PerfRunner runner = PerfRunner.builder(settings).warmupIterations(2).measuredIterations(4)
                .measurementTime(Duration.ZERO).reporter(new org.loadperf.api.Reporter() { }).build()) {
            runner.run(Benchmark.builder("turns_" + side, "counting").datasetSize(10).body(ctx -> {
                if (!running.compareAndSet(false, true)) {
                    overlaps.add(side);
                }
                bodies.add(side);
                long sum = 0;
                for (int i = 0; i < 100_000; i++) {
                    sum += i ^ (sum >>> 3);
                }
                running.set(false);
                return sum == 42 ? 9 : 10;
            }).build());
        }
    }
}
