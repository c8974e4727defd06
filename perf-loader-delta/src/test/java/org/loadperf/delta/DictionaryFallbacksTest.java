package org.loadperf.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.EncodingStats;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageWriteStore;
import org.apache.parquet.column.page.PageWriter;
import org.apache.parquet.column.statistics.SizeStatistics;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;

/** A column whose dictionary fell back is written plain in the next row groups; the others keep theirs. */
class DictionaryFallbacksTest {

    private static final MessageType SCHEMA = MessageTypeParser.parseMessageType(
            "message t { required int64 id; optional binary p (STRING); optional group s { optional int32 x; } }");

    @Test
    void aPageWrittenWithoutTheDictionaryTurnsItOffForThatColumnOnly() throws IOException {
        ParquetProperties base = ParquetProperties.builder().build();
        DictionaryFallbacks fallbacks = new DictionaryFallbacks(base, new DictionaryFallbacks.Memory());
        ColumnDescriptor id = SCHEMA.getColumnDescription(new String[] {"id"});
        ColumnDescriptor p = SCHEMA.getColumnDescription(new String[] {"p"});
        ColumnDescriptor x = SCHEMA.getColumnDescription(new String[] {"s", "x"});
        List<String> written = new ArrayList<>();
        PageWriteStore watched = fallbacks.watch(recording(written));

        page(watched.getPageWriter(p), Encoding.RLE_DICTIONARY);
        page(watched.getPageWriter(id), Encoding.PLAIN);
        page(watched.getPageWriter(x), Encoding.PLAIN);

        // Every page reached the store it watches.
        assertThat(written).containsExactly("p:RLE_DICTIONARY", "id:PLAIN", "s.x:PLAIN");
        assertThat(fallbacks.plainColumns()).containsExactlyInAnyOrder("id", "s.x");
        ParquetProperties next = fallbacks.properties();
        assertThat(next.isDictionaryEnabled(id)).isFalse();
        assertThat(next.isDictionaryEnabled(x)).isFalse();
        assertThat(next.isDictionaryEnabled(p)).isTrue();
        assertThat(base.isDictionaryEnabled(id)).as("the base properties stay as they were").isTrue();

        // A column already plain is not watched again: its pages go straight to the store.
        PageWriteStore again = fallbacks.watch(recording(written));
        page(again.getPageWriter(id), Encoding.PLAIN);
        assertThat(fallbacks.properties()).isSameAs(next);
    }

    @Test
    void aLoadersNextWritersStartWithoutTheDictionaryAndEverySixteenthTriesItAgain() throws IOException {
        ParquetProperties base = ParquetProperties.builder().build();
        DictionaryFallbacks.Memory memory = new DictionaryFallbacks.Memory();
        ColumnDescriptor id = SCHEMA.getColumnDescription(new String[] {"id"});
        ColumnDescriptor p = SCHEMA.getColumnDescription(new String[] {"p"});
        List<String> written = new ArrayList<>();

        DictionaryFallbacks first = new DictionaryFallbacks(base, memory);
        page(first.watch(recording(written)).getPageWriter(id), Encoding.PLAIN);
        page(first.watch(recording(written)).getPageWriter(p), Encoding.RLE_DICTIONARY);
        first.rowGroupDone();
        assertThat(memory.plainColumns()).containsExactly("id");

        for (int writer = 2; writer <= DictionaryFallbacks.Memory.RETRY_EVERY; writer++) {
            DictionaryFallbacks next = new DictionaryFallbacks(base, memory);
            assertThat(next.properties().isDictionaryEnabled(id)).as("writer %d", writer).isFalse();
            assertThat(next.properties().isDictionaryEnabled(p)).isTrue();
        }
        // The 17th tries again; the id column's values now repeat, so its dictionary pays and is remembered so.
        DictionaryFallbacks retry = new DictionaryFallbacks(base, memory);
        assertThat(retry.properties().isDictionaryEnabled(id)).isTrue();
        page(retry.watch(recording(written)).getPageWriter(id), Encoding.RLE_DICTIONARY);
        retry.rowGroupDone();
        assertThat(memory.plainColumns()).isEmpty();
        assertThat(new DictionaryFallbacks(base, memory).properties().isDictionaryEnabled(id)).isTrue();
    }

    @Test
    void aLoadOfManyRowGroupsReadsBackAndKeepsTheDictionaryWhereItPays() throws Exception {
        Path table = DeltaTables.freshDir("dictionary-fallbacks");
        try (BufferAllocator allocator = new RootAllocator();
             RowsReader r = new RowsReader(allocator, 0, 4, 5_000, List.of("a", "b", "c"), 0);
             Loader l = DeltaTables.loader(table, Map.of("row_group_size", 32 * 1024))) {
            l.loadTable(r, "t", LoadMode.APPEND);
            assertThat(FailedLoadCleanupTest.byId(DeltaTables.rows(table)))
                    .isEqualTo(FailedLoadCleanupTest.byId(r.expected()));
        }
        List<Path> files = DeltaTables.dataFiles(table);
        assertThat(files).hasSize(1);
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(files.get(0).toUri()), new Configuration()))) {
            List<BlockMetaData> groups = reader.getFooter().getBlocks();
            assertThat(groups.size()).as("row groups").isGreaterThan(2);
            for (BlockMetaData g : groups) {
                for (ColumnChunkMetaData c : g.getColumns()) {
                    EncodingStats stats = c.getEncodingStats();
                    String name = c.getPath().toDotString();
                    if (name.equals("p")) {
                        assertThat(stats.hasNonDictionaryEncodedPages()).as("p: three values").isFalse();
                    } else {
                        assertThat(stats.hasDictionaryPages()).as("%s: unique values", name).isFalse();
                    }
                }
            }
        }
    }

    private static void page(PageWriter writer, Encoding values) throws IOException {
        writer.writePage(BytesInput.empty(), 0, 0, null, null, Encoding.RLE, Encoding.RLE, values);
    }

    /** A store whose page writers note the column and the values' encoding of each page. */
    private static PageWriteStore recording(List<String> written) {
        return descriptor -> new PageWriter() {
            private void note(Encoding e) {
                written.add(String.join(".", descriptor.getPath()) + ":" + e);
            }

            @Override
            public void writePage(BytesInput bytes, int valueCount, Statistics<?> statistics, Encoding rl,
                                  Encoding dl, Encoding values) {
                note(values);
            }

            @Override
            public void writePage(BytesInput bytes, int valueCount, int rowCount, Statistics<?> statistics,
                                  Encoding rl, Encoding dl, Encoding values) {
                note(values);
            }

            @Override
            public void writePage(BytesInput bytes, int valueCount, int rowCount, Statistics<?> statistics,
                                  SizeStatistics sizeStatistics, Encoding rl, Encoding dl, Encoding values) {
                note(values);
            }

            @Override
            public void writePageV2(int rowCount, int nullCount, int valueCount, BytesInput rl, BytesInput dl,
                                    Encoding values, BytesInput data, Statistics<?> statistics) {
                note(values);
            }

            @Override
            public long getMemSize() {
                return 0;
            }

            @Override
            public long allocatedSize() {
                return 0;
            }

            @Override
            public void writeDictionaryPage(DictionaryPage page) {
            }

            @Override
            public String memUsageString(String prefix) {
                return prefix;
            }
        };
    }
}
