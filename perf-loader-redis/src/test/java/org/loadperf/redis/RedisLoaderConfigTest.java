package org.loadperf.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loadperf.api.loader.ConfigKey;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;
import redis.clients.jedis.HostAndPort;

class RedisLoaderConfigTest {

    @Test
    void defaults() {
        RedisLoaderConfig c = RedisLoaderConfig.from(LoaderConfig.empty());
        assertThat(c.host()).isEqualTo("localhost");
        assertThat(c.port()).isEqualTo(6379);
        assertThat(c.db()).isZero();
        assertThat(c.password()).isNull();
        assertThat(c.user()).isNull();
        assertThat(c.ssl()).isFalse();
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.socketTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.maxConnections()).isEqualTo(20);
        assertThat(c.dataStructure()).isEqualTo(DataStructure.HASH);
        assertThat(c.keyPattern()).hasToString("{table}:{id}");
        assertThat(c.ttl()).isNull();
        assertThat(c.pipelineSize()).isEqualTo(1000);
        assertThat(c.batchSize()).isEqualTo(10_000);
        assertThat(c.scoreField()).isNull();
        assertThat(c.uniqueField()).isNull();
        assertThat(c.clusterNodes()).isEmpty();
        assertThat(c.cluster()).isFalse();
        assertThat(c.keyRegistry()).isTrue();
        // Every key is declared once, with a description.
        assertThat(RedisLoaderConfig.KEYS).extracting(ConfigKey::name).doesNotHaveDuplicates()
                .containsExactlyInAnyOrder("host", "port", "db", "password", "user", "ssl", "socket_connect_timeout",
                        "socket_timeout", "max_connections", "data_structure", "key_pattern", "ttl", "pipeline_size",
                        "batch_size", "score_field", "unique_field", "cluster_nodes", "key_registry");
        assertThat(RedisLoaderConfig.KEYS).allSatisfy(k -> assertThat(k.description()).isNotBlank());
        assertThat(new RedisLoaderProvider().configKeys()).isEqualTo(RedisLoaderConfig.KEYS);
    }

    @Test
    void fullExplicitMapping() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", "redis.example");
        m.put("port", "6380");
        m.put("db", 3);
        m.put("password", "s3cr3t-pw");
        m.put("user", "loader");
        m.put("ssl", "true");
        m.put("socket_connect_timeout", "250ms");
        m.put("socket_timeout", 2.5);
        m.put("max_connections", 7);
        m.put("data_structure", "SORTED_SET");
        m.put("key_pattern", "{table}:{user_id}:{id}");
        m.put("ttl", "90");
        m.put("pipeline_size", 500);
        m.put("batch_size", "2_000");
        m.put("score_field", "score");
        m.put("key_registry", "false");
        RedisLoaderConfig c = RedisLoaderConfig.from(LoaderConfig.of(m));
        assertThat(c.host()).isEqualTo("redis.example");
        assertThat(c.port()).isEqualTo(6380);
        assertThat(c.db()).isEqualTo(3);
        assertThat(c.password()).isEqualTo("s3cr3t-pw");
        assertThat(c.user()).isEqualTo("loader");
        assertThat(c.ssl()).isTrue();
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.socketTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.maxConnections()).isEqualTo(7);
        assertThat(c.dataStructure()).isEqualTo(DataStructure.SORTED_SET);
        assertThat(c.keyPattern().columns()).containsExactly("user_id", "id");
        assertThat(c.ttl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.pipelineSize()).isEqualTo(500);
        assertThat(c.batchSize()).isEqualTo(2000);
        assertThat(c.scoreField()).isEqualTo("score");
        assertThat(c.keyRegistry()).isFalse();
        assertThat(c.toString()).doesNotContain("s3cr3t-pw").contains("password=***");

        RedisLoaderConfig set = RedisLoaderConfig.from(LoaderConfig.of(Map.of("data_structure", "set",
                "unique_field", "user_id", "cluster_nodes", "10.0.0.1:7000, 10.0.0.2:7001")));
        assertThat(set.uniqueField()).isEqualTo("user_id");
        assertThat(set.clusterNodes()).containsExactly(new HostAndPort("10.0.0.1", 7000), new HostAndPort("10.0.0.2", 7001));
        assertThat(set.cluster()).isTrue();
        assertThat(RedisLoaderConfig.from(LoaderConfig.of(Map.of("cluster_nodes", List.of("h:1")))).clusterNodes())
                .containsExactly(new HostAndPort("h", 1));
    }

    @Test
    void everyProblemIsReportedByKey() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hots", "x");
        m.put("port", 0);
        m.put("pipeline_size", "many");
        m.put("key_registry", "sometimes");
        m.put("password", "hunter2-secret");
        assertThatThrownBy(() -> RedisLoaderConfig.from(LoaderConfig.of(m)))
                .isInstanceOf(LoaderException.class)
                .hasMessageContaining("Invalid RedisLoader configuration")
                .hasMessageContaining("unknown key 'hots'")
                .hasMessageContaining("'port'")
                .hasMessageContaining("'pipeline_size'")
                .hasMessageContaining("'key_registry'")
                .message().doesNotContain("hunter2-secret");

        assertThatThrownBy(() -> RedisLoaderConfig.from(LoaderConfig.of(Map.of("data_structure", "tree",
                "key_pattern", "{table}:{id", "ttl", "0", "cluster_nodes", "nohost", "db", 2))))
                .hasMessageContaining("'data_structure': expected one of hash, string, json, sorted_set, set, list, stream")
                .hasMessageContaining("'key_pattern': '{' without '}'")
                .hasMessageContaining("'ttl': must be at least 1 ms")
                .hasMessageContaining("'cluster_nodes': expected host:port, got 'nohost'");

        assertThatThrownBy(() -> RedisLoaderConfig.from(LoaderConfig.of(Map.of("cluster_nodes", "h:7000", "db", 2))))
                .hasMessageContaining("'db': Redis Cluster has only database 0");
        assertThatThrownBy(() -> RedisLoaderConfig.from(LoaderConfig.of(Map.of("score_field", "score"))))
                .hasMessageContaining("'score_field': applies only to data_structure sorted_set, not hash");
        assertThatThrownBy(() -> RedisLoaderConfig.from(LoaderConfig.of(Map.of("unique_field", "id",
                "data_structure", "list")))).hasMessageContaining("'unique_field': applies only to data_structure set");
    }

    @Test
    void keyPatternKnowsWhetherItNamesTheTable() {
        KeyPattern p = KeyPattern.parse("{table}:{user_id}:{id}");
        assertThat(p.containsTable()).isTrue();
        assertThat(KeyPattern.parse("user:{id}").containsTable()).isFalse();
        assertThatThrownBy(() -> KeyPattern.parse("a}b")).hasMessageContaining("'}' without '{'");
        assertThatThrownBy(() -> KeyPattern.parse("a{}b")).hasMessageContaining("empty or nested placeholder");
    }
}
