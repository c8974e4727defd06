package org.loadperf.delta;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Scan;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.expressions.Predicate;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;

/**
 * The loader's Parquet writer against Kernel's own default writer: the same random rows (every type, ~15% NULLs,
 * small row groups so statistics are merged) written both ways must give the same Parquet schema, the same Delta
 * statistics in the log (numRecords, minValues, maxValues, nullCount) and the same values read back; and Kernel's
 * data skipping must use the statistics the loader wrote.
 */
class KernelWriterParityTest {

    private static final String ROW_GROUP_BYTES = "16384";
    private final BufferAllocator allocator = new RootAllocator();

    @AfterEach
    void closeAllocator() {
        allocator.close();
    }

    @ParameterizedTest
    @ValueSource(longs = {7L, 2026L})
    void sameStatisticsSchemaAndValuesAsKernelsWriter(long seed) throws Exception {
        int columns = RandomArrowData.KINDS.length + 4;
        Path ours = DeltaTables.freshDir("parity-loader");
        try (GeneratedReader reader = new GeneratedReader(allocator, new RandomArrowData(seed, columns), 3, 700);
             Loader loader = DeltaTables.loader(ours, Map.of("compression", "snappy", "optimize_after_write", false,
                     "row_group_size", ROW_GROUP_BYTES))) {
            loader.loadTable(reader, "parity", LoadMode.APPEND);
        }
        Path kernels = DeltaTables.freshDir("parity-kernel");
        try (GeneratedReader reader = new GeneratedReader(allocator, new RandomArrowData(seed, columns), 3, 700)) {
            writeWithKernelsWriter(kernels, reader);
        }

        List<JsonNode> a = addStats(ours);
        List<JsonNode> b = addStats(kernels);
        assertThat(a).hasSize(1);
        assertThat(b).hasSize(1);
        assertThat(a.get(0).get("numRecords").asLong()).isEqualTo(2100);
        // Statistics for the primitive columns, including nested struct fields, with NULL counts.
        assertThat(a.get(0).get("minValues").size()).isGreaterThan(15);
        assertThat(a.get(0).get("nullCount").size()).isGreaterThan(15);
        assertThat(a).isEqualTo(b);

        ParquetMetadata oursFooter = footer(ours);
        ParquetMetadata kernelsFooter = footer(kernels);
        assertThat(oursFooter.getBlocks().size()).as("row groups").isGreaterThan(1);
        assertThat(oursFooter.getFileMetaData().getSchema()).isEqualTo(kernelsFooter.getFileMetaData().getSchema());

        assertThat(DeltaTables.rows(ours)).isEqualTo(DeltaTables.rows(kernels));
    }

    @Test
    void kernelDataSkippingUsesTheLoadersStatistics() throws Exception {
        Path table = DeltaTables.freshDir("skipping");
        Schema schema = new Schema(List.of(RandomArrowData.field("id", "int64"),
                RandomArrowData.field("name", "utf8")));
        try (Loader loader = DeltaTables.loader(table, Map.of("optimize_after_write", false));
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
            for (int load = 0; load < 2; load++) {
                root.allocateNew();
                BigIntVector id = (BigIntVector) root.getVector(0);
                VarCharVector name = (VarCharVector) root.getVector(1);
                for (int r = 0; r < 1000; r++) {
                    id.setSafe(r, load * 1000L + r);
                    name.setSafe(r, ((load == 0 ? "a" : "m") + r).getBytes(StandardCharsets.UTF_8));
                }
                root.setRowCount(1000);
                loader.loadBatch(root, "skipping", LoadMode.APPEND);
            }
        }
        assertThat(scanFiles(table, null)).isEqualTo(2);
        assertThat(scanFiles(table, new Predicate(">=", new Column("id"), Literal.ofLong(1500)))).isEqualTo(1);
        assertThat(scanFiles(table, new Predicate("<", new Column("id"), Literal.ofLong(0)))).isZero();
        assertThat(scanFiles(table, new Predicate("=", new Column("name"), Literal.ofString("m5")))).isEqualTo(1);
    }

    private static long scanFiles(Path table, Predicate filter) throws IOException {
        var builder = DeltaTables.snapshot(table).getScanBuilder();
        Scan scan = (filter == null ? builder : builder.withFilter(filter)).build();
        long n = 0;
        try (CloseableIterator<FilteredColumnarBatch> it = scan.getScanFiles(DeltaTables.ENGINE)) {
            while (it.hasNext()) {
                try (CloseableIterator<Row> rows = it.next().getRows()) {
                    while (rows.hasNext()) {
                        rows.next();
                        n++;
                    }
                }
            }
        }
        return n;
    }

    /** What the loader did before it had its own writer: Kernel's default Parquet writer over Arrow views. */
    private static void writeWithKernelsWriter(Path table, GeneratedReader reader) throws IOException {
        Configuration conf = new Configuration();
        conf.set("parquet.compression", "snappy");
        conf.set("parquet.block.size", ROW_GROUP_BYTES);
        Engine engine = DefaultEngine.create(conf);
        StructType schema = ArrowDeltaTypes.toDelta(reader.getVectorSchemaRoot().getSchema());
        Transaction txn = Table.forPath(engine, table.toString())
                .createTransactionBuilder(engine, "parity-test", Operation.CREATE_TABLE)
                .withSchema(engine, schema).build(engine);
        Row state = txn.getTransactionState(engine);
        DataWriteContext context = Transaction.getWriteContext(engine, state, Map.of());
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        CloseableIterator<FilteredColumnarBatch> logical = new CloseableIterator<>() {
            private Boolean ready;

            @Override
            public boolean hasNext() {
                if (ready == null) {
                    try {
                        ready = reader.loadNextBatch();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                return ready;
            }

            @Override
            public FilteredColumnarBatch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ready = null;
                ColumnVector[] views = new ColumnVector[schema.length()];
                for (int i = 0; i < views.length; i++) {
                    views[i] = ArrowColumnVectors.view(root.getVector(i), schema.at(i).getDataType(), 0,
                            root.getRowCount());
                }
                return new FilteredColumnarBatch(new ArrowColumnarBatch(schema, views, root.getRowCount()),
                        Optional.empty());
            }

            @Override
            public void close() {
            }
        };
        List<Row> actions = new ArrayList<>();
        try (CloseableIterator<DataFileStatus> files = engine.getParquetHandler().writeParquetFiles(
                context.getTargetDirectory(), Transaction.transformLogicalData(engine, state, logical, Map.of()),
                context.getStatisticsColumns());
             CloseableIterator<Row> adds = Transaction.generateAppendActions(engine, state, files, context)) {
            while (adds.hasNext()) {
                actions.add(adds.next());
            }
        }
        txn.commit(engine, CloseableIterable.inMemoryIterable(DeltaLoader.toIterator(actions)));
    }

    /** The parsed {@code stats} of every add action of version 0. */
    private static List<JsonNode> addStats(Path table) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> stats = new ArrayList<>();
        for (String line : Files.readAllLines(table.resolve("_delta_log").resolve(String.format("%020d.json", 0)))) {
            JsonNode add = json.readTree(line).get("add");
            if (add != null) {
                stats.add(json.readTree(add.get("stats").asText()));
            }
        }
        return stats;
    }

    private static ParquetMetadata footer(Path table) throws IOException {
        List<Path> files = DeltaTables.dataFiles(table);
        assertThat(files).hasSize(1);
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(files.get(0).toUri()), new Configuration()))) {
            return r.getFooter();
        }
    }
}
