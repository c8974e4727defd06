package org.loadperf.core.measure;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Watches the live Java heap: after every garbage collection the JVM reports how much of the heap survived, which
 * is the live heap at that moment. The largest such figure during a load is its peak live heap (as far as the
 * collections sampled it; see {@link IterationProbe}).
 *
 * <p>One listener per JVM, registered once; the hot path (a load) pays nothing for it but the collections it has
 * anyway.
 */
final class HeapWatcher {

    private static final List<BufferPoolMXBean> BUFFER_POOLS =
            ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(p -> p.getName().equals("direct")).toList();
    private static final List<MemoryPoolMXBean> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();
    private static final HeapWatcher INSTANCE = new HeapWatcher();

    private final AtomicLong peakLiveAfterGc = new AtomicLong();
    private final AtomicLong peakDirect = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();
    private final Set<String> heapPools;

    private HeapWatcher() {
        heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
                .collect(Collectors.toUnmodifiableSet());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((notification, handback) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                            notification.getType())) {
                        onCollection(GarbageCollectionNotificationInfo.from(
                                (CompositeData) notification.getUserData()));
                    }
                }, null, null);
            }
        }
    }

    static HeapWatcher get() {
        return INSTANCE;
    }

    private void onCollection(GarbageCollectionNotificationInfo info) {
        long live = 0;
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
                live += e.getValue().getUsed();
            }
        }
        peakLiveAfterGc.accumulateAndGet(live, Math::max);
        // direct buffers are freed by their cleaners after a collection: just before it is as high as they get
        peakDirect.accumulateAndGet(directUsed(), Math::max);
        collections.incrementAndGet();
    }

    /** Forgets the peak, to start watching a new load. */
    void reset() {
        peakLiveAfterGc.set(0);
        peakDirect.set(0);
    }

    /** The most JDK direct-buffer memory seen at a collection since {@link #reset()}. */
    long peakDirect() {
        return peakDirect.get();
    }

    /**
     * JDK direct buffers in use now ({@code ByteBuffer.allocateDirect}, and Netty's where it allocates through it);
     * memory-mapped files are not counted (the OS pages them in and out).
     */
    static long directUsed() {
        long used = 0;
        for (BufferPoolMXBean p : BUFFER_POOLS) {
            used += Math.max(0, p.getMemoryUsed());
        }
        return used;
    }

    /** The largest live heap reported by a collection since {@link #reset()}, 0 when none ran. */
    long peakLiveAfterGc() {
        return peakLiveAfterGc.get();
    }

    /**
     * The heap the last collection left, read synchronously: each heap pool's usage after the collection that last
     * collected it (a full collection collects them all).
     */
    static long liveAfterLastCollection() {
        long live = 0;
        for (MemoryPoolMXBean p : HEAP_POOLS) {
            MemoryUsage u = p.getCollectionUsage();
            if (u != null) {
                live += u.getUsed();
            }
        }
        return live;
    }

    /** Collections seen so far (all time). */
    long collections() {
        return collections.get();
    }

    /** Heap in use now, garbage included. */
    static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Collects garbage until the heap stops shrinking (at most a few rounds) and returns the heap in use: the live
     * heap now, as closely as the JVM lets us see it.
     */
    static long settledHeap() {
        long before = Long.MAX_VALUE;
        long now = heapUsed();
        for (int i = 0; i < 4 && now < before; i++) {
            System.gc();
            before = now;
            now = heapUsed();
        }
        return Math.min(now, before);
    }

    static List<String> heapPoolNames() {
        return INSTANCE.heapPools.stream().sorted().toList();
    }
}
