package org.loadperf.redis;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Arrow test tables covering the encodings: NULLs, unicode, binary, timestamps, dates, decimals. */
final class TestTables {

    static final String[] NAMES = {"plain", "naïve café 日本語 😀", "quote \" backslash \\ newline \n tab \t", "",
        "ctrl \u0001 end"};
    static final long BASE_MICROS = 1_706_745_600_123_456L; // 2024-02-01T00:00:00.123456Z

    private TestTables() {
    }

    /**
     * {@code rows} rows: id int64 (0..), name utf8 (unicode, escapes, empty), price float64 (null every 5th), flag
     * bool, payload binary (non-UTF-8 bytes; null every 4th), ts timestamp(us, UTC), day date32, amount
     * decimal(12,2), qty int32 (null every 3rd).
     */
    static VectorSchemaRoot mixed(BufferAllocator allocator, int rows) {
        BigIntVector id = new BigIntVector("id", allocator);
        VarCharVector name = new VarCharVector("name", allocator);
        Float8Vector price = new Float8Vector("price", allocator);
        BitVector flag = new BitVector("flag", allocator);
        VarBinaryVector payload = new VarBinaryVector("payload", allocator);
        TimeStampMicroTZVector ts = new TimeStampMicroTZVector("ts", allocator, "UTC");
        DateDayVector day = new DateDayVector("day", allocator);
        DecimalVector amount = new DecimalVector("amount", allocator, 12, 2);
        IntVector qty = new IntVector("qty", allocator);
        List<FieldVector> vectors = List.of(id, name, price, flag, payload, ts, day, amount, qty);
        vectors.forEach(FieldVector::allocateNew);
        for (int i = 0; i < rows; i++) {
            id.setSafe(i, i);
            name.setSafe(i, name(i).getBytes(StandardCharsets.UTF_8));
            if (i % 5 == 4) {
                price.setNull(i);
            } else {
                price.setSafe(i, i * 1.25 - 3.5);
            }
            flag.setSafe(i, i % 2 == 0 ? 1 : 0);
            if (i % 4 == 3) {
                payload.setNull(i);
            } else {
                payload.setSafe(i, payload(i));
            }
            ts.setSafe(i, BASE_MICROS + i * 1_000_001L);
            day.setSafe(i, 19_700 + i);
            amount.setSafe(i, BigDecimal.valueOf(i * 100 + 7, 2));
            if (i % 3 == 2) {
                qty.setNull(i);
            } else {
                qty.setSafe(i, -i);
            }
        }
        VectorSchemaRoot root = new VectorSchemaRoot(vectors);
        root.setRowCount(rows);
        return root;
    }

    static String name(int i) {
        return NAMES[i % NAMES.length] + " #" + i;
    }

    static byte[] payload(int i) {
        return new byte[] {0, (byte) 0xFF, (byte) 0xC3, (byte) i, '"', '\n'};
    }
}
