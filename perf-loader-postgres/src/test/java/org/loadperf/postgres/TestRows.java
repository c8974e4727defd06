package org.loadperf.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.loadperf.postgres.ArrowKinds.Kind;

/** Arrow batches from plain rows, for the behaviour tests. */
final class TestRows {

    private final List<Kind> kinds = new ArrayList<>();
    private final List<Field> fields = new ArrayList<>();

    TestRows column(String name, Kind kind) {
        kinds.add(kind);
        fields.add(kind.field(name));
        return this;
    }

    TestRows column(Field field, Kind kind) {
        kinds.add(kind);
        fields.add(field);
        return this;
    }

    Schema schema() {
        return new Schema(fields);
    }

    Consumer<VectorSchemaRoot> filler(List<Object[]> rows) {
        return root -> fill(root, rows);
    }

    void fill(VectorSchemaRoot root, List<Object[]> rows) {
        for (int i = 0; i < rows.size(); i++) {
            for (int c = 0; c < kinds.size(); c++) {
                Object v = rows.get(i)[c];
                if (v == null) {
                    root.getVector(c).setNull(i);
                } else {
                    kinds.get(c).set(root.getVector(c), i, v);
                }
            }
        }
        root.setRowCount(rows.size());
    }

    /** A reader yielding one batch per list of rows. */
    @SafeVarargs
    final BatchReader reader(BufferAllocator allocator, List<Object[]>... batches) {
        List<Consumer<VectorSchemaRoot>> fillers = new ArrayList<>();
        for (List<Object[]> b : batches) {
            fillers.add(filler(b));
        }
        return new BatchReader(allocator, schema(), fillers);
    }

    /** One batch in a new root (the caller closes it). */
    VectorSchemaRoot batch(BufferAllocator allocator, List<Object[]> rows) {
        VectorSchemaRoot root = VectorSchemaRoot.create(schema(), allocator);
        root.allocateNew();
        fill(root, rows);
        return root;
    }

    /** Rows {@code [from, to)} made by {@code row}. */
    static List<Object[]> rows(int from, int to, java.util.function.IntFunction<Object[]> row) {
        List<Object[]> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(row.apply(i));
        }
        return out;
    }
}
