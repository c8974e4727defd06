package org.loadperf.delta;

import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.core.dataset.PerfDatasets;

/**
 * A load in a separate JVM, for the tests a single JVM cannot do honestly: killing a load midway and loading far
 * more data than a small heap holds. Arguments: table path, rows, batch size, pause per batch (ms), then
 * {@code key=value} loader options. Prints {@code BATCH n} after handing each batch over and {@code DONE} at the
 * end.
 */
public final class ChildLoad {

    private ChildLoad() {
    }

    public static void main(String[] args) throws Exception {
        String table = args[0];
        long rows = Long.parseLong(args[1]);
        int batchSize = Integer.parseInt(args[2]);
        long pauseMs = Long.parseLong(args[3]);
        Map<String, Object> config = new HashMap<>();
        config.put("table_path", table);
        for (int i = 4; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            config.put(kv[0], kv[1]);
        }
        try (BufferAllocator allocator = new RootAllocator();
             ArrowReader source = PerfDatasets.performance(allocator, rows, batchSize);
             ArrowReader paced = new Paced(allocator, source, pauseMs);
             Loader loader = new DeltaLoaderProvider().create(LoaderConfig.of(config))) {
            loader.loadTable(paced, "child", LoadMode.APPEND);
        }
        System.out.println("DONE");
        System.out.flush();
    }

    /** Passes the source's batches through, pausing before each and reporting it. */
    private static final class Paced extends ArrowReader {
        private final ArrowReader source;
        private final long pauseMs;
        private int batch;

        Paced(BufferAllocator allocator, ArrowReader source, long pauseMs) {
            super(allocator);
            this.source = source;
            this.pauseMs = pauseMs;
        }

        @Override
        public VectorSchemaRoot getVectorSchemaRoot() throws java.io.IOException {
            return source.getVectorSchemaRoot();
        }

        @Override
        public boolean loadNextBatch() throws java.io.IOException {
            if (pauseMs > 0) {
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            boolean more = source.loadNextBatch();
            if (more) {
                System.out.println("BATCH " + (++batch));
                System.out.flush();
            }
            return more;
        }

        @Override
        public long bytesRead() {
            return 0;
        }

        @Override
        protected void closeReadSource() {
        }

        @Override
        protected Schema readSchema() throws java.io.IOException {
            return source.getVectorSchemaRoot().getSchema();
        }
    }
}
