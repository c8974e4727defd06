package org.loadperf.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.InMemoryBaselineStore;

/**
 * What the engine's measurement costs: an empty body and a fixed-cost body (about 20 ms of arithmetic), timed
 * bare (two nanoTime reads around the body) and through {@link PerfRunner} (probe, allocator, GC settling). The
 * difference of the medians is what the probe adds to a measured duration; the wall time per iteration shows what
 * it costs outside the measurement (the GCs that settle the heap).
 */
@Tag("performance")
class ProbeOverheadBenchmark {

    private static final int ITERATIONS = 15;
    private static volatile long sink;

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static long fixedWork() {
        long acc = 0;
        for (int i = 0; i < 20_000_000; i++) {
            acc += (long) i * i ^ (acc >>> 3);
        }
        sink = acc;
        return 1;
    }

    /**
     * Bare and probed measurements alternate (bare, probed, bare, probed, ...) so that a busy machine slows both
     * alike; each probed measurement is a one-iteration run of the runner.
     */
    @Test
    void probeOverhead() throws Exception {
        Benchmark.Body[] bodies = {ctx -> 1, ctx -> fixedWork()};
        double[] bare = new double[2];
        double[] probed = new double[2];
        double[] wallPerIteration = new double[2];
        try (PerfRunner runner = PerfRunner.builder(PerfSettings.of(Map.of(), Map.of(), Map.of()))
                .store(new InMemoryBaselineStore()).warmupIterations(0).measuredIterations(1)
                .measurementTime(java.time.Duration.ZERO)
                .reporter(new org.loadperf.api.Reporter() { }).build()) {
            for (int b = 0; b < 2; b++) {
                Benchmark.Body body = bodies[b];
                Benchmark benchmark = Benchmark.builder("probe_overhead_" + b, "engine").datasetSize(1).body(body)
                        .build();
                for (int i = 0; i < 3; i++) {
                    body.run(null);
                    runner.run(benchmark);
                }
                double[] bareSamples = new double[ITERATIONS];
                double[] probedSamples = new double[ITERATIONS];
                long wall = 0;
                for (int i = 0; i < ITERATIONS; i++) {
                    long t0 = System.nanoTime();
                    body.run(null);
                    bareSamples[i] = (System.nanoTime() - t0) / 1e9;
                    long w0 = System.nanoTime();
                    probedSamples[i] = runner.run(benchmark).median(Metric.DURATION);
                    wall += System.nanoTime() - w0;
                }
                bare[b] = median(bareSamples);
                probed[b] = median(probedSamples);
                wallPerIteration[b] = wall / 1e9 / ITERATIONS;
            }
        }
        double bareEmpty = bare[0];
        double bareFixed = bare[1];
        System.out.printf(Locale.ROOT, "%nProbe overhead (median of %d iterations)%n", ITERATIONS);
        System.out.printf(Locale.ROOT, "  body         bare           with probe     added to the measured time   "
                + "wall per iteration%n");
        System.out.printf(Locale.ROOT, "  empty        %9.0f ns   %9.0f ns   %+9.0f ns                  %6.1f ms%n",
                bareEmpty * 1e9, probed[0] * 1e9, (probed[0] - bareEmpty) * 1e9, wallPerIteration[0] * 1e3);
        System.out.printf(Locale.ROOT, "  fixed-cost   %9.3f ms   %9.3f ms   %+9.3f ms (%+.2f%%)         %6.1f ms%n",
                bareFixed * 1e3, probed[1] * 1e3, (probed[1] - bareFixed) * 1e3,
                (probed[1] - bareFixed) / bareFixed * 100, wallPerIteration[1] * 1e3);
        // A figure, not a gate: how much a busy moment moves it is the machine's business (target: within 10% of
        // the fixed-cost body, README "The validation"). Only a sanity check may fail: a probe that adds 100x.
        System.out.printf(Locale.ROOT, "  probe overhead on the fixed-cost body: %+.1f%% (target: within 10%%)%n",
                (probed[1] - bareFixed) / bareFixed * 100);
        assertThat(probed[1]).as("probed fixed-cost body, sanity").isPositive().isLessThan(bareFixed * 100);
    }
}
