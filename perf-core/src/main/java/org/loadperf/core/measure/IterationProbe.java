package org.loadperf.core.measure;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.loadperf.api.annotation.Api;

/**
 * Measures one iteration of a benchmark.
 *
 * <p>What is measured, exactly:
 * <ul>
 *   <li>duration: {@link System#nanoTime()} just before and just after the body;</li>
 *   <li>memory (what the load needs), in memory iterations only: what the loader and the benchmark hold between
 *       loads ({@code held}: the runner-owned loader's holdings from its creation and what the warm-ups left
 *       behind, measured once by the runner) + (peak live heap during the body − live heap before it) + the peak of
 *       the iteration's Arrow child allocator + the peak of JDK direct buffers above their level before the body.
 *       The live heap before is read after collecting garbage; the peak live heap during the body is the largest
 *       heap that survived a collection while it ran: {@link HeapSampler} forces a few, so that the working set of
 *       a streaming load (its buffers, the batch in flight) is seen although it is garbage when the body returns.
 *       Those collections stop the load, so a memory iteration's time, CPU and allocation are not used; the
 *       timed iterations that follow measure those. The old figure (heap growth + Arrow peak, without what is
 *       held) is kept as {@code growthBytes};</li>
 *   <li>retained: the settled heap after the body, for the leak check (growth iteration over iteration);</li>
 *   <li>allocated bytes: the sum over all threads of {@code ThreadMXBean.getThreadAllocatedBytes} growth (threads
 *       that ended during the body are not counted);</li>
 *   <li>CPU: the process CPU time, all threads.</li>
 * </ul>
 * Everything but the two {@code nanoTime} reads happens outside the timed region; {@code ProbeOverheadBenchmark}
 * measures what the probe adds.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class IterationProbe {

    /**
     * One iteration's figures.
     *
     * @param heapMeasured whether this was a memory iteration: the heap was settled around the body and sampled in it,
     *                     so that {@code memoryBytes} includes the heap ({@code false}: only the Arrow peak is known
     *                     and the iteration gives no memory sample)
     * @param timed        whether its time, CPU and allocation are figures of the load (not of a memory iteration,
     *                     whose collections stopped it)
     * @param heapSampled  whether a forced collection ran during the body (a memory iteration whose body ended
     *                     before the first one saw only the heap it left, not its working set)
     */
    @Api(status = Api.Status.INTERNAL, since = "0.2")
    public record Sample(long nanos, long rows, long memoryBytes, long allocatedBytes, long cpuNanos, long arrowPeak,
                         long heapPeak, boolean heapMeasured, long directPeak, long retainedAfter, long growthBytes,
                         boolean timed, boolean heapSampled) {

        /** A warm-up's sample: only its time counts. */
        public static Sample timeOnly(long nanos, long rows) {
            return new Sample(nanos, rows, 0, 0, 0, 0, 0, false, 0, 0, 0, true, false);
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final HeapWatcher heap = HeapWatcher.get();
    private long heapBefore;
    private long directBefore;
    private Map<Long, Long> allocatedBefore;
    private long cpuBefore;
    private final boolean measureHeap;
    private final long held;
    private final long expectedNanos;
    private HeapSampler sampler;

    /**
     * @param measureHeap   whether this is a memory iteration: the heap settled (full collections) before and after
     *                      the body and sampled during it; exact, but it stops the load, so its time is not used
     * @param held          bytes held between loads (the runner-owned loader's, what warm-ups left), part of what
     *                      every load needs
     * @param expectedNanos about how long the body takes (its warm-ups' median; 0 when unknown), to spread the
     *                      collections over it
     */
    public IterationProbe(boolean measureHeap, long held, long expectedNanos) {
        this.measureHeap = measureHeap;
        this.held = held;
        this.expectedNanos = expectedNanos;
    }

    /** Prepares the measurement: settles the heap (when measuring it) and reads the counters. Not timed. */
    public void before() {
        if (THREADS.isThreadAllocatedMemorySupported() && !THREADS.isThreadAllocatedMemoryEnabled()) {
            THREADS.setThreadAllocatedMemoryEnabled(true);
        }
        if (measureHeap) {
            heapBefore = HeapWatcher.settledHeap();
            directBefore = HeapWatcher.directUsed();
            heap.reset();
        }
        allocatedBefore = allocatedByThread();
        cpuBefore = OS.getProcessCpuTime();
        if (measureHeap) {
            sampler = HeapSampler.start(expectedNanos);
        }
    }

    /** Ends what watches the body (the heap sampler); called right after it, before {@link #after}. */
    public void bodyEnded() {
        if (sampler != null) {
            sampler.close();
        }
    }

    /** Reads the counters after the body and settles the heap again. Not timed. */
    public Sample after(long nanos, long rows, BufferAllocator allocator) {
        long cpu = OS.getProcessCpuTime() - cpuBefore;
        Map<Long, Long> allocatedAfter = allocatedByThread();
        long allocated = 0;
        for (Map.Entry<Long, Long> e : allocatedAfter.entrySet()) {
            allocated += Math.max(0, e.getValue() - allocatedBefore.getOrDefault(e.getKey(), 0L));
        }
        long arrowPeak = allocator.getPeakMemoryAllocation();
        if (!measureHeap) {
            return new Sample(nanos, rows, held + arrowPeak, allocated, cpu, arrowPeak, 0, false, 0, 0, arrowPeak,
                    true, false);
        }
        // Only the sampler's full collections: after a young one the old generation still holds its garbage.
        long peakLive = sampler.peakLive();
        long directPeak = Math.max(0, Math.max(HeapWatcher.directUsed(), heap.peakDirect()) - directBefore);
        long retained = HeapWatcher.settledHeap();
        long heapPeak = Math.max(0, Math.max(peakLive, retained) - heapBefore);
        return new Sample(nanos, rows, held + heapPeak + arrowPeak + directPeak, allocated, cpu, arrowPeak, heapPeak,
                true, directPeak, retained, heapPeak + arrowPeak, false, sampler.collections() > 0);
    }

    private static Map<Long, Long> allocatedByThread() {
        long[] ids = THREADS.getAllThreadIds();
        long[] bytes = THREADS.getThreadAllocatedBytes(ids);
        Map<Long, Long> out = new HashMap<>(ids.length * 2);
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                out.put(ids[i], bytes[i]);
            }
        }
        return out;
    }
}
