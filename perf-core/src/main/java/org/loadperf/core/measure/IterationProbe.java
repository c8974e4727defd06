package org.loadperf.core.measure;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.loadperf.api.Api;

/**
 * Measures one iteration of a benchmark.
 *
 * <p>What is measured, exactly:
 * <ul>
 *   <li>duration: {@link System#nanoTime()} just before and just after the body;</li>
 *   <li>memory: (peak live heap during the body − live heap before it) + the peak of the iteration's Arrow child
 *       allocator. The live heap before is read after collecting garbage; the peak live heap during the body is
 *       the largest heap that survived a collection while it ran, or, when none ran, the heap that survives the
 *       collection right after it (so transient garbage never counts, and a short body that needed less than the
 *       young generation shows only what it kept). Off-heap Arrow memory is exact. Settling the heap costs full
 *       collections, so only the runner's memory iterations (the first measured ones) do it; the others report
 *       no heap figure;</li>
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
    public record Sample(long nanos, long rows, long memoryBytes, long allocatedBytes, long cpuNanos, long arrowPeak,
                  long heapPeak, boolean heapMeasured) {
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final HeapWatcher heap = HeapWatcher.get();
    private long heapBefore;
    private Map<Long, Long> allocatedBefore;
    private long cpuBefore;
    private long collectionsBefore;
    private final boolean measureHeap;

    /**
     * @param measureHeap whether to settle the heap (full collections) before and after the body to measure its
     *                    heap: exact, but it costs tens of milliseconds per iteration and starts every body on an
     *                    empty young generation, so only the memory iterations do it
     */
    public IterationProbe(boolean measureHeap) {
        this.measureHeap = measureHeap;
    }

    /** Prepares the measurement: settles the heap (when measuring it) and reads the counters. Not timed. */
    public void before() {
        if (THREADS.isThreadAllocatedMemorySupported() && !THREADS.isThreadAllocatedMemoryEnabled()) {
            THREADS.setThreadAllocatedMemoryEnabled(true);
        }
        if (measureHeap) {
            heapBefore = HeapWatcher.settledHeap();
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
            return new Sample(nanos, rows, arrowPeak, allocated, cpu, arrowPeak, 0, false);
        }
        boolean collected = heap.collections() > collectionsBefore;
        long peakLive = collected ? heap.peakLiveAfterGc() : 0;
        long retained = HeapWatcher.settledHeap();
        long heapPeak = Math.max(0, Math.max(peakLive, retained) - heapBefore);
        return new Sample(nanos, rows, heapPeak + arrowPeak, allocated, cpu, arrowPeak, heapPeak, true);
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
