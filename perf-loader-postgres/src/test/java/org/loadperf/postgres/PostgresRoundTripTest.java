package org.loadperf.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.postgres.ArrowKinds.Kind;

/**
 * Property-style round trips: random schemas drawn from every supported Arrow type, random values with NULLs,
 * extremes and unicode, loaded through the real loader and read back through JDBC, equal value by value. Each seed
 * is a separate, reproducible case.
 */
class PostgresRoundTripTest {

    private static PostgresTestServer server;
    private static BufferAllocator allocator;
    private static final List<String> TABLES = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = PostgresTestServer.shared();
        allocator = new RootAllocator();
    }

    @AfterAll
    static void stop() throws Exception {
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            for (String t : TABLES) {
                st.execute("DROP TABLE IF EXISTS " + TablePlan.quote(t));
            }
        }
        allocator.close();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30})
    void random_schema_round_trips(long seed) throws Exception {
        Random r = new Random(seed);
        List<Kind> pool = ArrowKinds.all(r);
        List<Kind> kinds = new ArrayList<>();
        for (int i = 2 + r.nextInt(8); i > 0; i--) {
            kinds.add(pool.get(r.nextInt(pool.size())));
        }
        roundTrip(r, kinds, seed);
    }

    @Test
    void every_type_round_trips_in_one_table() throws Exception {
        Random r = new Random(42);
        roundTrip(r, ArrowKinds.all(r), 42);
    }

    private void roundTrip(Random r, List<Kind> kinds, long seed) throws Exception {
        List<Field> fields = new ArrayList<>();
        fields.add(new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null));
        for (int i = 0; i < kinds.size(); i++) {
            fields.add(kinds.get(i).field("c" + i + "_" + kinds.get(i).name));
        }
        Schema schema = new Schema(fields);
        int batches = 1 + r.nextInt(3);
        List<List<Object[]>> data = new ArrayList<>();
        long id = 0;
        for (int b = 0; b < batches; b++) {
            List<Object[]> rows = new ArrayList<>();
            for (int n = r.nextInt(250); n > 0; n--) {
                Object[] row = new Object[kinds.size() + 1];
                row[0] = id++;
                for (int c = 0; c < kinds.size(); c++) {
                    row[c + 1] = r.nextInt(7) == 0 ? null : kinds.get(c).random(r);
                }
                rows.add(row);
            }
            data.add(rows);
        }
        List<Consumer<VectorSchemaRoot>> fillers = new ArrayList<>();
        for (List<Object[]> rows : data) {
            fillers.add(root -> {
                for (int i = 0; i < rows.size(); i++) {
                    Object[] row = rows.get(i);
                    ((BigIntVector) root.getVector(0)).setSafe(i, (Long) row[0]);
                    for (int c = 0; c < kinds.size(); c++) {
                        if (row[c + 1] == null) {
                            root.getVector(c + 1).setNull(i);
                        } else {
                            kinds.get(c).set(root.getVector(c + 1), i, row[c + 1]);
                        }
                    }
                }
                root.setRowCount(rows.size());
            });
        }
        String table = PostgresTestServer.uniqueName("rt" + seed);
        TABLES.add(table);
        int batchSize = 1 + r.nextInt(150);
        try (Loader loader = new PostgresLoaderProvider().create(server.loaderConfig()
                .with("batch_size", batchSize).with("max_connections", 2));
             BatchReader reader = new BatchReader(allocator, schema, fillers)) {
            LoadResult result = loader.loadTable(reader, table, LoadMode.APPEND);
            assertThat(result.rowsLoaded()).isEqualTo(id);
        }
        try (Connection c = server.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM " + TablePlan.quote(table) + " ORDER BY id")) {
            long expectedId = 0;
            List<Object[]> all = data.stream().flatMap(List::stream).toList();
            while (rs.next()) {
                Object[] row = all.get((int) expectedId);
                assertThat(rs.getLong(1)).isEqualTo(expectedId);
                for (int k = 0; k < kinds.size(); k++) {
                    Kind kind = kinds.get(k);
                    Object stored = rs.getObject(k + 2) == null ? null : kind.read(rs, k + 2);
                    Object expected = row[k + 1] == null ? null : kind.expected(row[k + 1]);
                    if (!Objects.equals(stored, expected)) {
                        throw new AssertionError("seed " + seed + ", row " + expectedId + ", column "
                                + fields.get(k + 1).getName() + " (" + fields.get(k + 1).getType() + "): stored "
                                + stored + " but expected " + expected);
                    }
                }
                expectedId++;
            }
            assertThat(expectedId).as("rows read back").isEqualTo(id);
        }
    }
}
