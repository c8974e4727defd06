package org.loadperf.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.api.loader.LoaderProvider;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.resps.Tuple;

/** Loads into a real Redis (REDIS_HOST's or an embedded one) and reads every structure back. */
class RedisLoaderTest {

    private static RedisTestServer server;
    private static BufferAllocator allocator;
    private String prefix;

    @BeforeAll
    static void startServer() {
        server = RedisTestServer.shared();
        allocator = new RootAllocator();
    }

    @AfterAll
    static void closeAllocator() {
        allocator.close();
    }

    @BeforeEach
    void uniquePrefix() {
        prefix = "lprt_" + UUID.randomUUID().toString().substring(0, 8) + "_";
    }

    @AfterEach
    void cleanUp() {
        server.deleteKeys(prefix);
    }

    private Loader loader(Map<String, Object> extra) {
        LoaderConfig config = server.loaderConfig();
        for (var e : extra.entrySet()) {
            config = config.with(e.getKey(), e.getValue());
        }
        return new RedisLoaderProvider().create(config);
    }

    /** The keys of {@code table}'s rows: its keys without its registry. */
    private static List<String> rowKeys(String table) {
        return server.keys(table + ":").stream().filter(k -> !k.equals(table + RedisLoader.REGISTRY_SUFFIX)).toList();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void providerIsFoundThroughServiceLoader() {
        List<String> types = new ArrayList<>();
        ServiceLoader.load(LoaderProvider.class).forEach(p -> types.add(p.type()));
        assertThat(types).contains("redis");
    }

    @Test
    void hashRoundTripThroughLoadTableUsesBatchAndPipelineSizes() throws Exception {
        String table = prefix + "hash";
        int rows = 23;
        try (VectorSchemaRoot root = TestTables.mixed(allocator, rows);
             ArrowReader reader = Expected.reader(allocator, root, 10);
             Loader loader = loader(Map.of("batch_size", 4, "pipeline_size", 3))) {
            LoadResult result = loader.loadTable(reader, table, LoadMode.APPEND);
            assertThat(result.rowsLoaded()).isEqualTo(rows);
            assertThat(result.loaderType()).isEqualTo("redis");
            // Source batches of 10, 10, 3 rows, cut into batch_size 4: 4+4+2, 4+4+2, 3.
            assertThat(result.metadata()).containsEntry("batches_processed", 7L).containsEntry("rows_loaded", 23L)
                    .containsEntry("columns", 9).containsEntry("data_structure", "hash")
                    .containsEntry("commands_sent", 23L + 7 * 2);
            // Each batch first registers its keys (SADD, PERSIST; one sync), and ends with a sync; within a batch,
            // when a window of pipeline_size commands is complete the replies of the window before it are read: a
            // batch of n commands syncs max(0, n / 3 - 1) + 1 times.
            long expectedSyncs = 0;
            for (int n : new int[] {4, 4, 2, 4, 4, 2, 3}) {
                expectedSyncs += 1 + Math.max(0, n / 3 - 1) + 1;
            }
            assertThat((Long) result.metadata().get("pipeline_syncs")).isEqualTo(expectedSyncs);
            assertThat(result.bytes()).isPositive();
        }
        try (Jedis j = server.jedis()) {
            assertThat(rowKeys(table)).hasSize(rows);
            for (int i = 0; i < rows; i++) {
                Map<byte[], byte[]> hash = j.hgetAll(b(table + ":" + i));
                Map<String, byte[]> actual = new HashMap<>();
                hash.forEach((k, v) -> actual.put(new String(k, StandardCharsets.UTF_8), v));
                Map<String, byte[]> expected = Expected.fields(i);
                assertThat(actual.keySet()).as("fields of row %d", i).isEqualTo(expected.keySet());
                for (String f : expected.keySet()) {
                    assertThat(actual.get(f)).as("row %d field %s", i, f).isEqualTo(expected.get(f));
                }
            }
        }
    }

    @Test
    void windowsOfPipelineSizeBoundTheRepliesReadPerSync() {
        String table = prefix + "win";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 100);
             Loader windowed = loader(Map.of("pipeline_size", 10));
             Loader single = loader(Map.of("pipeline_size", 1))) {
            // The registry's SADD and PERSIST, synced; then 100 commands in windows of 10: 9 reads of a previous window
            // + the final sync.
            assertThat(windowed.loadBatch(root, table, LoadMode.APPEND).metadata())
                    .containsEntry("commands_sent", 102L).containsEntry("pipeline_syncs", 11L);
            // pipeline_size 1: one round trip per command.
            assertThat(single.loadBatch(root, table, LoadMode.APPEND).metadata())
                    .containsEntry("commands_sent", 102L).containsEntry("pipeline_syncs", 102L);
        }
        assertThat(rowKeys(table)).hasSize(100);
    }

    @Test
    void stringRoundTripStoresRowsAsJson() {
        String table = prefix + "str";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 12);
             Loader loader = loader(Map.of("data_structure", "string"))) {
            assertThat(loader.loadBatch(root, table, LoadMode.APPEND).rowsLoaded()).isEqualTo(12);
        }
        try (Jedis j = server.jedis()) {
            for (int i = 0; i < 12; i++) {
                assertThat(Expected.parse(j.get(b(table + ":" + i)))).as("row %d", i).isEqualTo(Expected.json(i));
            }
        }
    }

    @Test
    void sortedSetRoundTripScoresFromScoreFieldOrRowNumber() throws Exception {
        String table = prefix + "zs";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 15);
             Loader byAmount = loader(Map.of("data_structure", "sorted_set", "score_field", "amount"))) {
            byAmount.loadBatch(root, table, LoadMode.APPEND);
        }
        try (Jedis j = server.jedis()) {
            List<Tuple> members = j.zrangeWithScores(b(table + ":zset"), 0, -1);
            assertThat(members).hasSize(15);
            for (int i = 0; i < 15; i++) {
                assertThat(Expected.parse(members.get(i).getBinaryElement())).isEqualTo(Expected.json(i));
                assertThat(members.get(i).getScore()).isEqualTo(Expected.amount(i).doubleValue());
            }
        }
        String byRow = prefix + "zs2";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 9);
             ArrowReader reader = Expected.reader(allocator, root, 4);
             Loader loader = loader(Map.of("data_structure", "sorted_set", "batch_size", 3))) {
            loader.loadTable(reader, byRow, LoadMode.APPEND);
        }
        try (Jedis j = server.jedis()) {
            List<Tuple> members = j.zrangeWithScores(b(byRow + ":zset"), 0, -1);
            assertThat(members).extracting(Tuple::getScore).containsExactly(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0);
            assertThat(Expected.parse(members.get(8).getBinaryElement())).isEqualTo(Expected.json(8));
        }
    }

    @Test
    void setRoundTripWithUniqueFieldAndWithRowJson() {
        String table = prefix + "set";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 10);
             Loader unique = loader(Map.of("data_structure", "set", "unique_field", "payload"));
             Loader rows = loader(Map.of("data_structure", "set"))) {
            // payload is null in rows 3 and 7: the error names the row, and nothing is written.
            assertThatThrownBy(() -> unique.loadBatch(root, table, LoadMode.APPEND))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("row 3 of batch 1").hasMessageContaining("null 'payload'")
                    .hasMessageContaining("unique_field");
            assertThat(server.keys(table)).isEmpty();
            rows.loadBatch(root, table, LoadMode.APPEND);
        }
        try (Jedis j = server.jedis()) {
            List<JsonNode> members = j.smembers(b(table + ":set")).stream().map(Expected::parse).toList();
            List<JsonNode> expected = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                expected.add(Expected.json(i));
            }
            assertThat(members).containsExactlyInAnyOrderElementsOf(expected);
        }
        String byName = prefix + "set2";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 10);
             Loader unique = loader(Map.of("data_structure", "set", "unique_field", "name"))) {
            unique.loadBatch(root, byName, LoadMode.APPEND);
            unique.loadBatch(root, byName, LoadMode.APPEND);
        }
        try (Jedis j = server.jedis()) {
            List<String> members = j.smembers(b(byName + ":set")).stream()
                    .map(m -> new String(m, StandardCharsets.UTF_8)).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                expected.add(TestTables.name(i));
            }
            assertThat(members).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void listRoundTripKeepsRowOrder() throws Exception {
        String table = prefix + "list";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 11);
             ArrowReader reader = Expected.reader(allocator, root, 5);
             Loader loader = loader(Map.of("data_structure", "list", "pipeline_size", 2))) {
            loader.loadTable(reader, table, LoadMode.APPEND);
        }
        try (Jedis j = server.jedis()) {
            List<byte[]> items = j.lrange(b(table + ":list"), 0, -1);
            assertThat(items).hasSize(11);
            for (int i = 0; i < 11; i++) {
                assertThat(Expected.parse(items.get(i))).isEqualTo(Expected.json(i));
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void streamRoundTripOneEntryPerRow() {
        String table = prefix + "stream";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 8);
             Loader loader = loader(Map.of("data_structure", "stream"))) {
            loader.loadBatch(root, table, LoadMode.APPEND);
        }
        try (Jedis j = server.jedis()) {
            List<Object> entries = (List<Object>) j.sendCommand(Protocol.Command.XRANGE, b(table + ":stream"), b("-"), b("+"));
            assertThat(entries).hasSize(8);
            for (int i = 0; i < 8; i++) {
                List<Object> flat = (List<Object>) ((List<Object>) entries.get(i)).get(1);
                Map<String, byte[]> actual = new java.util.LinkedHashMap<>();
                for (int f = 0; f < flat.size(); f += 2) {
                    actual.put(new String((byte[]) flat.get(f), StandardCharsets.UTF_8), (byte[]) flat.get(f + 1));
                }
                Map<String, byte[]> expected = Expected.fields(i);
                assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
                int row = i;
                expected.forEach((k, v) -> assertThat(actual.get(k)).as("row %d %s", row, k).isEqualTo(v));
            }
        }
    }

    @Test
    void jsonNeedsRedisJsonAndStoresDocumentsWhereLoaded() {
        boolean hasJson;
        try (Jedis j = server.jedis()) {
            Object info = j.sendCommand(Protocol.Command.COMMAND, b("INFO"), b("JSON.SET"));
            hasJson = info instanceof List<?> l && !l.isEmpty() && l.get(0) != null;
        }
        if (!hasJson) {
            assertThatThrownBy(() -> loader(Map.of("data_structure", "json")))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("RedisJSON module")
                    .hasMessageContaining("JSON.SET");
            return;
        }
        String table = prefix + "json";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 6);
             Loader loader = loader(Map.of("data_structure", "json"))) {
            loader.loadBatch(root, table, LoadMode.APPEND);
        }
        try (Jedis j = server.jedis()) {
            for (int i = 0; i < 6; i++) {
                byte[] doc = (byte[]) j.sendCommand(() -> b("JSON.GET"), b(table + ":" + i));
                assertThat(Expected.parse(doc)).isEqualTo(Expected.json(i));
            }
        }
    }

    @Test
    void keyPatternTakesAnyColumnsIncludingUnicode() {
        String table = prefix + "kp";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 5);
             Loader loader = loader(Map.of("key_pattern", "{table}:{day}/{name}:{id}", "data_structure", "string"))) {
            loader.loadBatch(root, table, LoadMode.APPEND);
        }
        try (Jedis j = server.jedis()) {
            for (int i = 0; i < 5; i++) {
                String key = table + ":" + java.time.LocalDate.ofEpochDay(19_700 + i) + "/" + TestTables.name(i) + ":" + i;
                assertThat(j.get(b(key))).as(key).isNotNull();
                assertThat(Expected.parse(j.get(b(key)))).isEqualTo(Expected.json(i));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataStructure.class, names = {"HASH", "STRING", "SORTED_SET", "SET", "LIST", "STREAM"})
    void overwriteRemovesExactlyThisTablesKeys(DataStructure structure) {
        String table = prefix + "ow";
        String sibling = prefix + "ow_2";         // shares the table name as a prefix
        String globby = prefix + "o*";            // glob characters in a table name are literal
        Map<String, Object> cfg = Map.of("data_structure", structure.configName(), "pipeline_size", 4);
        try (Jedis j = server.jedis()) {
            j.set(prefix + "ow", "bare key named like the table");
            j.set(prefix + "owx:1", "other table");
            j.hset(prefix + "other:1", "id", "1");
        }
        try (VectorSchemaRoot big = TestTables.mixed(allocator, 20);
             VectorSchemaRoot small = TestTables.mixed(allocator, 3);
             Loader loader = loader(cfg)) {
            loader.loadBatch(big, table, LoadMode.APPEND);
            loader.loadBatch(big, sibling, LoadMode.APPEND);
            loader.loadBatch(small, globby, LoadMode.APPEND);
            List<String> before = server.keys(prefix);
            LoadResult r = loader.loadBatch(small, table, LoadMode.OVERWRITE);
            assertThat((Long) r.metadata().get("keys_unlinked")).isEqualTo(structure.perRowKey() ? 20L : 1L);
            // Overwriting the glob-named table removes only its own keys too.
            loader.loadBatch(small, globby, LoadMode.OVERWRITE);
            List<String> after = server.keys(prefix);
            assertThat(after).contains(table + RedisLoader.REGISTRY_SUFFIX);
            List<String> others = before.stream().filter(k -> !k.startsWith(table + ":")).toList();
            assertThat(after).containsAll(others);
            assertThat(rowKeys(table).size())
                    .isEqualTo(structure.perRowKey() ? 3 : 1);
        }
        try (Jedis j = server.jedis()) {
            long rows = switch (structure) {
                case HASH, STRING, JSON -> rowKeys(table).size();
                case SORTED_SET -> j.zcard(table + ":zset");
                case SET -> j.scard(table + ":set");
                case LIST -> j.llen(table + ":list");
                case STREAM -> j.xlen(table + ":stream");
            };
            assertThat(rows).isEqualTo(3);
            assertThat(j.get(prefix + "ow")).isEqualTo("bare key named like the table");
            assertThat(j.get(prefix + "owx:1")).isEqualTo("other table");
            assertThat(j.hget(prefix + "other:1", "id")).isEqualTo("1");
        }
    }

    @Test
    void withoutTheKeyRegistryRowsAreWrittenUnregisteredAndOverwriteIsRefusedBeforeAnyChange() {
        String table = prefix + "noreg";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 12);
             VectorSchemaRoot small = TestTables.mixed(allocator, 3);
             Loader registered = loader(Map.of());
             Loader unregistered = loader(Map.of("key_registry", false, "ttl", "60s", "batch_size", 5))) {
            registered.loadBatch(small, table, LoadMode.APPEND);
            LoadResult r = unregistered.loadBatch(root, table, LoadMode.APPEND);
            assertThat(r.rowsLoaded()).isEqualTo(12);
            // One HSET and one PEXPIRE per row, nothing for a registry.
            assertThat(r.metadata()).containsEntry("key_registry", false).containsEntry("commands_sent", 24L)
                    .doesNotContainKeys("stored_bytes", "stored_bytes_added");
            assertThat((Long) r.metadata().get("stored_bytes_written")).isPositive();
            try (Jedis j = server.jedis()) {
                assertThat(rowKeys(table)).hasSize(12);
                // The registry lists the three keys of the registered load only.
                assertThat(j.smembers(table + RedisLoader.REGISTRY_SUFFIX)).containsExactlyInAnyOrder(
                        table + ":0", table + ":1", table + ":2");
                assertThat(j.pttl(table + ":11")).isPositive();
                assertThat(j.pttl(table + RedisLoader.REGISTRY_SUFFIX)).isEqualTo(-1L);
            }
            assertThatThrownBy(() -> unregistered.loadBatch(small, table, LoadMode.OVERWRITE))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("key_registry is false")
                    .hasMessageContaining("'" + table + "'");
            assertThat(rowKeys(table)).hasSize(12);
        }
        // Structures with one key per table overwrite by that key's name: no registry needed.
        String list = prefix + "noreglist";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 7);
             VectorSchemaRoot small = TestTables.mixed(allocator, 2);
             Loader loader = loader(Map.of("key_registry", false, "data_structure", "list"))) {
            loader.loadBatch(root, list, LoadMode.APPEND);
            LoadResult r = loader.loadBatch(small, list, LoadMode.OVERWRITE);
            assertThat(r.metadata()).containsEntry("keys_unlinked", 1L);
            assertThat((Long) r.metadata().get("stored_bytes")).isPositive();
            try (Jedis j = server.jedis()) {
                assertThat(j.llen(list + ":list")).isEqualTo(2);
                assertThat(j.exists(list + RedisLoader.REGISTRY_SUFFIX)).isFalse();
            }
        }
    }

    @Test
    void loadTableOverwriteClearsOnceNotPerBatch() {
        String table = prefix + "once";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 30);
             Loader loader = loader(Map.of("batch_size", 7))) {
            loader.loadBatch(root, table, LoadMode.APPEND);
            try (ArrowReader reader = Expected.reader(allocator, root, 8)) {
                LoadResult r = loader.loadTable(reader, table, LoadMode.OVERWRITE);
                assertThat(r.metadata()).containsEntry("keys_unlinked", 30L);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        assertThat(rowKeys(table)).hasSize(30);
    }

    @Test
    void overwriteWithBadInputLosesNothingStored() throws Exception {
        String table = prefix + "keep";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 10);
             Loader good = loader(Map.of("max_connections", 1));
             Loader missingColumn = loader(Map.of("key_pattern", "{table}:{nope}"));
             Loader nullKey = loader(Map.of("key_pattern", "{table}:{qty}"))) {
            good.loadBatch(root, table, LoadMode.APPEND);
            assertThatThrownBy(() -> missingColumn.loadBatch(root, table, LoadMode.OVERWRITE))
                    .hasMessageContaining("'nope'");
            try (ArrowReader reader = Expected.reader(allocator, root, 10)) {
                assertThatThrownBy(() -> nullKey.loadTable(reader, table, LoadMode.OVERWRITE))
                        .hasMessageContaining("null 'qty'");
            }
            assertThat(rowKeys(table)).hasSize(10);
            // One pooled connection is enough for an overwrite: the clear and the load never hold two at once.
            LoadResult r = good.loadBatch(root, table, LoadMode.OVERWRITE);
            assertThat(r.metadata()).containsEntry("keys_unlinked", 10L);
        }
        assertThat(rowKeys(table)).hasSize(10);
    }

    @Test
    void ttlIsAppliedToEveryWrittenKey() {
        String table = prefix + "ttl";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 5);
             Loader hashes = loader(Map.of("ttl", 60));
             Loader list = loader(Map.of("ttl", "90500ms", "data_structure", "list"))) {
            // PEXPIRE goes into the same pipeline: one per key, one per batch for the list's single key, and one for the
            // registry (after its SADD, synced before the rows).
            assertThat(hashes.loadBatch(root, table, LoadMode.APPEND).metadata()).containsEntry("commands_sent", 12L)
                    .containsEntry("pipeline_syncs", 2L);
            assertThat(list.loadBatch(root, table, LoadMode.APPEND).metadata()).containsEntry("commands_sent", 8L);
        }
        try (Jedis j = server.jedis()) {
            for (int i = 0; i < 5; i++) {
                assertThat(j.pttl(table + ":" + i)).isBetween(1L, 60_000L);
            }
            // Milliseconds, not seconds; long enough that a busy machine's pause cannot expire it before the check.
            assertThat(j.pttl(table + ":list")).isBetween(60_001L, 90_500L);
        }
        String noTtl = prefix + "nottl";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 2); Loader loader = loader(Map.of())) {
            loader.loadBatch(root, noTtl, LoadMode.APPEND);
        }
        try (Jedis j = server.jedis()) {
            assertThat(j.pttl(noTtl + ":0")).isEqualTo(-1L);
        }
    }

    @Test
    void keyPatternNamingAMissingColumnListsTheColumns() {
        String table = prefix + "miss";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 3);
             Loader loader = loader(Map.of("key_pattern", "{table}:{user_id}"))) {
            assertThatThrownBy(() -> loader.loadBatch(root, table, LoadMode.APPEND))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("'user_id'")
                    .hasMessageContaining("id, name, price, flag, payload, ts, day, amount, qty");
        }
        assertThat(server.keys(table)).isEmpty();
    }

    @Test
    void nullKeyValueNamesTheRowAndWritesNothingOfTheBatch() {
        String table = prefix + "nullkey";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 10);
             Loader loader = loader(Map.of("key_pattern", "{table}:{qty}", "batch_size", 4))) {
            try (ArrowReader reader = Expected.reader(allocator, root, 10)) {
                // qty is null in rows 2, 5, 8: the first batch (rows 0-3) already fails at its row 2.
                assertThatThrownBy(() -> loader.loadTable(reader, table, LoadMode.APPEND))
                        .isInstanceOf(LoaderException.class)
                        .hasMessageContaining("row 2 of batch 1")
                        .hasMessageContaining("null 'qty'")
                        .hasMessageContaining("key_pattern");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        assertThat(server.keys(table)).isEmpty();
    }

    @Test
    void badInputFailsBeforeWritingAndNamesTheProblem() {
        String table = prefix + "bad";
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 3);
             Loader hash = loader(Map.of());
             Loader patternWithoutTable = loader(Map.of("key_pattern", "k:{id}"));
             Loader zset = loader(Map.of("data_structure", "sorted_set", "score_field", "name"));
             Loader zsetMissing = loader(Map.of("data_structure", "sorted_set", "score_field", "nope"))) {
            assertThatThrownBy(() -> hash.loadBatch(root, table, LoadMode.UPSERT))
                    .hasMessageContaining("supports modes [APPEND, OVERWRITE], not UPSERT");
            assertThatThrownBy(() -> patternWithoutTable.loadBatch(root, table, LoadMode.OVERWRITE))
                    .hasMessageContaining("needs a key_pattern containing {table}");
            assertThatThrownBy(() -> zset.loadBatch(root, table, LoadMode.APPEND))
                    .hasMessageContaining("score_field 'name'").hasMessageContaining("Utf8")
                    .hasMessageContaining("numeric");
            assertThatThrownBy(() -> zsetMissing.loadBatch(root, table, LoadMode.APPEND))
                    .hasMessageContaining("score_field 'nope'").hasMessageContaining("its columns are: id, name");
        }
        try (ListVector list = ListVector.empty("tags", allocator);
             VectorSchemaRoot nested = VectorSchemaRoot.of(list);
             Loader hash = loader(Map.of("key_pattern", "{table}:x"))) {
            nested.setRowCount(0);
            list.allocateNew();
            list.setValueCount(1);
            nested.setRowCount(1);
            assertThatThrownBy(() -> hash.loadBatch(nested, table, LoadMode.APPEND))
                    .hasMessageContaining("column 'tags'").hasMessageContaining("cannot encode");
        }
        assertThat(server.keys(table)).isEmpty();
    }

    @Test
    void serverRejectionNamesTheBatchAndTheReply() {
        String table = prefix + "wrongtype";
        try (Jedis j = server.jedis()) {
            j.set(table + ":list", "a string where the list should go");
        }
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 6);
             Loader loader = loader(Map.of("data_structure", "list", "pipeline_size", 4))) {
            assertThatThrownBy(() -> loader.loadBatch(root, table, LoadMode.APPEND))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("Redis rejected 6 of 6 commands of one pipeline sync in batch 1 (rows 1..6)")
                    .hasMessageContaining("WRONGTYPE")
                    .hasMessageContaining("table '" + table + "'");
        }
        // A rejection in the middle of a window: the connection goes back to the pool with no stale replies, so the
        // next load on the same single-connection pool reads its own replies.
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 25);
             Loader loader = loader(Map.of("data_structure", "list", "pipeline_size", 10, "max_connections", 1,
                     "batch_size", 25))) {
            assertThatThrownBy(() -> loader.loadBatch(root, table, LoadMode.APPEND))
                    .hasMessageContaining("Redis rejected 10 of 10 commands");
            try (Jedis j = server.jedis()) {
                j.del(table + ":list");
            }
            LoadResult ok = loader.loadBatch(root, table, LoadMode.APPEND);
            assertThat(ok.rowsLoaded()).isEqualTo(25);
            // measured on the one connection, not lost waiting for a second (the pool's 30 s, before)
            assertThat(ok.metadata()).containsKey("stored_bytes");
            assertThat((Long) ok.metadata().get("commands_sent")).as("counted before the connection went back")
                    .isPositive();
        }
        try (Jedis j = server.jedis()) {
            assertThat(j.llen(table + ":list")).isEqualTo(25);
        }
    }

    @Test
    void unreachableServerGivesAClearError() throws Exception {
        int closedPort = RedisTestServer.freePort();
        assertThatThrownBy(() -> new RedisLoaderProvider().create(LoaderConfig.of(Map.of("host", "127.0.0.1",
                "port", closedPort, "socket_connect_timeout", "500ms"))))
                .isInstanceOf(LoaderException.class)
                .hasMessageContaining("Redis at 127.0.0.1:" + closedPort);
    }
}
