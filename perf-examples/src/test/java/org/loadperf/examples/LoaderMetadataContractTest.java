package org.loadperf.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.core.dataset.PerfDatasets;
import org.loadperf.core.settings.PerfSettings;

/**
 * Every loader on the class path says the same thing under the same metadata key: {@code input_bytes} the Arrow
 * bytes of the rows it was given, {@code stored_bytes} (and the original's {@code table_size_bytes}) what the table
 * takes in the store, {@code stored_bytes_added} what this load added, {@code stored_bytes_per_row} that per row.
 * (Redis once reported the Arrow input as {@code table_size_bytes} where the others reported the stored size.)
 */
class LoaderMetadataContractTest {

    private static final String TABLE = "mem17_contract_" + Long.toString(System.nanoTime() & 0xffffffL, 36);

    @TempDir
    static Path work;
    static ComparedLoaders loaders;

    @BeforeAll
    static void start() {
        loaders = ComparedLoaders.discover(work, PerfSettings.load());
    }

    @AfterAll
    static void stop() {
        if (loaders != null) {
            try {
                loaders.targets().forEach(t -> t.drop(java.util.List.of(TABLE)));
            } finally {
                loaders.close();
            }
        }
    }

    @Test
    void everyLoaderReportsStoredAndInputBytesUnderTheSameKeys() throws Exception {
        assertThat(loaders.targets()).extracting(ComparedLoaders.Target::type)
                .contains("csv", "deltalake", "postgresql", "redis");
        int rows = 5_000;
        try (BufferAllocator allocator = new RootAllocator()) {
            for (ComparedLoaders.Target t : loaders.targets()) {
                LoadResult r;
                try (ArrowReader data = PerfDatasets.performance(allocator, rows, 1_000)) {
                    r = t.loader(TABLE).loadTable(data, TABLE, LoadMode.OVERWRITE);
                }
                Map<String, Object> m = r.metadata();
                String who = t.type();
                assertThat(m).as(who).containsKeys("input_bytes", "stored_bytes", "stored_bytes_added",
                        "stored_bytes_per_row", "table_size_bytes");
                assertThat(((Number) m.get("input_bytes")).longValue()).as(who + " input_bytes").isEqualTo(r.bytes());
                long stored = ((Number) m.get("stored_bytes")).longValue();
                long added = ((Number) m.get("stored_bytes_added")).longValue();
                assertThat(((Number) m.get("table_size_bytes")).longValue()).as(who + " table_size_bytes")
                        .isEqualTo(stored);
                assertThat(added).as(who + " stored_bytes_added").isPositive().isLessThanOrEqualTo(stored);
                assertThat((Double) m.get("stored_bytes_per_row")).as(who + " stored_bytes_per_row")
                        .isEqualTo((double) added / rows);
                // a second load appends (Redis overwrites the same rows' keys): the table holds at least what it had
                try (ArrowReader data = PerfDatasets.performance(allocator, rows, 1_000)) {
                    Map<String, Object> second = t.loader(TABLE).loadTable(data, TABLE, LoadMode.APPEND).metadata();
                    assertThat(((Number) second.get("stored_bytes")).doubleValue()).as(who + " after an append")
                            .isGreaterThanOrEqualTo(stored * 0.95);
                }
            }
        }
    }
}
