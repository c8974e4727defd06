package org.loadperf.core.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.loadperf.api.annotation.Api;

/**
 * The guide's datasets as Arrow streams, deterministic, generated batch by batch so that memory stays bounded by
 * the batch size whatever the row count.
 *
 * <ul>
 *   <li>{@link #performance}: {@code id} int64, {@code user_id} utf8 ({@code user_{i%1000}}), {@code value}
 *       float64 ({@code i*0.123}), {@code category} utf8 ({@code cat_{i%100}}), {@code description} utf8
 *       ({@code Description for item {i}}), {@code score} int64 ({@code i*10}), {@code active} bool
 *       ({@code i%2==0}), {@code timestamp} timestamp(us, UTC) (2024-01-01T00:00Z plus {@code i} seconds),
 *       {@code year} int64 (2024 for the first 80% of rows, else 2023), {@code month} int64
 *       ({@code (i/100)%12+1}).</li>
 *   <li>{@link #medium} (10,000 rows) and {@link #small} (100 rows): {@code id}, {@code name}
 *       ({@code item_{i}}), {@code category} ({@code A}/{@code B}/{@code C}), {@code score} float64
 *       ({@code (i%1000)*1.5}), {@code active}, {@code created_date} date32, {@code updated_at} timestamp(us, UTC),
 *       {@code year}, {@code month}.</li>
 * </ul>
 *
 * <p>Every reader must be closed by its caller. Generating is cheap but not free; a benchmark that wants the load
 * alone timed records the data first with {@link RecordedDataset#record} and replays it.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class PerfDatasets {

    /** Rows of the medium table. */
    public static final int MEDIUM_ROWS = 10_000;
    /** Rows of the small table. */
    public static final int SMALL_ROWS = 100;
    /** Batch size used when none is given. */
    public static final int DEFAULT_BATCH_SIZE = 10_000;

    static final long EPOCH_2024_MICROS = LocalDate.of(2024, 1, 1).atStartOfDay(ZoneOffset.UTC).toEpochSecond()
            * 1_000_000L;
    static final int EPOCH_2024_DAYS = (int) LocalDate.of(2024, 1, 1).toEpochDay();

    private static final Schema PERFORMANCE_SCHEMA = new Schema(List.of(
            notNull("id", new ArrowType.Int(64, true)),
            nullable("user_id", ArrowType.Utf8.INSTANCE),
            nullable("value", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            nullable("category", ArrowType.Utf8.INSTANCE),
            nullable("description", ArrowType.Utf8.INSTANCE),
            nullable("score", new ArrowType.Int(64, true)),
            nullable("active", ArrowType.Bool.INSTANCE),
            nullable("timestamp", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
            nullable("year", new ArrowType.Int(64, true)),
            nullable("month", new ArrowType.Int(64, true))));

    private static final Schema TABLE_SCHEMA = new Schema(List.of(
            notNull("id", new ArrowType.Int(64, true)),
            nullable("name", ArrowType.Utf8.INSTANCE),
            nullable("category", ArrowType.Utf8.INSTANCE),
            nullable("score", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            nullable("active", ArrowType.Bool.INSTANCE),
            nullable("created_date", new ArrowType.Date(DateUnit.DAY)),
            nullable("updated_at", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
            nullable("year", new ArrowType.Int(64, true)),
            nullable("month", new ArrowType.Int(64, true))));

    private PerfDatasets() {
    }

    private static Field notNull(String name, ArrowType type) {
        return new Field(name, FieldType.notNullable(type), null);
    }

    private static Field nullable(String name, ArrowType type) {
        return new Field(name, FieldType.nullable(type), null);
    }

    /** The schema of {@link #performance}. */
    public static Schema performanceSchema() {
        return PERFORMANCE_SCHEMA;
    }

    /** The schema of {@link #medium} and {@link #small}. */
    public static Schema tableSchema() {
        return TABLE_SCHEMA;
    }

    /** The guide's performance dataset of {@code rows} rows in batches of {@code batchSize}. */
    public static ArrowReader performance(BufferAllocator allocator, long rows, int batchSize) {
        return new PerformanceReader(allocator, rows, batchSize);
    }

    /** The medium table: 10,000 rows in one batch. */
    public static ArrowReader medium(BufferAllocator allocator) {
        return table(allocator, MEDIUM_ROWS, DEFAULT_BATCH_SIZE);
    }

    /** The small table: 100 rows. */
    public static ArrowReader small(BufferAllocator allocator) {
        return table(allocator, SMALL_ROWS, DEFAULT_BATCH_SIZE);
    }

    /** The medium/small table's shape at any row count. */
    public static ArrowReader table(BufferAllocator allocator, long rows, int batchSize) {
        return new TableReader(allocator, rows, batchSize);
    }

    /** A reader that makes its batches on demand. */
    abstract static class GeneratedReader extends ArrowReader {
        private final Schema schema;
        private final long rows;
        private final int batchSize;
        private long next;
        private long bytes;

        GeneratedReader(BufferAllocator allocator, Schema schema, long rows, int batchSize) {
            super(allocator);
            if (rows < 0) {
                throw new IllegalArgumentException("rows must be >= 0, got " + rows);
            }
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
            }
            this.schema = schema;
            this.rows = rows;
            this.batchSize = batchSize;
        }

        @Override
        public boolean loadNextBatch() throws IOException {
            if (next >= rows) {
                return false;
            }
            int count = (int) Math.min(batchSize, rows - next);
            VectorSchemaRoot root = getVectorSchemaRoot();
            for (FieldVector v : root.getFieldVectors()) {
                // Fresh buffers per batch: a consumer may have taken the previous ones with a TransferPair.
                v.clear();
                v.setInitialCapacity(count);
                v.allocateNew();
            }
            fill(root, next, count);
            for (FieldVector v : root.getFieldVectors()) {
                v.setValueCount(count);
                bytes += v.getBufferSize();
            }
            root.setRowCount(count);
            next += count;
            return true;
        }

        abstract void fill(VectorSchemaRoot root, long start, int count);

        long totalRows() {
            return rows;
        }

        @Override
        public long bytesRead() {
            return bytes;
        }

        @Override
        protected void closeReadSource() {
        }

        @Override
        protected Schema readSchema() {
            return schema;
        }
    }

    /** Writes decimal digits into a reusable buffer, so that strings cost no String per row. */
    static final class AsciiBuilder {
        final byte[] buf = new byte[64];
        int len;

        AsciiBuilder prefix(byte[] p) {
            System.arraycopy(p, 0, buf, 0, p.length);
            len = p.length;
            return this;
        }

        AsciiBuilder number(long value) {
            if (value == 0) {
                buf[len++] = '0';
                return this;
            }
            int start = len;
            long v = value;
            if (v < 0) {
                buf[len++] = '-';
                start++;
                v = -v;
            }
            while (v > 0) {
                buf[len++] = (byte) ('0' + v % 10);
                v /= 10;
            }
            for (int i = start, j = len - 1; i < j; i++, j--) {
                byte t = buf[i];
                buf[i] = buf[j];
                buf[j] = t;
            }
            return this;
        }
    }

    static byte[][] labels(String prefix, int count) {
        byte[][] out = new byte[count][];
        for (int i = 0; i < count; i++) {
            out[i] = (prefix + i).getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    private static final class PerformanceReader extends GeneratedReader {
        private static final byte[][] USERS = labels("user_", 1000);
        private static final byte[][] CATEGORIES = labels("cat_", 100);
        private static final byte[] DESCRIPTION = "Description for item ".getBytes(StandardCharsets.UTF_8);
        private final AsciiBuilder text = new AsciiBuilder();
        private final long eightyPercent;

        PerformanceReader(BufferAllocator allocator, long rows, int batchSize) {
            super(allocator, PERFORMANCE_SCHEMA, rows, batchSize);
            this.eightyPercent = rows * 8 / 10;
        }

        @Override
        void fill(VectorSchemaRoot root, long start, int count) {
            BigIntVector id = (BigIntVector) root.getVector(0);
            VarCharVector userId = (VarCharVector) root.getVector(1);
            Float8Vector value = (Float8Vector) root.getVector(2);
            VarCharVector category = (VarCharVector) root.getVector(3);
            VarCharVector description = (VarCharVector) root.getVector(4);
            BigIntVector score = (BigIntVector) root.getVector(5);
            BitVector active = (BitVector) root.getVector(6);
            TimeStampMicroTZVector timestamp = (TimeStampMicroTZVector) root.getVector(7);
            BigIntVector year = (BigIntVector) root.getVector(8);
            BigIntVector month = (BigIntVector) root.getVector(9);
            for (int r = 0; r < count; r++) {
                long i = start + r;
                id.setSafe(r, i);
                byte[] user = USERS[(int) (i % 1000)];
                userId.setSafe(r, user, 0, user.length);
                value.setSafe(r, i * 0.123);
                byte[] cat = CATEGORIES[(int) (i % 100)];
                category.setSafe(r, cat, 0, cat.length);
                text.prefix(DESCRIPTION).number(i);
                description.setSafe(r, text.buf, 0, text.len);
                score.setSafe(r, i * 10);
                active.setSafe(r, i % 2 == 0 ? 1 : 0);
                timestamp.setSafe(r, EPOCH_2024_MICROS + i * 1_000_000L);
                year.setSafe(r, i < eightyPercent ? 2024 : 2023);
                month.setSafe(r, (i / 100) % 12 + 1);
            }
        }
    }

    private static final class TableReader extends GeneratedReader {
        private static final byte[] ITEM = "item_".getBytes(StandardCharsets.UTF_8);
        private static final byte[][] CATEGORIES = {{'A'}, {'B'}, {'C'}};
        private final AsciiBuilder text = new AsciiBuilder();

        TableReader(BufferAllocator allocator, long rows, int batchSize) {
            super(allocator, TABLE_SCHEMA, rows, batchSize);
        }

        @Override
        void fill(VectorSchemaRoot root, long start, int count) {
            BigIntVector id = (BigIntVector) root.getVector(0);
            VarCharVector name = (VarCharVector) root.getVector(1);
            VarCharVector category = (VarCharVector) root.getVector(2);
            Float8Vector score = (Float8Vector) root.getVector(3);
            BitVector active = (BitVector) root.getVector(4);
            DateDayVector created = (DateDayVector) root.getVector(5);
            TimeStampMicroTZVector updated = (TimeStampMicroTZVector) root.getVector(6);
            BigIntVector year = (BigIntVector) root.getVector(7);
            BigIntVector month = (BigIntVector) root.getVector(8);
            for (int r = 0; r < count; r++) {
                long i = start + r;
                id.setSafe(r, i);
                text.prefix(ITEM).number(i);
                name.setSafe(r, text.buf, 0, text.len);
                byte[] cat = CATEGORIES[(int) (i % 3)];
                category.setSafe(r, cat, 0, cat.length);
                score.setSafe(r, (i % 1000) * 1.5);
                active.setSafe(r, i % 2 == 0 ? 1 : 0);
                int dayOfYear = (int) (i % 365);
                created.setSafe(r, EPOCH_2024_DAYS + dayOfYear);
                updated.setSafe(r, EPOCH_2024_MICROS + i * 60_000_000L);
                LocalDate date = LocalDate.ofEpochDay(EPOCH_2024_DAYS + dayOfYear);
                year.setSafe(r, date.getYear());
                month.setSafe(r, date.getMonthValue());
            }
        }
    }
}
