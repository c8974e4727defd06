package org.loadperf.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;

/**
 * A load only ever removes keys that it wrote: decoy keys of neighbouring tables, of every Redis type and named
 * like this table's keys (including key values holding ':'), survive every mode of every structure.
 */
class RedisOwnershipTest {

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
        prefix = "lpown_" + UUID.randomUUID().toString().substring(0, 8) + "_";
    }

    @AfterEach
    void cleanUp() {
        server.deleteKeys(prefix);
    }

    /** Rows keyed by {@code k} (utf8, may hold ':'), with a value column. */
    static VectorSchemaRoot keyed(BufferAllocator allocator, String... keys) {
        VarCharVector k = new VarCharVector("k", allocator);
        BigIntVector v = new BigIntVector("v", allocator);
        k.allocateNew();
        v.allocateNew();
        for (int i = 0; i < keys.length; i++) {
            k.setSafe(i, keys[i].getBytes(StandardCharsets.UTF_8));
            v.setSafe(i, i);
        }
        VectorSchemaRoot root = new VectorSchemaRoot(List.of(k, v));
        root.setRowCount(keys.length);
        return root;
    }

    /**
     * Plants decoys around table {@code users}: its name followed by ':' and more parts, other tables sharing its
     * name as a prefix, the bare name, a key without the pattern, each Redis type; returns each key's DUMP.
     */
    static Map<String, byte[]> plantDecoys(Jedis j, String users) {
        Map<String, String> kinds = new LinkedHashMap<>();
        String[] types = {"hash", "string", "set", "zset", "list", "stream"};
        for (int i = 0; i < types.length; i++) {
            kinds.put(users + ":archive:" + i, types[i]);
            kinds.put(users + ":" + i + ":extra", types[i]);
            kinds.put(users + "_x:" + i, types[i]);
            kinds.put(users + ":archive:" + types[i], types[i]);
        }
        kinds.put(users + ":archive:zset:zset", "zset");
        kinds.put(users + ":1:extra:hash", "hash");
        kinds.put(users, "string");
        kinds.put(users + ":", "hash");
        kinds.put(users + "nopattern", "string");
        Map<String, byte[]> dumps = new LinkedHashMap<>();
        kinds.forEach((key, type) -> {
            switch (type) {
                case "hash" -> j.hset(key, "k", "decoy");
                case "string" -> j.set(key, "decoy");
                case "set" -> j.sadd(key, "decoy");
                case "zset" -> j.zadd(key, 1, "decoy");
                case "list" -> j.rpush(key, "decoy");
                default -> j.xadd(key, StreamEntryID.NEW_ENTRY, Map.of("k", "decoy"));
            }
            dumps.put(key, j.dump(key));
        });
        return dumps;
    }

    static void assertDecoysIntact(Jedis j, Map<String, byte[]> decoys, String when) {
        decoys.forEach((key, dump) -> assertThat(j.dump(key)).as("decoy %s after %s", key, when).isEqualTo(dump));
    }

    private Loader loader(DataStructure structure) {
        LoaderConfig config = server.loaderConfig().with("data_structure", structure.configName())
                .with("key_pattern", "{table}:{k}").with("pipeline_size", 3).with("batch_size", 2);
        return new RedisLoaderProvider().create(config);
    }

    @ParameterizedTest
    @EnumSource(value = DataStructure.class, names = {"HASH", "STRING", "SORTED_SET", "SET", "LIST", "STREAM"})
    void everyModeKeepsEveryKeyOfOtherTables(DataStructure structure) throws IOException {
        String users = prefix + "users";
        try (Jedis j = server.jedis();
             VectorSchemaRoot first = keyed(allocator, "a:b", "1", "2:x", "archive");
             VectorSchemaRoot second = keyed(allocator, "1", "z:", "q");
             Loader loader = loader(structure)) {
            Map<String, byte[]> decoys = plantDecoys(j, users);
            for (LoadMode mode : loader.supportedModes()) {
                loader.loadBatch(first, users, mode);
                assertDecoysIntact(j, decoys, mode + " loadBatch");
                try (ArrowReader reader = Expected.reader(allocator, second, 2)) {
                    LoadResult r = loader.loadTable(reader, users, mode);
                    assertThat(r.rowsLoaded()).isEqualTo(3);
                }
                assertDecoysIntact(j, decoys, mode + " loadTable");
            }
            assertThat(loader.supportedModes()).contains(LoadMode.OVERWRITE);
            // The last load was an OVERWRITE: only its own rows are left of the table.
            if (structure.perRowKey()) {
                for (String k : List.of("a:b", "2:x", "archive")) {
                    assertThat(j.exists(users + ":" + k)).as("old row %s", k).isFalse();
                }
                for (String k : List.of("1", "z:", "q")) {
                    assertThat(j.exists(users + ":" + k)).as("new row %s", k).isTrue();
                }
            } else {
                String key = users + ":" + structure.aggregateSuffix();
                long n = switch (structure) {
                    case SORTED_SET -> j.zcard(key);
                    case SET -> j.scard(key);
                    case LIST -> j.llen(key);
                    default -> j.xlen(key);
                };
                assertThat(n).isEqualTo(3);
            }
            // A table named like the decoys' prefix, overwritten, also keeps the others' keys.
            try (VectorSchemaRoot third = keyed(allocator, "7", "8:9")) {
                loader.loadBatch(third, users + ":archive", LoadMode.OVERWRITE);
                loader.loadBatch(third, users + ":archive", LoadMode.OVERWRITE);
            }
            decoys.keySet().removeIf(k -> k.equals(users + ":archive:" + structure.aggregateSuffix()));
            assertDecoysIntact(j, decoys, "OVERWRITE of table users:archive");
        }
    }
}
