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
 *   <li>memory (what the load needs): what the runner-owned loader holds since its creation ({@code held}, measured
 *       once by the runner) + (peak live heap during the body − live heap before it) + the peak of the iteration's
 *       Arrow child allocator + the peak of JDK direct buffers above their level before the body. The live heap
 *       before is read after collecting garbage; the peak live heap during the body is the largest heap that
 *       survived a collection while it ran, or, when none ran, the heap that survives the collection right after
 *       it (so transient garbage never counts). Off-heap Arrow memory is exact; direct buffers are read from
 *       {@code BufferPoolMXBean} after the body and at every collection during it. Settling the heap costs full
 *       collections, so only the runner's memory iterations (the first measured ones) do it; the others report
 *       no heap figure. The old figure (heap growth + Arrow peak, without the loader and direct buffers) is kept as
 *       {@code growthBytes};</li>
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
     * @param heapMeasured whether the heap was settled around the body, so that {@code memoryBytes} includes the
     *                     heap ({@code false}: only the Arrow peak is known and the iteration gives no memory sample)
     */
    @Api(status = Api.Status.INTERNAL, since = "0.2")
    public record Sample(long nanos, long rows, long memoryBytes, long allocatedBytes, long cpuNanos, long arrowPeak,
                         long heapPeak, boolean heapMeasured, long directPeak, long retainedAfter, long growthBytes) {

        /** A warm-up's sample: only its time counts. */
        public static Sample timeOnly(long nanos, long rows) {
            return new Sample(nanos, rows, 0, 0, 0, 0, 0, false, 0, 0, 0);
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
    private long collectionsBefore;
    private final boolean measureHeap;
    private final long held;

    /**
     * @param measureHeap whether to settle the heap (full collections) before and after the body to measure its
     *                    heap: exact, but it costs tens of milliseconds per iteration and starts every body on an
     *                    empty young generation, so only the memory iterations do it
     * @param held        bytes the runner-owned loader holds since its creation, part of what every load needs
     */
    public IterationProbe(boolean measureHeap, long held) {
        this.measureHeap = measureHeap;
        this.held = held;
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
            collectionsBefore = heap.collections();
        }
        allocatedBefore = allocatedByThread();
        cpuBefore = OS.getProcessCpuTime();
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
            return new Sample(nanos, rows, held + arrowPeak, allocated, cpu, arrowPeak, 0, false, 0, 0, arrowPeak);
        }
        boolean collected = heap.collections() > collectionsBefore;
        long peakLive = collected ? heap.peakLiveAfterGc() : 0;
        long directPeak = Math.max(0, Math.max(HeapWatcher.directUsed(), heap.peakDirect()) - directBefore);
        long retained = HeapWatcher.settledHeap();
        long heapPeak = Math.max(0, Math.max(peakLive, retained) - heapBefore);
        return new Sample(nanos, rows, held + heapPeak + arrowPeak + directPeak, allocated, cpu, arrowPeak, heapPeak,
                true, directPeak, retained, heapPeak + arrowPeak);
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
