package org.loadperf.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.loadperf.api.loader.LoaderConfig;
import redis.clients.jedis.Jedis;

/**
 * A real Redis Cluster of three primaries on loopback ports, each an embedded Redis ({@code cluster-enabled yes}),
 * joined with {@code CLUSTER MEET} and given a third of the 16384 slots each with {@code CLUSTER ADDSLOTS}, so it
 * runs wherever the embedded binary runs (no redis-cli needed). The caller closes it.
 */
public final class RedisTestCluster implements AutoCloseable {

    private static final int SLOTS = 16_384;

    private final List<RedisTestServer> nodes;

    private RedisTestCluster(List<RedisTestServer> nodes) {
        this.nodes = nodes;
    }

    /** Starts three primaries and waits until the cluster reports {@code cluster_state:ok} on every node. */
    public static RedisTestCluster start() {
        List<RedisTestServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(RedisTestServer.startEmbedded(List.of("cluster-enabled yes",
                        "cluster-config-file nodes.conf", "cluster-node-timeout 5000")));
            }
            for (int i = 0; i < 3; i++) {
                int from = SLOTS * i / 3;
                int to = SLOTS * (i + 1) / 3;
                try (Jedis j = nodes.get(i).jedis()) {
                    j.clusterAddSlots(IntStream.range(from, to).toArray());
                    for (RedisTestServer other : nodes) {
                        if (other != nodes.get(i)) {
                            j.clusterMeet(other.host(), other.port());
                        }
                    }
                }
            }
            RedisTestCluster cluster = new RedisTestCluster(nodes);
            cluster.awaitOk(Duration.ofSeconds(30));
            return cluster;
        } catch (RuntimeException | Error e) {
            nodes.forEach(RedisTestServer::close);
            throw e;
        }
    }

    private void awaitOk(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            for (RedisTestServer n : nodes) {
                try (Jedis j = n.jedis()) {
                    last = j.clusterInfo();
                    ok &= last.contains("cluster_state:ok") && last.contains("cluster_known_nodes:3")
                            && last.contains("cluster_slots_assigned:16384");
                }
            }
            if (ok) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("Redis Cluster not ok after " + timeout + ": " + last);
    }

    /** The primaries. */
    public List<RedisTestServer> nodes() {
        return nodes;
    }

    /** {@code host:port,...} of every node, for {@code cluster_nodes}. */
    public String clusterNodes() {
        return nodes.stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
    }

    /** A redis loader configuration for this cluster. */
    public LoaderConfig loaderConfig() {
        return LoaderConfig.of(java.util.Map.of("cluster_nodes", clusterNodes()));
    }

    @Override
    public void close() {
        nodes.forEach(RedisTestServer::close);
    }
}
