package org.loadperf.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The server side of a load: one Redis server through a {@link RedisClient} (its pooled connections carry the
 * windowed pipelines), or a Redis Cluster through a {@link RedisClusterClient} and its cluster pipelines. Both pool
 * {@code max_connections} connections (per node for a cluster).
 */
abstract class RedisEndpoint implements AutoCloseable {

    static RedisEndpoint open(RedisLoaderConfig config) {
        DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(Math.toIntExact(config.connectTimeout().toMillis()))
                .socketTimeoutMillis(Math.toIntExact(config.socketTimeout().toMillis()))
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
        if (config.ssl()) {
            enableTls(client);
        }
        return config.cluster() ? new ClusterEndpoint(config, client.build()) : new StandaloneEndpoint(config, client.build());
    }

    /** TLS with the JVM's default trust store (Jedis deprecates this plain switch in favour of SslOptions). */
    @SuppressWarnings("deprecation")
    private static void enableTls(DefaultJedisClientConfig.Builder client) {
        client.ssl(true);
    }

    /** A new command pipeline of {@code size} on pooled connections; closing it gives them back. */
    abstract CommandPipeline pipeline(int size);

    /** Checks the server answers (and accepts the credentials). */
    abstract void ping();

    /** Whether the server knows {@code command} (e.g. {@code JSON.SET}, from a module). */
    abstract boolean hasCommand(String command);

    /**
     * Unlinks every key matching {@code glob} of Redis type {@code type}, scanning and unlinking pipelined.
     *
     * @return how many keys were unlinked
     */
    abstract long unlinkMatching(byte[] glob, String type);

    /** Unlinks one key; 1 when it existed. */
    abstract long unlink(byte[] key);

    @Override
    public abstract void close();

    private static boolean commandKnown(Connection c, String command) {
        Object reply = c.executeCommand(new CommandArguments(Protocol.Command.COMMAND).add("INFO").add(command));
        return reply instanceof List<?> l && !l.isEmpty() && l.get(0) != null;
    }

    static <T> GenericObjectPoolConfig<T> poolConfig(int max) {
        GenericObjectPoolConfig<T> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(max);
        pool.setMaxIdle(max);
        pool.setMinIdle(0);
        pool.setJmxEnabled(false);
        // An exhausted pool fails instead of waiting forever.
        pool.setMaxWait(java.time.Duration.ofSeconds(30));
        return pool;
    }

    /**
     * SCANs one node for keys matching {@code glob} of {@code type} and UNLINKs them through {@code pipeline}: each
     * round trip carries the UNLINK of one page together with the SCAN of the next.
     *
     * @param keyPerCommand one key per UNLINK (a cluster node's keys may lie in different slots)
     */
    static long scanAndUnlink(Pipeline pipeline, byte[] glob, String type, boolean keyPerCommand) {
        ScanParams params = new ScanParams().match(glob).count(1000);
        byte[] typeBytes = type.getBytes(StandardCharsets.UTF_8);
        Response<ScanResult<byte[]>> page = pipeline.scan(ScanParams.SCAN_POINTER_START_BINARY, params, typeBytes);
        pipeline.sync();
        List<Response<Long>> unlinks = new ArrayList<>();
        long unlinked = 0;
        while (true) {
            ScanResult<byte[]> result = page.get();
            List<byte[]> keys = result.getResult();
            if (!keys.isEmpty()) {
                if (keyPerCommand) {
                    keys.forEach(k -> unlinks.add(pipeline.unlink(k)));
                } else {
                    unlinks.add(pipeline.unlink(keys.toArray(new byte[0][])));
                }
            }
            boolean done = result.isCompleteIteration();
            if (!done) {
                page = pipeline.scan(result.getCursorAsBytes(), params, typeBytes);
            }
            pipeline.sync();
            for (Response<Long> r : unlinks) {
                unlinked += r.get();
            }
            unlinks.clear();
            if (done) {
                return unlinked;
            }
        }
    }

    private static final class StandaloneEndpoint extends RedisEndpoint {
        private final RedisClient client;

        StandaloneEndpoint(RedisLoaderConfig config, JedisClientConfig clientConfig) {
            this.client = RedisClient.builder().hostAndPort(config.host(), config.port()).clientConfig(clientConfig)
                    .poolConfig(RedisEndpoint.<Connection>poolConfig(config.maxConnections())).build();
        }

        @Override
        CommandPipeline pipeline(int size) {
            Connection connection = client.getPool().getResource();
            return CommandPipeline.windowed(connection, size, connection::close);
        }

        @Override
        void ping() {
            client.ping();
        }

        @Override
        boolean hasCommand(String command) {
            try (Connection c = client.getPool().getResource()) {
                return commandKnown(c, command);
            }
        }

        @Override
        long unlinkMatching(byte[] glob, String type) {
            try (Connection connection = client.getPool().getResource(); Pipeline pipeline = new Pipeline(connection)) {
                return scanAndUnlink(pipeline, glob, type, false);
            }
        }

        @Override
        long unlink(byte[] key) {
            return client.unlink(key);
        }

        @Override
        public void close() {
            client.close();
        }
    }

    private static final class ClusterEndpoint extends RedisEndpoint {
        private final RedisClusterClient cluster;

        ClusterEndpoint(RedisLoaderConfig config, JedisClientConfig clientConfig) {
            this.cluster = RedisClusterClient.builder().nodes(new HashSet<>(config.clusterNodes()))
                    .clientConfig(clientConfig).poolConfig(RedisEndpoint.<Connection>poolConfig(config.maxConnections()))
                    .build();
        }

        @Override
        CommandPipeline pipeline(int size) {
            AbstractPipeline p = cluster.pipelined();
            return CommandPipeline.clustered(p, size, p::close);
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
                    if (!commandKnown(c, command)) {
                        return false;
                    }
                }
            }
            return true;
        }

        @Override
        long unlinkMatching(byte[] glob, String type) {
            long unlinked = 0;
            for (ConnectionPool pool : primaries()) {
                try (Connection c = pool.getResource(); Pipeline pipeline = new Pipeline(c)) {
                    unlinked += scanAndUnlink(pipeline, glob, type, true);
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
                    Object reply = c.executeCommand(new CommandArguments(Protocol.Command.ROLE));
                    Object first = reply instanceof List<?> l && !l.isEmpty() ? l.get(0) : null;
                    String kind = first instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(first);
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
