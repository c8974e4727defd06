package org.loadperf.delta;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.types.StructType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import io.delta.kernel.utils.DataFileStatus;

/**
 * Unpartitioned chunks are written a column at a time, in runs that end where the row-at-a-time path (partitioned
 * chunks) checks the row group, the file size and the row limit: both paths give the same files, row groups and
 * values.
 */
class ColumnRunsTest {

    @Test
    void runsAndRowsWriteTheSameFilesRowGroupsAndValues() throws Exception {
        Configuration conf = new Configuration();
        conf.set("parquet.block.size", Long.toString(64 * 1024));
        conf.set("parquet.compression", "SNAPPY");
        RandomArrowData data = new RandomArrowData(5, RandomArrowData.KINDS.length + 3);
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(data.schema, allocator)) {
            data.fill(root, 6_000);
            StructType schema = ArrowDeltaTypes.toDelta(root.getSchema());
            FieldVector[] vectors = root.getFieldVectors().toArray(new FieldVector[0]);
            boolean[] all = new boolean[1_000];
            Arrays.fill(all, true);
            List<List<String>> written = new ArrayList<>();
            for (boolean runs : new boolean[] {true, false}) {
                Path dir = Files.createTempDirectory("column-runs");
                ArrowParquetWriter w = new ArrowParquetWriter(conf, new org.apache.hadoop.fs.Path(dir.toUri()),
                        new WrittenFiles(conf), schema, List.of(), 200 * 1024, OptionalLong.of(2_500),
                        new DictionaryFallbacks.Memory());
                for (int base = 0; base < 6_000; base += 1_000) {
                    w.write(vectors, base, 1_000, runs ? null : all);
                }
                List<String> files = new ArrayList<>();
                for (DataFileStatus f : w.finish()) {
                    files.add(describe(conf, f.getPath()));
                }
                written.add(files);
            }
            assertThat(written.get(0)).hasSizeGreaterThan(2);
            assertThat(written.get(0)).isEqualTo(written.get(1));
        }
    }

    /** A file's row groups' row counts and every record as parquet-mr's example reader prints it. */
    private static String describe(Configuration conf, String path) throws Exception {
        StringBuilder out = new StringBuilder();
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(path), conf))) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            for (BlockMetaData b : reader.getFooter().getBlocks()) {
                out.append("row group of ").append(b.getRowCount()).append(" rows\n");
            }
            PageReadStore pages;
            while ((pages = reader.readNextRowGroup()) != null) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                        .getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    out.append(records.read()).append('\n');
                }
            }
        }
        return out.toString();
    }
}
