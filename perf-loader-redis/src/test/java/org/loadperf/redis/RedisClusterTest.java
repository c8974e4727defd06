package org.loadperf.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.resps.Tuple;

/** Loads into a real three-primary Redis Cluster started from the embedded Redis binary. */
class RedisClusterTest {

    private static RedisTestCluster cluster;
    private static BufferAllocator allocator;

    @BeforeAll
    static void start() {
        cluster = RedisTestCluster.start();
        allocator = new RootAllocator();
    }

    @AfterAll
    static void stop() {
        allocator.close();
        cluster.close();
    }

    private static Loader loader(Map<String, Object> extra) {
        var config = cluster.loaderConfig();
        for (var e : extra.entrySet()) {
            config = config.with(e.getKey(), e.getValue());
        }
        return new RedisLoaderProvider().create(config);
    }

    private static RedisClusterClient client() {
        return RedisClusterClient.create(new HashSet<>(List.of(new HostAndPort(cluster.nodes().get(0).host(),
                cluster.nodes().get(0).port()))));
    }

    @Test
    void hashesAreSpreadOverThePrimariesAndReadBackIntact() throws Exception {
        int rows = 300;
        try (VectorSchemaRoot root = TestTables.mixed(allocator, rows);
             ArrowReader reader = Expected.reader(allocator, root, 128);
             Loader loader = loader(Map.of("batch_size", 100, "pipeline_size", 64))) {
            LoadResult r = loader.loadTable(reader, "cl_hash", LoadMode.APPEND);
            assertThat(r.rowsLoaded()).isEqualTo(rows);
            assertThat(r.metadata()).containsEntry("cluster", true).containsEntry("batches_processed", 5L);
        }
        long total = 0;
        for (RedisTestServer node : cluster.nodes()) {
            try (Jedis j = node.jedis()) {
                long n = j.dbSize();
                assertThat(n).as("keys on %s", node).isPositive();
                total += n;
            }
        }
        // The rows and the table's registry of written keys.
        assertThat(total).isEqualTo(rows + 1);
        try (RedisClusterClient c = client()) {
            for (int i = 0; i < rows; i++) {
                Map<String, byte[]> actual = new HashMap<>();
                c.hgetAll(("cl_hash:" + i).getBytes(StandardCharsets.UTF_8))
                        .forEach((k, v) -> actual.put(new String(k, StandardCharsets.UTF_8), v));
                Map<String, byte[]> expected = Expected.fields(i);
                assertThat(actual.keySet()).isEqualTo(expected.keySet());
                for (String f : expected.keySet()) {
                    assertThat(actual.get(f)).as("row %d %s", i, f).isEqualTo(expected.get(f));
                }
            }
        }
    }

    @Test
    void overwriteScansEveryPrimaryAndRemovesOnlyTheTablesKeys() {
        try (VectorSchemaRoot big = TestTables.mixed(allocator, 120);
             VectorSchemaRoot small = TestTables.mixed(allocator, 5);
             Loader loader = loader(Map.of("data_structure", "string", "ttl", 120))) {
            loader.loadBatch(big, "cl_ow", LoadMode.APPEND);
            loader.loadBatch(big, "cl_ow2", LoadMode.APPEND);
            LoadResult r = loader.loadBatch(small, "cl_ow", LoadMode.OVERWRITE);
            assertThat(r.metadata()).containsEntry("keys_unlinked", 120L);
        }
        try (RedisClusterClient c = client()) {
            for (int i = 0; i < 120; i++) {
                assertThat(c.exists("cl_ow:" + i)).as("cl_ow:%d", i).isEqualTo(i < 5);
                assertThat(c.exists("cl_ow2:" + i)).isTrue();
            }
            assertThat(Expected.parse(c.get("cl_ow:3".getBytes(StandardCharsets.UTF_8)))).isEqualTo(Expected.json(3));
            assertThat(c.pttl("cl_ow:3")).isBetween(1L, 120_000L);
        }
    }

    @Test
    void overwriteRemovesOnlyKeysTheTableWroteOnEveryPrimary() {
        Map<String, byte[]> decoys = new java.util.LinkedHashMap<>();
        try (RedisClusterClient c = client()) {
            for (int i = 0; i < 40; i++) {
                for (String key : List.of("users:archive:" + i, "users:" + i + ":extra", "users_x:" + i)) {
                    c.hset(key, "k", "decoy");
                    decoys.put(key, c.dump(key));
                }
            }
        }
        // Their different names spread the decoys over the slots, and so over every primary.
        for (RedisTestServer node : cluster.nodes()) {
            try (Jedis j = node.jedis()) {
                assertThat(j.dbSize()).as("keys on %s", node).isPositive();
            }
        }
        assertThat(decoys).hasSize(120);
        try (VectorSchemaRoot first = RedisOwnershipTest.keyed(allocator, "a:b", "1", "2:x", "archive", "c");
             VectorSchemaRoot second = RedisOwnershipTest.keyed(allocator, "1", "z:");
             Loader loader = loader(Map.of("key_pattern", "{table}:{k}", "pipeline_size", 2))) {
            loader.loadBatch(first, "users", LoadMode.APPEND);
            LoadResult r = loader.loadBatch(second, "users", LoadMode.OVERWRITE);
            assertThat(r.metadata()).containsEntry("keys_unlinked", 5L);
        }
        try (RedisClusterClient c = client()) {
            decoys.forEach((key, dump) -> assertThat(c.dump(key)).as("decoy %s", key).isEqualTo(dump));
            assertThat(c.exists("users:1")).isTrue();
            assertThat(c.exists("users:z:")).isTrue();
            assertThat(c.exists("users:a:b")).isFalse();
            assertThat(c.exists("users:2:x")).isFalse();
            assertThat(c.smembers("users" + RedisLoader.REGISTRY_SUFFIX)).containsExactlyInAnyOrder("users:1", "users:z:");
            // Leaves the cluster as it found it, for the tests that count its keys.
            decoys.keySet().forEach(c::unlink);
            List.of("users:1", "users:z:", "users" + RedisLoader.REGISTRY_SUFFIX).forEach(c::unlink);
        }
    }

    @Test
    void sortedSetGoesToItsOneSlot() {
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 50);
             Loader loader = loader(Map.of("data_structure", "sorted_set", "score_field", "id"))) {
            loader.loadBatch(root, "cl_z", LoadMode.OVERWRITE);
        }
        try (RedisClusterClient c = client()) {
            List<Tuple> members = c.zrangeWithScores("cl_z:zset".getBytes(StandardCharsets.UTF_8), 0, -1);
            assertThat(members).hasSize(50);
            assertThat(members.get(49).getScore()).isEqualTo(49.0);
            assertThat(Expected.parse(members.get(49).getBinaryElement())).isEqualTo(Expected.json(49));
        }
    }
}
