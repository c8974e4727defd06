package org.loadperf.examples;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Verdict;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.core.PerfRunner;
import org.loadperf.core.dataset.PerfDatasets;
import org.loadperf.core.dataset.RecordedDataset;
import org.loadperf.core.discovery.Loaders;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.JsonFileBaselineStore;

/**
 * One run of the memory-verdict validation in a JVM of its own ({@code scripts/memory-validation.sh} runs a
 * baseline JVM and a candidate JVM per trial, each on a fresh store): the CSV loader, wrapped in a buffered loader
 * that holds a direct buffer from its creation and a heap scratch buffer during each load, loads the guide's rows
 * through a runner that owns the loader. Prints one line: {@code MEMVAL <variant> memory=<status>
 * allocation=<status> <memory MB> <allocation B/row>}.
 *
 * <p>Variants (the injected memory regressions): {@code base}; {@code keep}, which keeps a copy of every batch it
 * loaded (retained memory grows with the rows and the iterations); {@code buffers50}, whose held and scratch buffers
 * are 50% larger; {@code alloc10} and {@code alloc2}, which allocate 10% and 2% more per row than {@code base}
 * (garbage sized from the loading thread's own allocation, so the share is exact).
 *
 * <p>Arguments: {@code <variant> <store file> <work directory>}.
 */
public final class MemoryValidationChild {

    static final String TEST = "memory_validation_load";
    private static final long MB = 1024 * 1024;
    /** What the keep variant keeps: never released, as a leaking loader's cache would be. */
    private static final List<byte[]> KEPT = new ArrayList<>();
    private static volatile long sink;

    private MemoryValidationChild() {
    }

    public static void main(String[] args) throws Exception {
        String variant = args[0];
        Path store = Path.of(args[1]);
        Path work = Files.createDirectories(Path.of(args[2]));
        int rows = 10_000;
        PerfSettings settings = PerfSettings.load();
        try (PerfRunner runner = PerfRunner.builder(settings).store(JsonFileBaselineStore.at(store)).build()) {
            RecordedDataset[] data = new RecordedDataset[1];
            Benchmark b = Benchmark.builder(TEST, "csv")
                    .datasetSize(rows)
                    .loader(() -> new VariantLoader(Loaders.create("csv", LoaderConfig.of(Map.of("directory",
                            work.toString()))), variant))
                    .setup(ctx -> {
                        try (ArrowReader source = PerfDatasets.performance(ctx.allocator(), rows, 10_000)) {
                            data[0] = RecordedDataset.record(source, ctx.allocator());
                        }
                    })
                    .beforeEach(ctx -> ComparedLoaders.Target.clear(ctx.loader(), "memval", data[0].schema(),
                            ctx.allocator()))
                    .body(ctx -> {
                        try (ArrowReader in = data[0].reader(ctx.allocator())) {
                            return ctx.loader().loadTable(in, "memval", LoadMode.APPEND).rowsLoaded();
                        }
                    })
                    .teardown(ctx -> data[0].close())
                    .build();
            BenchmarkResult r = runner.run(b);
            System.out.println(String.format(Locale.ROOT, "MEMVAL %s memory=%s allocation=%s %.3f %.1f", variant,
                    status(r, Metric.MEMORY), status(r, Metric.ALLOCATED_BYTES_PER_ROW), r.median(Metric.MEMORY),
                    r.median(Metric.ALLOCATED_BYTES_PER_ROW)));
        }
    }

    private static String status(BenchmarkResult r, Metric m) {
        return r.verdicts().stream().filter(v -> v.metric() == m).map(Verdict::status).map(Enum::name).findFirst()
                .orElse("none");
    }

    /**
     * The CSV loader behind a buffered loader: a direct buffer held from creation (8 MB; 12 MB in buffers50), a heap
     * scratch buffer filled during each load (4 MB; 6 MB in buffers50), batches loaded one by one.
     */
    static final class VariantLoader implements Loader {
        private static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        private final Loader delegate;
        private final String variant;
        private final ByteBuffer held;
        private final int scratchBytes;

        VariantLoader(Loader delegate, String variant) {
            if (!Set.of("base", "keep", "buffers50", "alloc10", "alloc2").contains(variant)) {
                throw new IllegalArgumentException("unknown variant " + variant);
            }
            this.delegate = delegate;
            this.variant = variant;
            double scale = variant.equals("buffers50") ? 1.5 : 1.0;
            this.held = ByteBuffer.allocateDirect((int) (8 * MB * scale));
            for (int i = 0; i < held.capacity(); i += 4096) {
                held.put(i, (byte) i);
            }
            this.scratchBytes = (int) (4 * MB * scale);
        }

        @Override
        public String type() {
            return delegate.type();
        }

        @Override
        public Set<LoadMode> supportedModes() {
            return EnumSet.of(LoadMode.APPEND, LoadMode.OVERWRITE);
        }

        @Override
        public LoadResult loadBatch(VectorSchemaRoot batch, String table, LoadMode mode) {
            return delegate.loadBatch(batch, table, mode);
        }

        @Override
        public LoadResult loadTable(ArrowReader source, String table, LoadMode mode) {
            long allocated = THREADS.getCurrentThreadAllocatedBytes();
            byte[] scratch = new byte[scratchBytes];
            long rows = 0;
            long bytes = 0;
            try {
                VectorSchemaRoot root = source.getVectorSchemaRoot();
                while (source.loadNextBatch()) {
                    for (int i = 0; i < scratch.length; i += 4096) {
                        scratch[i] = (byte) (rows + i);
                    }
                    if (variant.equals("keep")) {
                        for (FieldVector v : root.getFieldVectors()) {
                            for (org.apache.arrow.memory.ArrowBuf buf : v.getBuffers(false)) {
                                byte[] copy = new byte[(int) buf.capacity()];
                                buf.getBytes(0, copy);
                                KEPT.add(copy);
                            }
                        }
                    }
                    LoadResult r = delegate.loadBatch(root, table, mode);
                    rows += r.rowsLoaded();
                    bytes += r.bytes();
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            double extra = switch (variant) {
                case "alloc10" -> 0.10;
                case "alloc2" -> 0.02;
                default -> 0.0;
            };
            if (extra > 0) {
                garbage((long) ((THREADS.getCurrentThreadAllocatedBytes() - allocated) * extra));
            }
            sink += scratch[scratch.length / 2];
            return new LoadResult(rows, bytes, 0, table, type(), Map.of());
        }

        /** About {@code bytes} of short-lived heap allocation. */
        private static void garbage(long bytes) {
            long left = bytes;
            while (left > 0) {
                int n = (int) Math.min(left, 64 * 1024);
                byte[] g = new byte[Math.max(0, n - 16)];
                sink += g.length;
                left -= n;
            }
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
