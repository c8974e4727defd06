package org.loadperf.delta;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Batches of rows {@code id} (int64 NOT NULL) and string columns: {@code p} = {@code partitions[id % n]}, {@code v}
 * and any extra string columns = "v&lt;id&gt;". Batch {@code nullIdBatch} (1-based; 0 for none) has a NULL id in its
 * last row, which the table's NOT NULL {@code id} refuses: a load that fails part way, after files were written.
 */
final class RowsReader extends ArrowReader {

    private final long firstId;
    private final int batches;
    private final int rowsPerBatch;
    private final List<String> partitions;
    private final int nullIdBatch;
    private final List<String> extraColumns;
    private final IntConsumer beforeBatch;
    private int produced;

    RowsReader(BufferAllocator allocator, long firstId, int batches, int rowsPerBatch, List<String> partitions,
               int nullIdBatch, List<String> extraColumns, IntConsumer beforeBatch) {
        super(allocator);
        this.firstId = firstId;
        this.batches = batches;
        this.rowsPerBatch = rowsPerBatch;
        this.partitions = partitions;
        this.nullIdBatch = nullIdBatch;
        this.extraColumns = extraColumns;
        this.beforeBatch = beforeBatch;
    }

    RowsReader(BufferAllocator allocator, long firstId, int batches, int rowsPerBatch, List<String> partitions,
               int nullIdBatch) {
        this(allocator, firstId, batches, rowsPerBatch, partitions, nullIdBatch, List.of(), i -> { });
    }

    /** The rows a successful read of this reader's batches would load, as {@link DeltaTables#rows} gives them. */
    List<Map<String, Object>> expected() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (long id = firstId; id < firstId + (long) batches * rowsPerBatch; id++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", id);
            r.put("p", partitions.get((int) (id % partitions.size())));
            r.put("v", "v" + id);
            for (String c : extraColumns) {
                r.put(c, "v" + id);
            }
            rows.add(r);
        }
        return rows;
    }

    @Override
    public boolean loadNextBatch() throws IOException {
        if (produced == batches) {
            return false;
        }
        beforeBatch.accept(produced + 1);
        VectorSchemaRoot root = getVectorSchemaRoot();
        root.allocateNew();
        BigIntVector id = (BigIntVector) root.getVector("id");
        long base = firstId + (long) produced * rowsPerBatch;
        for (int r = 0; r < rowsPerBatch; r++) {
            long value = base + r;
            id.setSafe(r, value);
            String p = partitions.get((int) (value % partitions.size()));
            set((VarCharVector) root.getVector("p"), r, p);
            set((VarCharVector) root.getVector("v"), r, "v" + value);
            for (String c : extraColumns) {
                set((VarCharVector) root.getVector(c), r, "v" + value);
            }
        }
        produced++;
        if (produced == nullIdBatch) {
            id.setNull(rowsPerBatch - 1);
        }
        for (FieldVector v : root.getFieldVectors()) {
            v.setValueCount(rowsPerBatch);
        }
        root.setRowCount(rowsPerBatch);
        return true;
    }

    private static void set(VarCharVector v, int r, String s) {
        if (s == null) {
            v.setNull(r);
        } else {
            v.setSafe(r, s.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public long bytesRead() {
        return 0;
    }

    /** Closes without a checked exception, so a reader can be opened in a lambda. */
    @Override
    public void close() {
        try {
            super.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    protected void closeReadSource() {
    }

    @Override
    protected Schema readSchema() {
        List<Field> fields = new ArrayList<>();
        fields.add(Field.notNullable("id", new ArrowType.Int(64, true)));
        fields.add(Field.nullable("p", ArrowType.Utf8.INSTANCE));
        fields.add(Field.nullable("v", ArrowType.Utf8.INSTANCE));
        for (String c : extraColumns) {
            fields.add(Field.nullable(c, ArrowType.Utf8.INSTANCE));
        }
        return new Schema(fields);
    }
}
