package org.loadperf.delta;

import io.delta.kernel.expressions.Column;
import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.DataFileStatus;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.apache.arrow.vector.FieldVector;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetOutputFormat;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.schema.MessageType;

/**
 * Writes the rows of one partition as Parquet data files, straight from the Arrow vectors, in the layout Kernel
 * 4.0.0's default writer produces ({@link ParquetSchemas}), and returns each file's {@link DataFileStatus} with the
 * Delta statistics taken from the footer it just wrote ({@link FooterStatistics}) for Kernel's
 * {@code Transaction.generateAppendActions}.
 *
 * <p>Kernel's writer (which the loader used before) spent about a third more time than a plain parquet-hadoop write:
 * every value went through a Kernel {@code ColumnVector} call and a {@code String} or {@code BigDecimal}, every row
 * through parquet-mr's {@code RecordConsumer} and a data-size check, and every file re-read its footer and built a
 * fresh Hadoop {@code Configuration}. Here values go from the Arrow buffers into parquet-mr's column writers
 * ({@link ArrowColumnWriters}); row groups are managed as parquet-mr's {@code InternalParquetRecordWriter} does (same
 * properties, same memory checks), one {@link Configuration} and one codec factory serve every file.
 *
 * <p>Files roll when {@code target_file_size} is reached (the written plus buffered size, as Kernel measures it;
 * checked every row near the target and less often far from it) or at {@code max_rows_per_file}. The same
 * {@code parquet.*} Hadoop settings Kernel's writer honours are honoured here (compression, block, page and
 * dictionary page size, padding, dictionary encoding, writer version). Not thread-safe: one writer per partition.
 */
final class ArrowParquetWriter {

    /** The writer name in the footer's {@code writer.model.name}. */
    static final String WRITER_NAME = "loadperf-arrow-delta";
    /** Rows between two checks of the file size at most, far from the target. */
    private static final int MAX_ROWS_BETWEEN_SIZE_CHECKS = 1_000;

    private final Configuration conf;
    private final Path directory;
    private final WrittenFiles written;
    private final StructType schema;
    private final MessageType parquetSchema;
    private final List<Column> statsColumns;
    private final long targetFileSize;
    private final long maxRowsPerFile;
    private final ParquetProperties props;
    /** The row groups' properties: dictionary encoding off for the columns whose dictionary did not pay. */
    private final DictionaryFallbacks dictionaries;
    private final long rowGroupSize;
    private final int maxPaddingSize;
    private final CodecFactory codecs;
    private final BytesInputCompressor compressor;
    private final List<DataFileStatus> files = new ArrayList<>();

    // The open file, if any.
    private Path path;
    private ParquetFileWriter file;
    private ColumnChunkPageWriteStore pageStore;
    private ColumnWriteStore columnStore;
    private ArrowColumnWriters.Node[] nodes;
    private long rowsInFile;
    private long rowsInGroup;
    private long nextMemoryCheck;
    private long nextRowGroupSize;
    private long lastRowGroupEnd;
    private long nextSizeCheck;
    private int fileNo;

    // The chunk the nodes are bound to.
    private FieldVector[] boundVectors;

    ArrowParquetWriter(Configuration conf, Path directory, WrittenFiles written, StructType schema,
                       List<Column> statsColumns, long targetFileSize, OptionalLong maxRowsPerFile,
                       DictionaryFallbacks.Memory dictionaryMemory) {
        this.conf = conf;
        this.directory = directory;
        this.written = written;
        this.schema = schema;
        this.parquetSchema = ParquetSchemas.toParquet(schema);
        this.statsColumns = statsColumns;
        this.targetFileSize = targetFileSize;
        this.maxRowsPerFile = maxRowsPerFile.orElse(Long.MAX_VALUE);
        ParquetProperties.Builder b = ParquetProperties.builder();
        String pageSize = conf.get(ParquetOutputFormat.PAGE_SIZE);
        if (pageSize != null) {
            b.withPageSize(Integer.parseInt(pageSize));
        }
        String dictionaryPageSize = conf.get(ParquetOutputFormat.DICTIONARY_PAGE_SIZE);
        if (dictionaryPageSize != null) {
            b.withDictionaryPageSize(Integer.parseInt(dictionaryPageSize));
        }
        String dictionary = conf.get(ParquetOutputFormat.ENABLE_DICTIONARY);
        if (dictionary != null) {
            b.withDictionaryEncoding(Boolean.parseBoolean(dictionary));
        }
        String version = conf.get(ParquetOutputFormat.WRITER_VERSION);
        if (version != null) {
            b.withWriterVersion(ParquetProperties.WriterVersion.fromString(version));
        }
        this.props = b.build();
        this.dictionaries = new DictionaryFallbacks(props, dictionaryMemory);
        String blockSize = conf.get(ParquetOutputFormat.BLOCK_SIZE);
        this.rowGroupSize = blockSize == null ? ParquetWriter.DEFAULT_BLOCK_SIZE : Long.parseLong(blockSize);
        String padding = conf.get(ParquetOutputFormat.MAX_PADDING_BYTES);
        this.maxPaddingSize = padding == null ? ParquetWriter.MAX_PADDING_SIZE_DEFAULT : Integer.parseInt(padding);
        String codec = conf.get(ParquetOutputFormat.COMPRESSION);
        this.codecs = new CodecFactory(conf, props.getPageSizeThreshold());
        this.compressor = codecs.getCompressor(codec == null ? CompressionCodecName.UNCOMPRESSED
                : CompressionCodecName.fromConf(codec));
    }

