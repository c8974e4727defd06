package org.loadperf.api;

import org.apache.arrow.memory.BufferAllocator;

/**
 * What the runner hands to each phase of a {@link Benchmark} iteration.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface BenchmarkContext {

    /**
     * An Arrow allocator made for this iteration; its peak allocation counts toward {@link Metric#MEMORY}. It is
     * closed after {@link Benchmark.Phase teardown}, so everything allocated from it must be released by then.
     */
    BufferAllocator allocator();

    /** 1-based number of this iteration within its kind (warm-up or measured). */
    int iteration();

    /** Whether this iteration is a warm-up whose figures are discarded. */
    boolean warmup();

    /** The benchmark being run. */
    Benchmark benchmark();
}
