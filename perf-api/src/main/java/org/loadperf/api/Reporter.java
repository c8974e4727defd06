package org.loadperf.api;

import org.loadperf.api.annotation.Api;
import java.util.List;

/**
 * Receives what a runner does, to show or write it. Every method has an empty default, so a reporter implements
 * only what it shows. Reporters are called on the runner's thread and must not throw.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface Reporter {

    /** A benchmark starts: {@code warmups} discarded and {@code iterations} measured iterations follow. */
    default void benchmarkStarted(Benchmark benchmark, int warmups, int iterations) {
    }

    /**
     * One iteration finished.
     *
     * @param index     1-based number within its kind
     * @param total     iterations of its kind
     * @param warmup    whether it was a warm-up
     * @param seconds   its wall time
     * @param elapsed   seconds since the benchmark started
     */
    default void iterationFinished(Benchmark benchmark, int index, int total, boolean warmup, double seconds,
                                   double elapsed) {
    }

    /** A benchmark finished with {@code result} (its verdicts included). */
    default void benchmarkFinished(BenchmarkResult result) {
    }

    /** The runner is closed: {@code results} are all the results it produced, in order. */
    default void runFinished(List<BenchmarkResult> results) {
    }
}
