package org.loadperf.delta;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/** An ArrowReader that streams random batches into one reused root, remembering what each row must read back as. */
final class GeneratedReader extends ArrowReader {

    private final RandomArrowData data;
    private final int batches;
    private final int rowsPerBatch;
    private final List<Map<String, Object>> expected = new ArrayList<>();
    private final IntConsumer beforeBatch;
    private int produced;

    GeneratedReader(BufferAllocator allocator, RandomArrowData data, int batches, int rowsPerBatch,
                    IntConsumer beforeBatch) {
        super(allocator);
        this.data = data;
        this.batches = batches;
        this.rowsPerBatch = rowsPerBatch;
        this.beforeBatch = beforeBatch;
    }

    GeneratedReader(BufferAllocator allocator, RandomArrowData data, int batches, int rowsPerBatch) {
        this(allocator, data, batches, rowsPerBatch, i -> { });
    }

    List<Map<String, Object>> expected() {
        return expected;
    }

    @Override
    public boolean loadNextBatch() throws IOException {
        if (produced == batches) {
            return false;
        }
        beforeBatch.accept(produced);
        expected.addAll(data.fill(getVectorSchemaRoot(), rowsPerBatch));
        produced++;
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
        return data.schema;
    }
}
