package org.loadperf.core.measure;

import java.util.function.Supplier;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.Benchmark;
import org.loadperf.api.loader.Loader;

/**
 * A loader whose lifecycle the runner owns ({@code Benchmark.builder(...).loader(...)}): created once, with the
 * memory it holds from its creation (pools, buffers, caches, settled heap and JDK direct buffers) measured once and
 * counted in every iteration's memory figure, and closed when the benchmark ends. A loader that makes its buffers
 * when it is created needs them for every load as much as one that makes them in the load.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class OwnedLoader implements AutoCloseable {

    private final Loader loader;
    private final long heldBytes;

    private OwnedLoader(Loader loader, long heldBytes) {
        this.loader = loader;
        this.heldBytes = heldBytes;
    }

    /** Creates the loader of {@code benchmark} and measures what it holds. */
    public static OwnedLoader create(Benchmark benchmark, Supplier<? extends Loader> factory) {
        long heap = HeapWatcher.settledHeap();
        long direct = HeapWatcher.directUsed();
        Loader loader = factory.get();
        if (loader == null) {
            throw new IllegalStateException("the loader factory of benchmark " + benchmark.key() + " returned null");
        }
        long held = Math.max(0, HeapWatcher.settledHeap() - heap) + Math.max(0, HeapWatcher.directUsed() - direct);
        return new OwnedLoader(loader, held);
    }

    public Loader loader() {
        return loader;
    }

    /** Bytes the loader held right after its creation (heap that survived collections, direct buffers). */
    public long heldBytes() {
        return heldBytes;
    }

    @Override
    public void close() {
        loader.close();
    }
}
