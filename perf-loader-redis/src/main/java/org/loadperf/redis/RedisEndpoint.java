package org.loadperf.redis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.loadperf.api.loader.LoaderException;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The server side of a load: one Redis server through a {@link JedisPool}, or a Redis Cluster through
 * {@link JedisCluster} and its cluster pipelines. Both are pooled ({@code max_connections}).
 */
abstract class RedisEndpoint implements AutoCloseable {

    /** A pipeline and what gives its connection back. */
    record PipelineHandle(AbstractPipeline pipeline, AutoCloseable release) implements AutoCloseable {
        @Override
        public void close() {
            try {
                release.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static RedisEndpoint open(RedisLoaderConfig config) {
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(Math.toIntExact(config.connectTimeout().toMillis()))
                .socketTimeoutMillis(Math.toIntExact(config.socketTimeout().toMillis()))
                .ssl(config.ssl())
                .clientName("loadperf-redis-loader")
                .serverDefaultProtocol();
        if (config.user() != null) {
            client.user(config.user());
        }
        if (config.password() != null) {
            client.password(config.password());
        }
        if (!config.cluster()) {
            client.database(config.db());
        }
        return config.cluster() ? new ClusterEndpoint(config, client.build()) : new StandaloneEndpoint(config, client.build());
    }

    /** A new pipeline on a pooled connection. */
    abstract PipelineHandle pipeline();

    /** Checks the server answers (and accepts the credentials). */
    abstract void ping();

    /** Whether the server knows {@code command} (e.g. {@code JSON.SET}, from a module). */
    abstract boolean hasCommand(String command);

    /**
     * Unlinks every key matching {@code glob} of Redis type {@code type}, scanning and unlinking pipelined.
     *
     * @return how many keys were unlinked
     */
    abstract long unlinkMatching(byte[] glob, String type, int pipelineSize);

    /** Unlinks one key; 1 when it existed. */
    abstract long unlink(byte[] key);

    @Override
    public abstract void close();

    static boolean commandKnown(Jedis jedis, String command) {
        Object reply = jedis.sendCommand(Protocol.Command.COMMAND, "INFO", command);
        return reply instanceof List<?> l && !l.isEmpty() && l.get(0) != null;
    }

    static <T> GenericObjectPoolConfig<T> poolConfig(int max) {
        GenericObjectPoolConfig<T> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(max);
        pool.setMaxIdle(max);
        pool.setMinIdle(0);
        pool.setJmxEnabled(false);
        return pool;
    }

    /** Collects the keys of one node matching glob/type. */
    static List<byte[]> scanPage(Jedis jedis, byte[][] cursor, byte[] glob, String type) {
        ScanParams params = new ScanParams().match(glob).count(1000);
        ScanResult<byte[]> page = jedis.scan(cursor[0], params, type.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        cursor[0] = page.getCursorAsBytes();
        return page.getResult();
    }

    static boolean scanDone(byte[][] cursor) {
        return cursor[0].length == 1 && cursor[0][0] == '0';
    }

    private static final class StandaloneEndpoint extends RedisEndpoint {
        private final JedisPool pool;

        StandaloneEndpoint(RedisLoaderConfig config, JedisClientConfig client) {
            this.pool = new JedisPool(poolConfig(config.maxConnections()),
                    new HostAndPort(config.host(), config.port()), client);
        }

        @Override
        PipelineHandle pipeline() {
            Jedis jedis = pool.getResource();
            Pipeline p = jedis.pipelined();
            return new PipelineHandle(p, () -> {
                try {
                    p.close();
                } finally {
                    jedis.close();
                }
            });
        }

        @Override
        void ping() {
            try (Jedis jedis = pool.getResource()) {
                jedis.ping();
            }
        }

        @Override
        boolean hasCommand(String command) {
            try (Jedis jedis = pool.getResource()) {
                return commandKnown(jedis, command);
            }
        }

        @Override
        long unlinkMatching(byte[] glob, String type, int pipelineSize) {
            long unlinked = 0;
            try (Jedis scanner = pool.getResource(); PipelineHandle handle = pipeline()) {
                byte[][] cursor = {ScanParams.SCAN_POINTER_START_BINARY};
                List<redis.clients.jedis.Response<Long>> replies = new ArrayList<>();
                do {
                    List<byte[]> keys = scanPage(scanner, cursor, glob, type);
                    if (!keys.isEmpty()) {
                        replies.add(handle.pipeline().unlink(keys.toArray(new byte[0][])));
                    }
                    if (replies.size() >= Math.max(1, pipelineSize / 1000)) {
                        handle.pipeline().sync();
                        for (var r : replies) {
                            unlinked += r.get();
                        }
                        replies.clear();
                    }
                } while (!scanDone(cursor));
                handle.pipeline().sync();
                for (var r : replies) {
                    unlinked += r.get();
                }
            }
            return unlinked;
        }

        @Override
        long unlink(byte[] key) {
            try (Jedis jedis = pool.getResource()) {
                return jedis.unlink(key);
            }
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    private static final class ClusterEndpoint extends RedisEndpoint {
        private final JedisCluster cluster;

        ClusterEndpoint(RedisLoaderConfig config, JedisClientConfig client) {
            this.cluster = new JedisCluster(new HashSet<>(config.clusterNodes()), client,
                    RedisEndpoint.<Connection>poolConfig(config.maxConnections()));
        }

        @Override
        PipelineHandle pipeline() {
            AbstractPipeline p = cluster.pipelined();
            return new PipelineHandle(p, p::close);
        }

        @Override
        void ping() {
            for (ConnectionPool pool : cluster.getClusterNodes().values()) {
                try (Connection c = pool.getResource()) {
                    c.ping();
                }
            }
        }

        @Override
        boolean hasCommand(String command) {
            for (ConnectionPool pool : primaries()) {
                try (Connection c = pool.getResource()) {
                    if (!commandKnown(new Jedis(c), command)) {
                        return false;
                    }
                }
            }
            return true;
        }

        @Override
        long unlinkMatching(byte[] glob, String type, int pipelineSize) {
            long unlinked = 0;
            for (ConnectionPool pool : primaries()) {
                try (Connection c = pool.getResource(); PipelineHandle handle = pipeline()) {
                    Jedis scanner = new Jedis(c);
                    byte[][] cursor = {ScanParams.SCAN_POINTER_START_BINARY};
                    List<redis.clients.jedis.Response<Long>> replies = new ArrayList<>();
                    do {
                        // One key per UNLINK: the keys of one node may lie in different slots.
                        for (byte[] key : scanPage(scanner, cursor, glob, type)) {
                            replies.add(handle.pipeline().unlink(key));
                        }
                        if (replies.size() >= pipelineSize) {
                            handle.pipeline().sync();
                            for (var r : replies) {
                                unlinked += r.get();
                            }
                            replies.clear();
                        }
                    } while (!scanDone(cursor));
                    handle.pipeline().sync();
                    for (var r : replies) {
                        unlinked += r.get();
                    }
                }
            }
            return unlinked;
        }

        @Override
        long unlink(byte[] key) {
            return cluster.unlink(key);
        }

        private List<ConnectionPool> primaries() {
            List<ConnectionPool> out = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (Map.Entry<String, ConnectionPool> e : cluster.getClusterNodes().entrySet()) {
                try (Connection c = e.getValue().getResource()) {
                    List<Object> role = new Jedis(c).role();
                    String kind = role.isEmpty() ? "" : role.get(0) instanceof byte[] b
                            ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(role.get(0));
                    if ("master".equals(kind) && seen.add(e.getKey())) {
                        out.add(e.getValue());
                    }
                }
            }
            return out;
        }

        @Override
        public void close() {
            cluster.close();
        }
    }
}
