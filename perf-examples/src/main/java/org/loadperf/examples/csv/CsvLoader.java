package org.loadperf.examples.csv;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Arrow batches to {@code {directory}/{table}.csv}.
 *
 * <ul>
 *   <li>{@link LoadMode#APPEND}: each chunk of {@code batch_size} rows is encoded in memory first and appended in
 *       one write; if the write fails the file is cut back to its previous length, so a failed chunk leaves
 *       nothing behind. Appending to a file whose header names other columns fails before writing.</li>
 *   <li>{@link LoadMode#OVERWRITE}: everything goes to a temporary file beside the target, which then replaces it
 *       atomically; a failure leaves the old file as it was.</li>
 * </ul>
 * Memory is bounded by one chunk's encoding, whatever the table size.
 */
// region loader (the README's text, checked by ReadmeSnippetsTest)
final class CsvLoader implements Loader {

    private static final Logger LOG = LoggerFactory.getLogger(CsvLoader.class);
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}");

    private final CsvLoaderConfig config;

    CsvLoader(CsvLoaderConfig config) {
        this.config = config;
        try {
            Files.createDirectories(config.directory());
        } catch (IOException e) {
            throw new LoaderException("Cannot create the CSV directory " + config.directory() + ": " + e, e);
        }
    }

    @Override
    public String type() {
        return CsvLoaderProvider.TYPE;
    }

    @Override
    public Set<LoadMode> supportedModes() {
        return EnumSet.of(LoadMode.APPEND, LoadMode.OVERWRITE);
    }
    // endregion

    /** The file of {@code table}. */
    Path fileOf(String table) {
        if (table == null || !TABLE_NAME.matcher(table).matches()) {
            throw new LoaderException("Table name '" + table + "' cannot be a CSV file name: use letters, digits, "
                    + "'_', '.', '-' (not starting with '.' or '-')");
        }
        return config.directory().resolve(table + ".csv");
    }

    private void checkMode(LoadMode mode) {
        if (!supportedModes().contains(mode)) {
            throw new LoaderException("The csv loader supports " + supportedModes() + ", not " + mode
                    + "; nothing was written");
        }
    }

    @Override
    public LoadResult loadBatch(VectorSchemaRoot batch, String table, LoadMode mode) {
        checkMode(mode);
        long start = System.nanoTime();
        Path file = fileOf(table);
        CsvRowEncoder encoder = CsvRowEncoder.forSchema(batch.getSchema(), config.delimiter(), config.nullValue());
        Counts counts = new Counts();
        if (mode == LoadMode.OVERWRITE) {
            replace(file, ch -> {
                writeHeader(ch, encoder);
                writeChunks(ch, encoder, batch, counts);
            });
        } else {
            try (FileChannel ch = openForAppend(file, encoder)) {
                writeChunks(ch, encoder, batch, counts);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot append to " + file + ": " + e, e);
            }
        }
        return result(file, table, encoder.schema(), counts, start);
    }

    @Override
    public LoadResult loadTable(ArrowReader source, String table, LoadMode mode) {
        checkMode(mode);
        long start = System.nanoTime();
        Path file = fileOf(table);
        Counts counts = new Counts();
        Schema schema;
        try {
            schema = source.getVectorSchemaRoot().getSchema();
            CsvRowEncoder encoder = CsvRowEncoder.forSchema(schema, config.delimiter(), config.nullValue());
            if (mode == LoadMode.OVERWRITE) {
                replace(file, ch -> {
                    writeHeader(ch, encoder);
                    while (source.loadNextBatch()) {
                        writeChunks(ch, encoder, source.getVectorSchemaRoot(), counts);
                    }
                });
            } else {
                try (FileChannel ch = openForAppend(file, encoder)) {
                    while (source.loadNextBatch()) {
                        writeChunks(ch, encoder, source.getVectorSchemaRoot(), counts);
                    }
                }
            }
        } catch (IOException e) {
            throw new LoaderException("Cannot load into " + file + " after " + counts.batches + " batches ("
                    + counts.rows + " rows): " + e, e);
        }
        return result(file, table, schema, counts, start);
    }

    private void writeHeader(FileChannel ch, CsvRowEncoder encoder) throws IOException {
        if (config.header()) {
            writeFully(ch, ByteBuffer.wrap(encoder.header()));
        }
    }

    private static final class Counts {
        long rows;
        long batches;
        long arrowBytes;
        long storedBytes;
    }

    @FunctionalInterface
    private interface Body {
        void write(FileChannel channel) throws IOException;
    }

    /** Writes {@code batch} in chunks of {@code batch_size} rows, each chunk in one write, cut back if it fails. */
    private void writeChunks(FileChannel ch, CsvRowEncoder encoder, VectorSchemaRoot batch, Counts counts)
            throws IOException {
        if (!batch.getSchema().equals(encoder.schema())) {
            throw new LoaderException("Batch " + (counts.batches + 1) + " has schema " + batch.getSchema()
                    + ", but the table's is " + encoder.schema());
        }
        int rows = batch.getRowCount();
        long batchBytes = batch.getFieldVectors().stream().mapToLong(FieldVector::getBufferSize).sum();
        for (int from = 0; from < rows; from += config.batchSize()) {
            int to = Math.min(rows, from + config.batchSize());
            encoder.encode(batch, from, to); // may fail naming column and row: nothing written yet
            long before = ch.size();
            try {
                writeFully(ch, ByteBuffer.wrap(encoder.bytes(), 0, encoder.length()));
            } catch (IOException e) {
                ch.truncate(before);
                throw e;
            }
            counts.rows += to - from;
            counts.batches++;
            counts.arrowBytes += rows == 0 ? 0 : batchBytes * (to - from) / rows;
            counts.storedBytes += encoder.length();
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private FileChannel openForAppend(Path file, CsvRowEncoder encoder) throws IOException {
        byte[] header = encoder.header();
        if (Files.exists(file) && Files.size(file) > 0) {
            if (config.header()) {
                String existing;
                try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
                    existing = lines.findFirst().orElse("");
                }
                String expected = new String(header, 0, header.length - 1, StandardCharsets.UTF_8);
                if (!existing.equals(expected)) {
                    throw new LoaderException("Cannot append to " + file + ": its header is '" + existing
                            + "', the batch's columns are '" + expected + "'; nothing was written");
                }
            }
            return FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        writeHeader(ch, encoder);
        return ch;
    }

    /** Writes a new file through {@code body} and puts it in place of {@code file} atomically. */
    private void replace(Path file, Body body) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile(config.directory(), "." + file.getFileName(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.write(ch);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new LoaderException("Cannot replace " + file + " atomically on this file system; it was left as it"
                    + " was", e);
        } catch (IOException e) {
            throw new LoaderException("Cannot write " + file + " (it was left as it was): " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray hidden temp file; the target is intact either way
                }
            }
        }
    }

    private LoadResult result(Path file, String table, Schema schema, Counts counts, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            size = -1;
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("batches_processed", counts.batches);
        metadata.put("rows_loaded", counts.rows);
        metadata.put("columns", schema.getFields().size());
        metadata.put("avg_batch_size", counts.batches == 0 ? 0.0 : (double) counts.rows / counts.batches);
        // The same keys in every loader: stored_bytes the file's size (table_size_bytes, the original's key),
        // stored_bytes_added the rows this load wrote, input_bytes their Arrow size.
        metadata.put("table_size_bytes", size);
        metadata.put("stored_bytes", size);
        metadata.put("stored_bytes_added", counts.storedBytes);
        if (counts.rows > 0) {
            metadata.put("stored_bytes_per_row", (double) counts.storedBytes / counts.rows);
        }
        metadata.put("input_bytes", counts.arrowBytes);
        metadata.put("throughput_rows_per_sec", seconds > 0 ? counts.rows / seconds : 0.0);
        metadata.put("file", file.toString());
        LOG.debug("Loaded {} rows into {} in {} s", counts.rows, file, seconds);
        return new LoadResult(counts.rows, counts.arrowBytes, seconds, table, type(), metadata);
    }

    @Override
    public void close() {
        // nothing held between loads: every load opens and closes its file
    }
}
