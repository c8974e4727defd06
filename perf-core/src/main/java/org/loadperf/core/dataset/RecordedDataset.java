package org.loadperf.core.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;
import org.loadperf.api.annotation.Api;

/**
 * Arrow batches held in memory and replayed any number of times without copying, so that a benchmark times the
 * load and not the making of its data. The batches are owned by the allocator given to {@link #record}; a replay's
 * reader only references them, so they do not count toward an iteration's memory.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class RecordedDataset implements AutoCloseable {

    private final Schema schema;
    private final List<VectorSchemaRoot> batches;
    private final long rows;

    private RecordedDataset(Schema schema, List<VectorSchemaRoot> batches) {
        this.schema = schema;
        this.batches = batches;
        this.rows = batches.stream().mapToLong(VectorSchemaRoot::getRowCount).sum();
    }

    /**
     * Reads {@code source} to the end and keeps its batches in {@code allocator} (which must share a root with the
     * source's allocator). Does not close {@code source}.
     */
    public static RecordedDataset record(ArrowReader source, BufferAllocator allocator) {
        List<VectorSchemaRoot> batches = new ArrayList<>();
        try {
            Schema schema = source.getVectorSchemaRoot().getSchema();
            while (source.loadNextBatch()) {
                VectorSchemaRoot from = source.getVectorSchemaRoot();
                VectorSchemaRoot copy = VectorSchemaRoot.create(schema, allocator);
                for (int i = 0; i < from.getFieldVectors().size(); i++) {
                    FieldVector v = from.getVector(i);
                    v.makeTransferPair(copy.getVector(i)).transfer();
                }
                copy.setRowCount(from.getRowCount());
                batches.add(copy);
            }
            return new RecordedDataset(schema, batches);
        } catch (IOException e) {
            batches.forEach(VectorSchemaRoot::close);
            throw new UncheckedIOException("Cannot read the dataset to record: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            batches.forEach(VectorSchemaRoot::close);
            throw e;
        }
    }

    /** Rows in all batches. */
    public long rows() {
        return rows;
    }

    /** Number of batches. */
    public int batchCount() {
        return batches.size();
    }

    /** The schema of every batch. */
    public Schema schema() {
        return schema;
    }

    /** Arrow buffer bytes held. */
    public long bytes() {
        return batches.stream().flatMap(b -> b.getFieldVectors().stream()).mapToLong(FieldVector::getBufferSize).sum();
    }

    /** A new reader over the recorded batches; close it after use (the recorded batches stay). */
    public ArrowReader reader(BufferAllocator allocator) {
        return new ArrowReader(allocator) {
            private int next;

            @Override
            public boolean loadNextBatch() throws IOException {
                if (next >= batches.size()) {
                    return false;
                }
                VectorSchemaRoot root = getVectorSchemaRoot();
                try (ArrowRecordBatch batch = new VectorUnloader(batches.get(next++)).getRecordBatch()) {
                    new VectorLoader(root).load(batch);
                }
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
        };
    }

    @Override
    public void close() {
        batches.forEach(VectorSchemaRoot::close);
    }
}
