package org.loadperf.postgres;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An {@link ArrowReader} over batches made on demand by fillers (each fills the root's vectors and sets its row
 * count), so tests stream real Arrow batches of any shape. {@code beforeBatch} runs before each batch is made,
 * with its 0-based number, and may block (to hold a load mid-COPY).
 */
final class BatchReader extends ArrowReader {

    interface BeforeBatch {
        void run(int batch) throws Exception;
    }

    private static final List<BatchReader> OPEN = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final Schema schema;
    private final List<Consumer<VectorSchemaRoot>> fillers;
    private final BeforeBatch beforeBatch;
    private int next;

    BatchReader(BufferAllocator allocator, Schema schema, List<Consumer<VectorSchemaRoot>> fillers) {
        this(allocator, schema, fillers, b -> { });
    }

    BatchReader(BufferAllocator allocator, Schema schema, List<Consumer<VectorSchemaRoot>> fillers,
                BeforeBatch beforeBatch) {
        super(allocator);
        this.schema = schema;
        this.fillers = fillers;
        this.beforeBatch = beforeBatch;
        OPEN.add(this);
    }

    /** Closes every reader still open (tests hand readers to loaders inline; loaders do not close them). */
    static void closeAll() throws IOException {
        for (BatchReader r : OPEN) {
            r.close();
        }
        OPEN.clear();
    }

    @Override
    public boolean loadNextBatch() throws IOException {
        if (next >= fillers.size()) {
            return false;
        }
        try {
            beforeBatch.run(next);
        } catch (Exception e) {
            throw new IOException(e);
        }
        VectorSchemaRoot root = getVectorSchemaRoot();
        for (FieldVector v : root.getFieldVectors()) {
            v.clear();
            v.allocateNew();
        }
        fillers.get(next++).accept(root);
        return true;
    }

    @Override
    public long bytesRead() {
        return 0;
    }

    @Override
    protected void closeReadSource() {
    }

    @Override
    protected Schema readSchema() {
        return schema;
    }
}
