package org.loadperf.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.ClusterPipeline;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.providers.ClusterConnectionProvider;
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
        Watchdog watchdog = Watchdog.start(config.socketTimeout());
        try {
            return config.cluster() ? new ClusterEndpoint(config, client.build(), watchdog)
                    : new StandaloneEndpoint(config, client.build(), watchdog);
        } catch (RuntimeException e) {
            watchdog.close();
            throw e;
        }
    }

    /** Closes a connection whose call (a write to a server that stopped reading, above all) runs too long. */
    final Watchdog watchdog;

    RedisEndpoint(Watchdog watchdog) {
        this.watchdog = watchdog;
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
     * Runs {@code commands} pipelined, outside any load's pipeline, and returns their replies in order (a rejected
     * command's reply is its {@code JedisDataException}): the measurements of a load in one round trip on one server
     * instead of one per key.
     */
    abstract List<Object> executeAll(List<CommandArguments> commands);

    /** {@code MEMORY USAGE key}: the bytes the key and its value take on the server (a reply of 0 when it does not exist). */
    static CommandArguments memoryUsageCommand(byte[] key) {
        return new CommandArguments(Protocol.Command.MEMORY).add("USAGE").key(key).add("SAMPLES").add(MEMORY_SAMPLES);
    }

    /** {@code SCARD key}: the members of a set (a reply of 0 when it does not exist). */
    static CommandArguments setSizeCommand(byte[] key) {
        return new CommandArguments(Protocol.Command.SCARD).key(key);
    }

    /** A reply of {@link #memoryUsageCommand} or {@link #setSizeCommand} as a number; a rejection is thrown. */
    static long sizeReply(Object reply) {
        if (reply instanceof RuntimeException e) {
            throw e;
        }
        return reply instanceof Long n ? n : 0L;
    }

    /** Elements MEMORY USAGE samples of an aggregate value (its default 5 misjudges a set of rows of varying size). */
    private static final int MEMORY_SAMPLES = 64;

    /**
     * Unlinks every key listed in the set {@code registry} (SSCAN, a page at a time), then {@code extra} when not
     * null, then the registry itself.
     *
     * @return how many keys were unlinked, the registry not counted
     * @throws StalledException when a call ran longer than the watchdog's limit
     */
    abstract long unlinkRegistered(byte[] registry, byte[] extra);

    /** A call of an OVERWRITE's clear made no progress within the watchdog's limit; its connection was closed. */
    static final class StalledException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StalledException(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

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

    private static final byte[] COUNT = {'C', 'O', 'U', 'N', 'T'};
    private static final byte[] PAGE = {'1', '0', '0', '0'};

    static boolean done(byte[] cursor) {
        return cursor.length == 1 && cursor[0] == '0';
    }

    private static final class StandaloneEndpoint extends RedisEndpoint {
        private final RedisClient client;

        StandaloneEndpoint(RedisLoaderConfig config, JedisClientConfig clientConfig, Watchdog watchdog) {
            super(watchdog);
            this.client = RedisClient.builder().hostAndPort(config.host(), config.port()).clientConfig(clientConfig)
                    .poolConfig(RedisEndpoint.<Connection>poolConfig(config.maxConnections())).build();
        }

        @Override
        CommandPipeline pipeline(int size) {
            Connection connection = client.getPool().getResource();
            return CommandPipeline.windowed(connection, size, watchdog.guard(), connection::close);
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
        List<Object> executeAll(List<CommandArguments> commands) {
            try (Connection c = client.getPool().getResource()) {
                for (CommandArguments command : commands) {
                    c.sendCommand(command);
                }
                return c.getMany(commands.size());
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        long unlinkRegistered(byte[] registry, byte[] extra) {
            try (Connection c = client.getPool().getResource(); Watchdog.Guard guard = watchdog.guard()) {
                guard.watch(c::forceDisconnect);
                long unlinked = 0;
                byte[] cursor = {'0'};
                do {
                    List<Object> page = (List<Object>) call(c, guard, new CommandArguments(Protocol.Command.SSCAN)
                            .key(registry).add(cursor).add(COUNT).add(PAGE));
                    cursor = (byte[]) page.get(0);
                    List<Object> members = (List<Object>) page.get(1);
                    if (!members.isEmpty()) {
                        CommandArguments unlink = new CommandArguments(Protocol.Command.UNLINK);
                        members.forEach(m -> unlink.key((byte[]) m));
                        unlinked += (Long) call(c, guard, unlink);
                    }
                } while (!done(cursor));
                if (extra != null) {
                    unlinked += (Long) call(c, guard, new CommandArguments(Protocol.Command.UNLINK).key(extra));
                }
                call(c, guard, new CommandArguments(Protocol.Command.UNLINK).key(registry));
                return unlinked;
            }
        }

        private static Object call(Connection c, Watchdog.Guard guard, CommandArguments command) {
            guard.enter();
            try {
                return c.executeCommand(command);
            } catch (RuntimeException e) {
                throw guard.fired() ? new StalledException(e) : e;
            } finally {
                guard.exit();
            }
        }

        @Override
        public void close() {
            try {
                client.close();
            } finally {
                watchdog.close();
            }
        }
    }

    private static final class ClusterEndpoint extends RedisEndpoint {
        private final RedisClusterClient cluster;
        private final ClusterConnectionProvider provider;
        private final RedisProtocol protocol;

        ClusterEndpoint(RedisLoaderConfig config, JedisClientConfig clientConfig, Watchdog watchdog) {
            super(watchdog);
            this.provider = new ClusterConnectionProvider(new HashSet<>(config.clusterNodes()), clientConfig,
                    RedisEndpoint.<Connection>poolConfig(config.maxConnections()));
            this.protocol = clientConfig.getRedisProtocol();
            try {
                this.cluster = RedisClusterClient.builder().nodes(new HashSet<>(config.clusterNodes()))
                        .clientConfig(clientConfig).connectionProvider(provider).build();
            } catch (RuntimeException e) {
                provider.close();
                throw e;
            }
        }

        /** A cluster pipeline whose connections (one per node it writes to) the guard can close. */
        private ClusterPipeline guarded(Watchdog.Guard guard) {
            return new ClusterPipeline(provider, protocol) {
                @Override
                protected Connection getConnection(HostAndPort node) {
                    Connection c = super.getConnection(node);
                    guard.watch(c::forceDisconnect);
                    return c;
                }
            };
        }

        @Override
        List<Object> executeAll(List<CommandArguments> commands) {
            // The keys live in different slots: one call each, routed by the cluster client.
            List<Object> replies = new ArrayList<>(commands.size());
            for (CommandArguments command : commands) {
                try {
                    replies.add(cluster.executeCommand(command));
                } catch (redis.clients.jedis.exceptions.JedisDataException e) {
                    replies.add(e);
                }
            }
            return replies;
        }

        @Override
        CommandPipeline pipeline(int size) {
            Watchdog.Guard guard = watchdog.guard();
            AbstractPipeline p = guarded(guard);
            return CommandPipeline.clustered(p, size, guard, p::close);
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
        long unlinkRegistered(byte[] registry, byte[] extra) {
            // The registry lives in one slot; its members anywhere: SSCAN it there, UNLINK each member where it lives.
            try (Watchdog.Guard guard = watchdog.guard()) {
                long unlinked = 0;
                ScanParams params = new ScanParams().count(1000);
                byte[] cursor = ScanParams.SCAN_POINTER_START_BINARY;
                do {
                    ScanResult<byte[]> page = cluster.sscan(registry, cursor, params);
                    cursor = page.getCursorAsBytes();
                    unlinked += unlinkEach(page.getResult(), guard);
                } while (!done(cursor));
                if (extra != null) {
                    unlinked += unlinkEach(List.of(extra), guard);
                }
                unlinkEach(List.of(registry), guard);
                return unlinked;
            }
        }

        private long unlinkEach(List<byte[]> keys, Watchdog.Guard guard) {
            if (keys.isEmpty()) {
                return 0;
            }
            List<Response<Long>> replies = new ArrayList<>();
            guard.enter();
            try (ClusterPipeline p = guarded(guard)) {
                keys.forEach(k -> replies.add(p.unlink(k)));
                p.sync();
                long n = 0;
                for (Response<Long> r : replies) {
                    n += r.get();
                }
                return n;
            } catch (RuntimeException e) {
                throw guard.fired() ? new StalledException(e) : e;
            } finally {
                guard.exit();
            }
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
            try {
                cluster.close();
            } finally {
                watchdog.close();
            }
        }
    }
}
