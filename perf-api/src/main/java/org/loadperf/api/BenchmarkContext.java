package org.loadperf.api;

import org.loadperf.api.annotation.Api;
import org.apache.arrow.memory.BufferAllocator;

/**
 * What the runner hands to each phase of a {@link Benchmark} iteration.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface BenchmarkContext {

    /**
     * In an iteration ({@code beforeEach}, body, {@code afterEach}): an Arrow allocator made for this iteration,
     * whose peak allocation counts toward {@link Metric#MEMORY}; it is closed after {@code afterEach}. In
     * {@code setup} and {@code teardown}: an allocator for the whole benchmark, closed after {@code teardown}
     * (data made there, e.g. a recorded dataset, does not count toward an iteration's memory). Everything allocated
     * from it must be released before it closes, or the benchmark fails naming the leak.
     */
    BufferAllocator allocator();

    /** 1-based number of this iteration within its kind (warm-up or measured); 0 in setup and teardown. */
    int iteration();

    /** Whether this iteration is a warm-up whose figures are discarded. */
    boolean warmup();

    /** The benchmark being run. */
    Benchmark benchmark();

    /**
     * The loader the runner created for this benchmark ({@link Benchmark.Builder#loader}).
     *
     * @throws IllegalStateException when the benchmark gave no loader factory
     */
    default org.loadperf.api.loader.Loader loader() {
        throw new IllegalStateException("benchmark " + benchmark().key() + " has no loader: give one with "
                + "Benchmark.builder(...).loader(() -> ...)");
    }

    /**
     * Tells the runner what a load in the body did, so that the record carries what it stored
     * ({@code stored_bytes_per_row} from the result's metadata, the loaders' common key). Optional; the last one
     * reported in a measured iteration is recorded.
     */
    default void report(org.loadperf.api.loader.LoadResult result) {
    }
}
