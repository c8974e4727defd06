package org.loadperf.delta;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;
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
 */
final class DictionaryFallbacks {

    private final ParquetProperties base;
    private final Set<String> plain = new LinkedHashSet<>();
    private ParquetProperties current;

    DictionaryFallbacks(ParquetProperties base) {
        this.base = base;
        this.current = base;
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
            ParquetProperties.Builder b = ParquetProperties.copy(base);
            for (String p : plain) {
                b.withDictionaryEncoding(p, false);
            }
            current = b.build();
        }
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
