package org.loadperf.core.measure;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;

/**
 * Reads the heap and JDK direct buffers for {@link IterationProbe}: the live heap after a full collection, and the
 * direct buffers at every collection (a listener per JVM, registered once; just before their cleaners run after a
 * collection is as high as they get). The heap a young collection leaves is not a live figure (the old generation
 * still holds its garbage), so only full collections give one ({@link HeapSampler}).
 */
final class HeapWatcher {

    private static final List<BufferPoolMXBean> BUFFER_POOLS =
            ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(p -> p.getName().equals("direct")).toList();
    private static final List<MemoryPoolMXBean> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();
    private static final HeapWatcher INSTANCE = new HeapWatcher();

    private final AtomicLong peakDirect = new AtomicLong();

    private HeapWatcher() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((notification, handback) ->
                        peakDirect.accumulateAndGet(directUsed(), Math::max), null, null);
            }
        }
    }

    static HeapWatcher get() {
        return INSTANCE;
    }

    /** Forgets the peak, to start watching a new load. */
    void reset() {
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

    /**
     * The heap the last full collection left, read synchronously: each heap pool's usage after the collection that
     * last collected it (a full collection collects them all, and is the only one that updates the old generation's).
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
}
