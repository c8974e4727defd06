package org.loadperf.examples.cdata;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.core.discovery.Loaders;
import org.loadperf.core.dataset.PerfDatasets;

/**
 * How data from native code reaches a loader without a copy: through the Arrow C Data Interface.
 *
 * <p>A C/C++/Rust library or Python ({@code pyarrow}'s {@code RecordBatchReader._export_to_c}) fills an
 * {@code ArrowArrayStream} struct whose batches point at the producer's own buffers. Java imports the struct with
 * {@link Data#importArrayStream}: the imported vectors wrap those same buffers (no bytes are copied) and release
 * them through the producer's callbacks when closed. Any {@link Loader} then reads the stream as an
 * {@link ArrowReader}.
 *
 * <p>Here the producer side is simulated in Java with {@link Data#exportArrayStream}, which exports exactly what a
 * native producer would; in real use only {@link #load} (the consumer side) runs in Java, given the address of the
 * struct the producer filled ({@code ArrowArrayStream.wrap(address)}).
 */
public final class CDataStreamExample {

    private CDataStreamExample() {
    }

    /**
     * The producer side: exports {@code source} into a new C stream struct. The stream takes ownership of
     * {@code source} and closes it when the consumer releases the stream.
     */
    public static ArrowArrayStream export(BufferAllocator allocator, ArrowReader source) {
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator);
        Data.exportArrayStream(allocator, source, stream);
        return stream;
    }

    /**
     * The consumer side: imports the C stream {@code stream} (no copy) and loads everything it yields into
     * {@code table} with {@code loader}. Releases the stream's batches as they are consumed.
     */
    public static LoadResult load(BufferAllocator allocator, ArrowArrayStream stream, Loader loader, String table,
                                  LoadMode mode) throws Exception {
        try (ArrowReader imported = Data.importArrayStream(allocator, stream)) {
            return loader.loadTable(imported, table, mode);
        }
    }

    /** Hands the guide's dataset over through the C Data Interface into CSV files in a temporary directory. */
    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path dir = Files.createTempDirectory("loadperf-cdata");
        try (BufferAllocator allocator = new RootAllocator();
             Loader csv = Loaders.create("csv", LoaderConfig.of(Map.of("directory", dir.toString())));
             ArrowArrayStream stream = export(allocator, PerfDatasets.performance(allocator, rows, 10_000))) {
            LoadResult result = load(allocator, stream, csv, "events", LoadMode.OVERWRITE);
            System.out.printf("Loaded %,d rows through the C Data Interface into %s in %.3f s (%,.0f rows/s)%n",
                    result.rowsLoaded(), result.metadata().get("file"), result.durationSeconds(),
                    result.rowsPerSecond());
        }
    }
}
