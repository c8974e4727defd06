package org.loadperf.delta;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The guide's dataset plus {@code day} (int64, the UTC day of month of its {@code timestamp}), for the partitioned
 * write (year, month, day). The source's buffers are transferred, not copied.
 */
final class DayColumnReader extends ArrowReader {

    private final ArrowReader source;

    DayColumnReader(BufferAllocator allocator, ArrowReader source) {
        super(allocator);
        this.source = source;
    }

    @Override
    public boolean loadNextBatch() throws IOException {
        if (!source.loadNextBatch()) {
            return false;
        }
        VectorSchemaRoot in = source.getVectorSchemaRoot();
        VectorSchemaRoot out = getVectorSchemaRoot();
        int n = in.getRowCount();
        for (int c = 0; c < in.getFieldVectors().size(); c++) {
            in.getVector(c).makeTransferPair(out.getVector(c)).transfer();
        }
        TimeStampMicroTZVector ts = (TimeStampMicroTZVector) out.getVector("timestamp");
        BigIntVector day = (BigIntVector) out.getVector("day");
        day.allocateNew(n);
        for (int r = 0; r < n; r++) {
            long micros = ts.get(r);
            day.set(r, Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L)).atZone(ZoneOffset.UTC)
                    .getDayOfMonth());
        }
        day.setValueCount(n);
        out.setRowCount(n);
        return true;
    }

    @Override
    public long bytesRead() {
        return 0;
    }

    @Override
    protected void closeReadSource() throws IOException {
        source.close();
    }

    @Override
    protected Schema readSchema() throws IOException {
        List<Field> fields = new ArrayList<>(source.getVectorSchemaRoot().getSchema().getFields());
        fields.add(Field.nullable("day", new ArrowType.Int(64, true)));
        return new Schema(fields);
    }

}
