package org.loadperf.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.core.settings.PerfSettings;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.embedded.RedisServer;

/**
 * A Redis server for tests: the one named by {@code REDIS_HOST} (with {@code REDIS_PORT}, {@code REDIS_DB},
 * {@code REDIS_PASSWORD}, read through perf-core's {@link PerfSettings}: system properties, environment,
 * {@code .env.test}), or else an embedded Redis (com.github.codemonstur embedded-redis, a Redis 6.2 binary that needs
 * OpenSSL 3) on a free loopback port, started once per JVM and stopped at its exit. Published in this module's
 * test-jar for other modules' tests.
 *
 * <p>Tests share the server: each must use its own key prefix and must never flush the database.
 */
public final class RedisTestServer implements AutoCloseable {

    private static RedisTestServer shared;

    private final String host;
    private final int port;
    private final int db;
    private final String password;
    private final RedisServer embedded;
    private final Path dir;

    private RedisTestServer(String host, int port, int db, String password, RedisServer embedded, Path dir) {
        this.host = host;
        this.port = port;
        this.db = db;
        this.password = password;
        this.embedded = embedded;
        this.dir = dir;
    }

    /** The server shared by all tests of this JVM: {@code REDIS_HOST}'s, or an embedded one started on first use. */
    public static synchronized RedisTestServer shared() {
        if (shared == null) {
            Optional<String> host = setting("REDIS_HOST");
            if (host.isPresent()) {
                shared = new RedisTestServer(host.get(), Integer.parseInt(setting("REDIS_PORT").orElse("6379")),
                        Integer.parseInt(setting("REDIS_DB").orElse("0")), setting("REDIS_PASSWORD").orElse(null),
                        null, null);
            } else {
                shared = startEmbedded(List.of());
                RedisTestServer server = shared;
                Runtime.getRuntime().addShutdownHook(new Thread(server::close, "embedded-redis-stop"));
            }
        }
        return shared;
    }

    /**
     * A new embedded Redis on a free loopback port with extra {@code redis.conf} lines (e.g.
     * {@code requirepass secret}, {@code cluster-enabled yes}); the caller closes it.
     */
    public static RedisTestServer startEmbedded(List<String> settings) {
        try {
            Path dir = Files.createTempDirectory("loadperf-redis-");
            int port = freePort();
            var builder = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("dir " + dir)
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .setting("protected-mode no");
            String password = null;
            for (String s : settings) {
                builder.setting(s);
                if (s.startsWith("requirepass ")) {
                    password = s.substring("requirepass ".length()).trim();
                }
            }
            RedisServer server = builder.build();
            try {
                server.start();
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("embedded Redis did not start on port " + port + " (its binary needs"
                        + " OpenSSL 3 (libssl.so.3); or set REDIS_HOST to use a running server): " + e.getMessage(), e);
            }
            return new RedisTestServer("127.0.0.1", port, 0, password, server, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Host of the server. */
    public String host() {
        return host;
    }

    /** Port of the server. */
    public int port() {
        return port;
    }

    /** Database index the tests use. */
    public int db() {
        return db;
    }

    /** The server's password, or null when it has none. */
    public String password() {
        return password;
    }

    /** Whether this JVM started the server (false when it is {@code REDIS_HOST}'s). */
    public boolean embedded() {
        return embedded != null;
    }

    /** A redis loader configuration for this server (host, port, db, password when one is set). */
    public LoaderConfig loaderConfig() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("host", host);
        values.put("port", port);
        values.put("db", db);
        if (password != null) {
            values.put("password", password);
        }
        return LoaderConfig.of(values);
    }

    /** A new connection to this server's database (authenticated); the caller closes it. */
    public Jedis jedis() {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().serverDefaultProtocol().database(db)
                .socketTimeoutMillis(30_000);
        if (password != null) {
            config.password(password);
        }
        return new Jedis(new HostAndPort(host, port), config.build());
    }

    /** Every key of this server's database starting with {@code prefix} (SCAN; for test assertions). */
    public List<String> keys(String prefix) {
        try (Jedis j = jedis()) {
            List<String> out = new ArrayList<>();
            var params = new redis.clients.jedis.params.ScanParams().match(prefix + "*").count(1000);
            String cursor = "0";
            do {
                var page = j.scan(cursor, params);
                out.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!"0".equals(cursor));
            return out;
        }
    }

    /** Unlinks every key starting with {@code prefix}: tests clean up after themselves without flushing. */
    public void deleteKeys(String prefix) {
        List<String> keys = keys(prefix);
        try (Jedis j = jedis()) {
            for (int i = 0; i < keys.size(); i += 1000) {
                j.unlink(keys.subList(i, Math.min(keys.size(), i + 1000)).toArray(new String[0]));
            }
        }
    }

    /** Stops an embedded server; nothing for an external one. */
    @Override
    public synchronized void close() {
        if (embedded != null && embedded.isActive()) {
            try {
                embedded.stop();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public String toString() {
        return (embedded() ? "embedded Redis" : "Redis") + " at " + host + ":" + port + "/" + db;
    }

    static Optional<String> setting(String name) {
        return PerfSettings.load().get(name).filter(s -> !s.isBlank());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    Path dir() {
        return dir;
    }
}