    /**
     * Writes rows {@code base} to {@code base + length - 1} of {@code vectors} (one per field of the physical
     * schema, {@code null} for a column of NULLs), those {@code selected} marks if it is not {@code null}.
     */
    void write(FieldVector[] vectors, int base, int length, boolean[] selected) {
        if (selected == null) {
            writeRuns(vectors, base, length);
            return;
        }
        try {
            for (int r = 0; r < length; r++) {
                if (selected != null && !selected[r]) {
                    continue;
                }
                ready(vectors);
                int i = base + r;
                for (ArrowColumnWriters.Node n : nodes) {
                    n.write(i, 0, 0);
                }
                columnStore.endRecord();
                written(1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Writing Parquet file " + path + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * All rows {@code base} to {@code base + length - 1}, a column at a time in runs that end where the row-at-a-time
     * path would check the row group's memory, the file's size or its row limit, so files and row groups end where
     * they would have.
     */
    private void writeRuns(FieldVector[] vectors, int base, int length) {
        try {
            int r = 0;
            while (r < length) {
                ready(vectors);
                long run = Math.min(length - r, Math.min(nextMemoryCheck - rowsInGroup,
                        Math.min(nextSizeCheck, maxRowsPerFile) - rowsInFile));
                int n = (int) Math.max(1, run);
                for (ArrowColumnWriters.Node node : nodes) {
                    node.writeRun(base + r, base + r + n);
                }
                for (int k = 0; k < n; k++) {
                    columnStore.endRecord();
                }
                r += n;
                written(n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Writing Parquet file " + path + " failed: " + e.getMessage(), e);
        }
    }

    /** Opens a file if none is open and binds the column writers to {@code vectors}. */
    private void ready(FieldVector[] vectors) throws IOException {
        if (file == null) {
            open();
        }
        if (boundVectors != vectors) {
            bind(vectors);
        }
    }

    /** After {@code n} records: the row group's memory check, then the file's size and row limit. */
    private void written(int n) throws IOException {
        rowsInFile += n;
        rowsInGroup += n;
        if (rowsInGroup >= nextMemoryCheck) {
            checkRowGroup();
        }
        if (rowsInFile >= maxRowsPerFile || (rowsInFile >= nextSizeCheck && fileSizeReached())) {
            close();
        }
    }

    /** Closes the open file and returns the status of every file written. */
    List<DataFileStatus> finish() {
        try {
            if (file != null) {
                close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Closing Parquet file " + path + " failed: " + e.getMessage(), e);
        } finally {
            codecs.release();
        }
        return files;
    }

    /** Stops without finishing the open file; the load deletes what was written ({@link WrittenFiles}). */
    void abort() {
        try {
            if (columnStore != null) {
                columnStore.close();
            }
            if (pageStore != null) {
                pageStore.close();
            }
            if (file != null) {
                file.close();
            }
        } catch (IOException | RuntimeException e) {
            // The load already failed; this only frees buffers and the open stream.
        } finally {
            file = null;
            codecs.release();
        }
    }

    private void open() throws IOException {
        path = new Path(directory, String.format("%s-%03d.parquet", UUID.randomUUID(), fileNo++));
        written.file(path);
        file = new ParquetFileWriter(outputFile(path), parquetSchema,
                ParquetFileWriter.Mode.CREATE, rowGroupSize, maxPaddingSize, null, props);
        file.start();
        rowsInFile = 0;
        lastRowGroupEnd = 0;
        nextRowGroupSize = rowGroupSize;
        nextSizeCheck = 1;
        newRowGroup();
        nextMemoryCheck = props.getMinRowCountForPageSizeCheck();
    }

    /**
     * parquet-hadoop's output file on every file system but the local one, where the file (and its partition
     * directories) are created with java.nio instead: Hadoop's local file system, without its native library, sets
     * the mode of every file and directory it creates by running {@code chmod} as a child process (a few ms each,
     * most of the cost of a small file here; passing no permission does not avoid it), and writes a {@code .crc}
     * side file no Delta reader uses. The files get the process umask's mode, as Hadoop's default would give.
     */
    private OutputFile outputFile(Path p) throws IOException {
        FileSystem fs = p.getFileSystem(conf);
        if (!(fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem)) {
            return HadoopOutputFile.fromPath(p, conf);
        }
        java.nio.file.Path local = Paths.get(fs.makeQualified(p).toUri());
        return new OutputFile() {
            @Override
            public PositionOutputStream create(long blockSizeHint) throws IOException {
                written.createDirectories(local.getParent());
                return new LocalOutputStream(Files.newOutputStream(local,
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            }

            @Override
            public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
                written.createDirectories(local.getParent());
                return new LocalOutputStream(Files.newOutputStream(local));
            }

            @Override
            public boolean supportsBlockSize() {
                return false;
            }

            @Override
            public long defaultBlockSize() {
                return 0;
            }

            @Override
            public String getPath() {
                return local.toString();
            }
        };
    }

    /** A buffered local file stream that knows its position, as parquet's file writer needs. */
    private static final class LocalOutputStream extends PositionOutputStream {
        private final OutputStream out;
        private long position;

        LocalOutputStream(OutputStream out) {
            this.out = new BufferedOutputStream(out, 64 * 1024);
        }

        @Override
        public long getPos() {
            return position;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            position++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            position += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    private void newRowGroup() {
        pageStore = new ColumnChunkPageWriteStore(compressor, parquetSchema, props.getAllocator(),
                props.getColumnIndexTruncateLength(), props.getPageWriteChecksumEnabled(), null, 0);
        columnStore = dictionaries.properties().newColumnWriteStore(parquetSchema, dictionaries.watch(pageStore),
                pageStore);
        rowsInGroup = 0;
        boundVectors = null;
    }

    private void bind(FieldVector[] vectors) {
        nodes = ArrowColumnWriters.bind(schema, vectors, parquetSchema, columnStore);
        boundVectors = vectors;
    }

    /** parquet-mr's row group check ({@code InternalParquetRecordWriter.checkBlockSizeReached}), unchanged. */
    private void checkRowGroup() throws IOException {
        long memSize = columnStore.getBufferedSize();
        long recordSize = memSize / rowsInGroup;
        if (memSize > nextRowGroupSize - 2 * recordSize) {
            long rows = rowsInGroup;
            flushRowGroup();
            newRowGroup();
            nextMemoryCheck = Math.min(Math.max(props.getMinRowCountForPageSizeCheck(), rows / 2),
                    props.getMaxRowCountForPageSizeCheck());
            lastRowGroupEnd = file.getPos();
        } else {
            nextMemoryCheck = Math.min(Math.max(props.getMinRowCountForPageSizeCheck(),
                            (rowsInGroup + (long) (nextRowGroupSize / ((float) recordSize))) / 2),
                    rowsInGroup + props.getMaxRowCountForPageSizeCheck());
        }
    }

    private void flushRowGroup() throws IOException {
        try {
            if (rowsInGroup > 0) {
                file.startBlock(rowsInGroup);
                columnStore.flush();
                pageStore.flushToFileWriter(file);
                file.endBlock();
                nextRowGroupSize = Math.min(file.getNextRowGroupSize(), rowGroupSize);
                dictionaries.rowGroupDone();
            }
        } finally {
            columnStore.close();
            pageStore.close();
            columnStore = null;
            pageStore = null;
        }
    }

    /**
     * Whether the file has reached target_file_size, measured as Kernel's writer does (bytes written plus bytes
     * buffered). The buffered size is a walk over every column, so far from the target it is checked only every
     * few rows: half the rows the last check estimated are left, at most {@link #MAX_ROWS_BETWEEN_SIZE_CHECKS}.
     */
    private boolean fileSizeReached() {
        long size = lastRowGroupEnd + columnStore.getBufferedSize();
        if (size >= targetFileSize) {
            return true;
        }
        long perRow = Math.max(1, size / rowsInFile);
        nextSizeCheck = rowsInFile + Math.max(1, Math.min(MAX_ROWS_BETWEEN_SIZE_CHECKS,
                (targetFileSize - size) / perRow / 2));
        return false;
    }

    private void close() throws IOException {
        flushRowGroup();
        file.end(Map.of(ParquetWriter.OBJECT_MODEL_NAME_PROP, WRITER_NAME));
        DataFileStatistics stats = FooterStatistics.of(file.getFooter(), schema, statsColumns);
        file = null;
        FileSystem fs = path.getFileSystem(conf);
        FileStatus status = fs.getFileStatus(path);
        files.add(new DataFileStatus(fs.makeQualified(path).toString(), status.getLen(),
                status.getModificationTime(), Optional.of(stats)));
    }
}
