package org.loadperf.postgres;

import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.loadperf.postgres.PgTypeMapping.EncoderFactory;

/**
 * Encodes rows of Arrow batches into PostgreSQL's binary COPY format ({@code COPY ... FROM STDIN (FORMAT binary)}):
 * a header, one tuple per row (field count, then each field's length and bytes), and a trailer.
 *
 * <p>Rows are written column by column straight from the vectors into one reusable {@link CopyBuffer}; whenever it
 * holds at least {@code flushBytes}, it is handed to a {@link Sink} (pgJDBC's {@code CopyIn.writeToCopy}, or a
 * parallel worker's queue). Memory is thus bounded by the flush size plus the largest row, whatever the batch or
 * table size. One encoder serves one COPY at a time; it is not thread-safe.
 */
final class BinaryCopyEncoder {

    /** Where encoded bytes go; returns the (empty) array to continue writing into. */
    interface Sink {
        byte[] write(byte[] bytes, int length) throws SQLException, IOException;
    }

    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0,
        0, 0, 0, 0, 0, 0, 0, 0};

    private final List<EncoderFactory> factories;
    private final int flushBytes;
    private final CopyBuffer buffer;
    private VectorSchemaRoot boundRoot;
    private List<FieldVector> boundVectors;
    private CopyFieldEncoder[] encoders;
    private long bytesSent;

    BinaryCopyEncoder(List<EncoderFactory> factories, int flushBytes) {
        this.factories = List.copyOf(factories);
        this.flushBytes = flushBytes;
        this.buffer = new CopyBuffer(flushBytes + flushBytes / 4);
    }

    /** Starts a COPY stream: writes the header. */
    void begin() {
        buffer.putBytes(HEADER, 0, HEADER.length);
    }

    /**
     * Encodes rows {@code [from, to)} of {@code root}, flushing to {@code sink} whenever the buffer is full.
     *
     * @throws EncodeException for a value PostgreSQL cannot hold, naming the column and the row in {@code root}
     */
    void encode(VectorSchemaRoot root, int from, int to, Sink sink) throws SQLException, IOException {
        CopyFieldEncoder[] enc = bind(root);
        for (CopyFieldEncoder e : enc) {
            e.prepare();
        }
        short columns = (short) enc.length;
        CopyBuffer out = buffer;
        for (int row = from; row < to; row++) {
            out.putShort(columns);
            for (CopyFieldEncoder e : enc) {
                e.encode(row, out);
            }
            if (out.position() >= flushBytes) {
                flush(sink);
            }
        }
    }

    /** Ends the COPY stream: writes the trailer and flushes everything. */
    void finish(Sink sink) throws SQLException, IOException {
        buffer.putShort(-1);
        flush(sink);
    }

    /** Drops whatever was encoded but not sent (after a failure). */
    void discard() {
        buffer.reset(buffer.array());
    }

    /** Bytes handed to sinks so far. */
    long bytesSent() {
        return bytesSent;
    }

    /** The buffer's current size: what the encoder holds, for memory checks. */
    int bufferCapacity() {
        return buffer.capacity();
    }

    private void flush(Sink sink) throws SQLException, IOException {
        int n = buffer.position();
        if (n > 0) {
            byte[] next = sink.write(buffer.array(), n);
            bytesSent += n;
            buffer.reset(next);
        }
    }

    private CopyFieldEncoder[] bind(VectorSchemaRoot root) {
        List<FieldVector> vectors = root.getFieldVectors();
        if (root != boundRoot || !sameVectors(vectors)) {
            if (vectors.size() != factories.size()) {
                throw new IllegalStateException("batch has " + vectors.size() + " columns, the COPY "
                        + factories.size());
            }
            CopyFieldEncoder[] enc = new CopyFieldEncoder[vectors.size()];
            for (int i = 0; i < enc.length; i++) {
                enc[i] = factories.get(i).apply(vectors.get(i));
            }
            encoders = enc;
            boundRoot = root;
            boundVectors = List.copyOf(vectors);
        }
        return encoders;
    }

    private boolean sameVectors(List<FieldVector> vectors) {
        if (vectors.size() != boundVectors.size()) {
            return false;
        }
        for (int i = 0; i < vectors.size(); i++) {
            if (vectors.get(i) != boundVectors.get(i)) {
                return false;
            }
        }
        return true;
    }
}
