package org.loadperf.core.measure;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forces full collections while a memory iteration's body runs, so that {@link HeapWatcher} sees the heap the load
 * holds mid-way (its buffers, the batch in flight, the connections it opened) and not only what survives it. A
 * streaming loader's working set is garbage by the time the body returns; without a collection during the body it
 * would count as nothing.
 *
 * <p>The collections stop the load, so only memory iterations run one and their times are not used.
 */
final class HeapSampler implements AutoCloseable {

    /** Collections per body at most: enough to hit every phase of a load over the memory iterations. */
    static final int MAX_COLLECTIONS = 4;

    private static final long MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Thread thread;
    private final AtomicInteger collections = new AtomicInteger();
    private final AtomicLong peakLive = new AtomicLong();
    private volatile boolean stopped;

    private HeapSampler(long intervalNanos) {
        // A random first offset, so that the memory iterations of one benchmark sample different phases of a load.
        long first = (long) (intervalNanos * ThreadLocalRandom.current().nextDouble(0.25, 1.0));
        thread = new Thread(() -> run(first, intervalNanos), "loadperf-heap-sampler");
        thread.setDaemon(true);
    }

    /**
     * Starts sampling a body expected to take about {@code expectedNanos} (from its warm-ups; 0 when unknown): a
     * collection every quarter of it, at most {@link #MAX_COLLECTIONS}.
     */
    static HeapSampler start(long expectedNanos) {
        long interval = expectedNanos > 0 ? Math.max(MIN_INTERVAL_NANOS, expectedNanos / MAX_COLLECTIONS)
                : TimeUnit.MILLISECONDS.toNanos(10);
        HeapSampler sampler = new HeapSampler(interval);
        sampler.thread.start();
        return sampler;
    }

    private void run(long first, long interval) {
        long wait = first;
        while (!stopped && collections.get() < MAX_COLLECTIONS) {
            long until = System.nanoTime() + wait;
            for (long left = wait; left > 0 && !stopped; left = until - System.nanoTime()) {
                java.util.concurrent.locks.LockSupport.parkNanos(this, left);
            }
            if (stopped) {
                return;
            }
            System.gc();
            // read here, not from the collection's notification, which comes later on another thread
            peakLive.accumulateAndGet(HeapWatcher.liveAfterLastCollection(), Math::max);
            collections.incrementAndGet();
            wait = interval;
        }
    }

    /** Collections it forced. */
    int collections() {
        return collections.get();
    }

    /** The largest live heap its collections left, 0 when none ran. */
    long peakLive() {
        return peakLive.get();
    }

    /** Stops sampling and waits for a collection in progress to end (it would otherwise count after the body). */
    @Override
    public void close() {
        stopped = true;
        java.util.concurrent.locks.LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
