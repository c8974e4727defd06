package org.loadperf.delta;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageWriteStore;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.SizeStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.ColumnPath;

/**
 * The columns whose dictionary parquet-mr gave up on in one row group, written without one in the writer's next row
 * groups. parquet-mr dictionary-encodes every value of a column chunk and, at its first page, re-encodes the page
 * plainly when the dictionary did not pay (unique ids, timestamps, free text): all that hashing was for nothing, and
 * it was the largest part of a large load's time. A column falls back when one of its data pages is written without
 * dictionary encoding although its dictionary was on; the file's content is the same either way (those pages were
 * plain already), only the wasted work goes.
 *
 * <p>A loader's writers share what they learned ({@link Memory}): a load of one row group (most loads under ~100k
 * rows) starts with the columns the loader's earlier writers found, and every {@value Memory#RETRY_EVERY}th writer
 * tries every dictionary again, so a column whose values change character gets its dictionary back.
 */
final class DictionaryFallbacks {

    /** The columns found plain by a loader's writers so far, shared by all of them (also across threads). */
    static final class Memory {
        static final int RETRY_EVERY = 16;
        private final Set<String> plain = ConcurrentHashMap.newKeySet();
        private final AtomicInteger writers = new AtomicInteger();

        /** The columns a new writer starts without a dictionary; null: this writer tries every dictionary again. */
        Set<String> start() {
            return writers.getAndIncrement() % RETRY_EVERY == 0 ? null : Set.copyOf(plain);
        }

        Set<String> plainColumns() {
            return Set.copyOf(plain);
        }
    }

    private final ParquetProperties base;
    private final Memory memory;
    private final Set<String> plain = new LinkedHashSet<>();
    /** Whether this writer tries every dictionary again: its first row group then says what the loader remembers. */
    private final boolean retrying;
    private boolean firstRowGroupDone;
    private ParquetProperties current;

    DictionaryFallbacks(ParquetProperties base, Memory memory) {
        this.base = base;
        this.memory = memory;
        Set<String> start = memory.start();
        this.retrying = start == null;
        this.current = base;
        if (start != null && !start.isEmpty()) {
            plain.addAll(start);
            current = withoutDictionary(plain);
        }
    }

    /** After each row group: a retrying writer's first one replaces what the loader remembers. */
    void rowGroupDone() {
        if (retrying && !firstRowGroupDone) {
            memory.plain.retainAll(plain);
            memory.plain.addAll(plain);
        }
        firstRowGroupDone = true;
    }

    /** The properties of the next row group: the base ones, with dictionary encoding off for each fallen-back column. */
    ParquetProperties properties() {
        return current;
    }

    /** Columns written without a dictionary from now on, as dot paths. */
    Set<String> plainColumns() {
        return Set.copyOf(plain);
    }

    /** {@code store}, watched for data pages that fell back from dictionary encoding. */
    PageWriteStore watch(PageWriteStore store) {
        ParquetProperties props = current;
        return descriptor -> {
            PageWriter writer = store.getPageWriter(descriptor);
            return props.isDictionaryEnabled(descriptor) ? new Watched(writer, descriptor) : writer;
        };
    }

    private void fellBack(ColumnDescriptor column) {
        String path = ColumnPath.get(column.getPath()).toDotString();
        if (plain.add(path)) {
            current = withoutDictionary(plain);
            if (!retrying || firstRowGroupDone) {
                memory.plain.add(path);
            }
        }
    }

    private ParquetProperties withoutDictionary(Set<String> columns) {
        ParquetProperties.Builder b = ParquetProperties.copy(base);
        for (String p : columns) {
            b.withDictionaryEncoding(p, false);
        }
        return b.build();
    }

    /** Passes every call on; notes a data page whose values are not dictionary encoded. */
    private final class Watched implements PageWriter {
        private final PageWriter delegate;
        private final ColumnDescriptor column;

        Watched(PageWriter delegate, ColumnDescriptor column) {
            this.delegate = delegate;
            this.column = column;
        }

        private void seen(Encoding values) {
            if (!values.usesDictionary()) {
                fellBack(column);
            }
        }

        @Override
        @SuppressWarnings("deprecation")
        public void writePage(BytesInput bytes, int valueCount, Statistics<?> statistics, Encoding rlEncoding,
                              Encoding dlEncoding, Encoding valuesEncoding) throws IOException {
            seen(valuesEncoding);
            delegate.writePage(bytes, valueCount, statistics, rlEncoding, dlEncoding, valuesEncoding);
        }

        @Override
        public void writePage(BytesInput bytes, int valueCount, int rowCount, Statistics<?> statistics,
                              Encoding rlEncoding, Encoding dlEncoding, Encoding valuesEncoding) throws IOException {
            seen(valuesEncoding);
            delegate.writePage(bytes, valueCount, rowCount, statistics, rlEncoding, dlEncoding, valuesEncoding);
        }

        @Override
        public void writePage(BytesInput bytes, int valueCount, int rowCount, Statistics<?> statistics,
                              SizeStatistics sizeStatistics, Encoding rlEncoding, Encoding dlEncoding,
                              Encoding valuesEncoding) throws IOException {
            seen(valuesEncoding);
            delegate.writePage(bytes, valueCount, rowCount, statistics, sizeStatistics, rlEncoding, dlEncoding,
                    valuesEncoding);
        }

        @Override
        public void writePageV2(int rowCount, int nullCount, int valueCount, BytesInput repetitionLevels,
                                BytesInput definitionLevels, Encoding dataEncoding, BytesInput data,
                                Statistics<?> statistics) throws IOException {
            seen(dataEncoding);
            delegate.writePageV2(rowCount, nullCount, valueCount, repetitionLevels, definitionLevels, dataEncoding,
                    data, statistics);
        }

        @Override
        public void writePageV2(int rowCount, int nullCount, int valueCount, BytesInput repetitionLevels,
                                BytesInput definitionLevels, Encoding dataEncoding, BytesInput data,
                                Statistics<?> statistics, SizeStatistics sizeStatistics) throws IOException {
            seen(dataEncoding);
            delegate.writePageV2(rowCount, nullCount, valueCount, repetitionLevels, definitionLevels, dataEncoding,
                    data, statistics, sizeStatistics);
        }

        @Override
        public long getMemSize() {
            return delegate.getMemSize();
        }

        @Override
        public long allocatedSize() {
            return delegate.allocatedSize();
        }

        @Override
        public void writeDictionaryPage(DictionaryPage page) throws IOException {
            delegate.writeDictionaryPage(page);
        }

        @Override
        public String memUsageString(String prefix) {
            return delegate.memUsageString(prefix);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
