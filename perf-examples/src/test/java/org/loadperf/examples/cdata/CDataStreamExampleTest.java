package org.loadperf.examples.cdata;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.core.discovery.Loaders;
import org.loadperf.core.dataset.PerfDatasets;
import org.loadperf.core.dataset.RecordedDataset;

class CDataStreamExampleTest {

    @TempDir
    Path dir;

    @Test
    void importedBatchesWrapTheProducersBuffersWithoutACopy() throws Exception {
        try (BufferAllocator allocator = new RootAllocator();
             ArrowReader source = PerfDatasets.performance(allocator, 1_000, 1_000);
             RecordedDataset data = RecordedDataset.record(source, allocator)) {
            long producerIds;
            long producerText;
            try (ArrowReader peek = data.reader(allocator)) {
                peek.loadNextBatch();
                producerIds = ((BigIntVector) peek.getVectorSchemaRoot().getVector("id")).getDataBuffer()
                        .memoryAddress();
                producerText = ((VarCharVector) peek.getVectorSchemaRoot().getVector("description")).getDataBuffer()
                        .memoryAddress();
            }
            try (ArrowArrayStream stream = CDataStreamExample.export(allocator, data.reader(allocator));
                 ArrowReader imported = Data.importArrayStream(allocator, stream)) {
                assertThat(imported.loadNextBatch()).isTrue();
                VectorSchemaRoot batch = imported.getVectorSchemaRoot();
                assertThat(batch.getRowCount()).isEqualTo(1_000);
                assertThat(batch.getSchema()).isEqualTo(PerfDatasets.performanceSchema());
                // the same memory, not a copy of it
                assertThat(((BigIntVector) batch.getVector("id")).getDataBuffer().memoryAddress())
                        .isEqualTo(producerIds);
                assertThat(((VarCharVector) batch.getVector("description")).getDataBuffer().memoryAddress())
                        .isEqualTo(producerText);
                assertThat(((VarCharVector) batch.getVector("description")).getObject(999).toString())
                        .isEqualTo("Description for item 999");
                assertThat(imported.loadNextBatch()).isFalse();
            }
        }
    }

    @Test
    void aStreamFromNativeCodeIsLoadedByTheCustomLoader() throws Exception {
        try (BufferAllocator allocator = new RootAllocator();
             Loader csv = Loaders.create("csv", LoaderConfig.of(Map.of("directory", dir.toString())));
             ArrowArrayStream stream = CDataStreamExample.export(allocator,
                     PerfDatasets.performance(allocator, 25_000, 10_000))) {
            LoadResult r = CDataStreamExample.load(allocator, stream, csv, "events", LoadMode.OVERWRITE);
            assertThat(r.rowsLoaded()).isEqualTo(25_000);
            assertThat(r.metadata()).containsEntry("batches_processed", 3L);
        }
        List<String> lines = Files.readAllLines(dir.resolve("events.csv"));
        assertThat(lines).hasSize(25_001);
        assertThat(lines.get(25_000)).startsWith("24999,user_999,");
    }
}
