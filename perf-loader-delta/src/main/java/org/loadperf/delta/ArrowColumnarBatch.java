package org.loadperf.delta;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.types.StructType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A Kernel {@link ColumnarBatch} whose columns are {@link ArrowColumnVectors} views; nothing is copied. */
final class ArrowColumnarBatch implements ColumnarBatch {

    private final StructType schema;
    private final ColumnVector[] columns;
    private final int size;

    ArrowColumnarBatch(StructType schema, ColumnVector[] columns, int size) {
        this.schema = schema;
        this.columns = columns;
        this.size = size;
    }

    @Override
    public StructType getSchema() {
        return schema;
    }

    @Override
    public ColumnVector getColumnVector(int ordinal) {
        return columns[ordinal];
    }

    @Override
    public int getSize() {
        return size;
    }

    @Override
    public ColumnarBatch withDeletedColumnAt(int ordinal) {
        List<ColumnVector> rest = new ArrayList<>(Arrays.asList(columns));
        rest.remove(ordinal);
        StructType s = new StructType();
        for (int i = 0; i < schema.length(); i++) {
            if (i != ordinal) {
                s = s.add(schema.at(i));
            }
        }
        return new ArrowColumnarBatch(s, rest.toArray(new ColumnVector[0]), size);
    }
}
