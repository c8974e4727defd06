package org.loadperf.core.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PerfDatasetsTest {

    private final BufferAllocator allocator = new RootAllocator();

    @AfterEach
    void close() {
        allocator.close();
    }

    @Test
    void performanceRowsFollowTheGuidesFormulas() throws IOException {
        try (ArrowReader reader = PerfDatasets.performance(allocator, 1000, 300)) {
            long seen = 0;
            int batches = 0;
            while (reader.loadNextBatch()) {
                VectorSchemaRoot root = reader.getVectorSchemaRoot();
                batches++;
                for (int r = 0; r < root.getRowCount(); r++) {
                    long i = seen + r;
                    assertThat(((BigIntVector) root.getVector("id")).get(r)).isEqualTo(i);
                    assertThat(((VarCharVector) root.getVector("user_id")).getObject(r).toString())
                            .isEqualTo("user_" + (i % 1000));
                    assertThat(((Float8Vector) root.getVector("value")).get(r)).isEqualTo(i * 0.123);
                    assertThat(((VarCharVector) root.getVector("category")).getObject(r).toString())
                            .isEqualTo("cat_" + (i % 100));
                    assertThat(((VarCharVector) root.getVector("description")).getObject(r).toString())
                            .isEqualTo("Description for item " + i);
                    assertThat(((BigIntVector) root.getVector("score")).get(r)).isEqualTo(i * 10);
                    assertThat(((BitVector) root.getVector("active")).get(r) == 1).isEqualTo(i % 2 == 0);
                    assertThat(((BigIntVector) root.getVector("year")).get(r)).isEqualTo(i < 800 ? 2024 : 2023);
                    assertThat(((BigIntVector) root.getVector("month")).get(r)).isEqualTo((i / 100) % 12 + 1);
                    long micros = ((TimeStampMicroTZVector) root.getVector("timestamp")).get(r);
                    assertThat(Instant.ofEpochSecond(micros / 1_000_000))
                            .isEqualTo(Instant.parse("2024-01-01T00:00:00Z").plusSeconds(i));
                }
                seen += root.getRowCount();
            }
            assertThat(seen).isEqualTo(1000);
            assertThat(batches).isEqualTo(4);
        }
    }

    @Test
    void sameRowsEveryTime() throws IOException {
        assertThat(digest(PerfDatasets.performance(allocator, 5000, 1024)))
                .isEqualTo(digest(PerfDatasets.performance(allocator, 5000, 777)));
    }

    private static String digest(ArrowReader reader) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (reader) {
            while (reader.loadNextBatch()) {
                sb.append(reader.getVectorSchemaRoot().contentToTSVString());
            }
        }
        return sb.toString().replaceAll("(?m)^id\t.*\n", "");
    }

    @Test
    void memoryIsBoundedByTheBatchNotTheRows() throws IOException {
        // Ten times the rows, the same batch: only the longer numbers in "description" may cost more.
        assertThat(peakFor(200_000)).isLessThanOrEqualTo(peakFor(20_000) * 3 / 2);
    }

    private long peakFor(long rows) throws IOException {
        try (BufferAllocator child = allocator.newChildAllocator("gen", 0, Long.MAX_VALUE);
             ArrowReader reader = PerfDatasets.performance(child, rows, 10_000)) {
            long n = 0;
            while (reader.loadNextBatch()) {
                n += reader.getVectorSchemaRoot().getRowCount();
            }
            assertThat(n).isEqualTo(rows);
            return child.getPeakMemoryAllocation();
        }
    }

    @Test
    void mediumAndSmallTables() throws IOException {
        try (ArrowReader medium = PerfDatasets.medium(allocator); ArrowReader small = PerfDatasets.small(allocator)) {
            assertThat(medium.loadNextBatch()).isTrue();
            VectorSchemaRoot root = medium.getVectorSchemaRoot();
            assertThat(root.getRowCount()).isEqualTo(10_000);
            assertThat(root.getVector("category").getObject(4).toString()).isEqualTo("B");
            int day = ((DateDayVector) root.getVector("created_date")).get(400);
            assertThat(LocalDate.ofEpochDay(day)).isEqualTo(LocalDate.of(2024, 1, 1).plusDays(400 % 365));
            assertThat(((BigIntVector) root.getVector("year")).get(400)).isEqualTo(2024);
            assertThat(medium.loadNextBatch()).isFalse();
            assertThat(small.loadNextBatch()).isTrue();
            assertThat(small.getVectorSchemaRoot().getRowCount()).isEqualTo(100);
        }
    }

    @Test
    void recordedDatasetReplaysWithoutCopying() throws IOException {
        try (ArrowReader source = PerfDatasets.performance(allocator, 25_000, 10_000);
             BufferAllocator keep = allocator.newChildAllocator("keep", 0, Long.MAX_VALUE);
             RecordedDataset data = RecordedDataset.record(source, keep)) {
            assertThat(data.rows()).isEqualTo(25_000);
            assertThat(data.batchCount()).isEqualTo(3);
            for (int replay = 0; replay < 2; replay++) {
                try (BufferAllocator iteration = allocator.newChildAllocator("it", 0, Long.MAX_VALUE);
                     ArrowReader reader = data.reader(iteration)) {
                    long rows = 0;
                    while (reader.loadNextBatch()) {
                        VectorSchemaRoot root = reader.getVectorSchemaRoot();
                        assertThat(((BigIntVector) root.getVector("id")).get(0)).isEqualTo(rows);
                        rows += root.getRowCount();
                    }
                    assertThat(rows).isEqualTo(25_000);
                    assertThat(iteration.getPeakMemoryAllocation()).isLessThan(data.bytes() / 10);
                }
            }
        }
    }
}
