package org.loadperf.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.loadperf.api.loader.LoaderException;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loader's HikariCP pool and its {@link Watchdog}: hands out watched connections, takes them back (evicting the
 * ones the watchdog aborted), and turns driver failures into messages that name the server and never a secret.
 */
final class PgConnections implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgConnections.class);
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    private final PostgresLoaderConfig config;
    private final HikariDataSource pool;
    private final Watchdog watchdog;
    private volatile boolean closed;

    PgConnections(PostgresLoaderConfig config) {
        this.config = config;
        HikariConfig hc = new HikariConfig();
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        hc.setJdbcUrl("jdbc:postgresql://" + host + ":" + config.port() + "/"
                + URLEncoder.encode(config.database(), StandardCharsets.UTF_8));
        hc.setUsername(config.user());
        if (!config.password().isEmpty()) {
            hc.setPassword(config.password());
        }
        hc.setPoolName("loadperf-postgres-" + POOL_IDS.incrementAndGet());
        hc.setMaximumPoolSize(config.maxConnections());
        hc.setMinimumIdle(1);
        // Waiting for a pooled connection is one more call bounded by the load timeout.
        long poolWaitMillis = Math.max(250L, config.loadTimeoutSeconds() * 1000L);
        hc.setConnectionTimeout(poolWaitMillis);
        hc.setValidationTimeout(Math.min(5000L, poolWaitMillis));
        driverProperties(config).forEach(hc::addDataSourceProperty);
        this.watchdog = new Watchdog(config.loadTimeoutSeconds(), config.server());
        try {
            this.pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new LoaderException("Cannot connect to PostgreSQL at " + config.address() + " (database '"
                    + config.database() + "', user '" + config.user() + "'): " + rootMessage(e));
        }
    }

    /**
     * pgJDBC's timeouts, unless {@code connection_params} sets them: connecting and logging in each take at most
     * {@code connect_timeout_seconds} (a frozen server accepts TCP connections but never answers the login), and
     * no read waits for ever (a backstop behind the watchdog, which fires first and also ends stuck writes).
     */
    private static Map<String, String> driverProperties(PostgresLoaderConfig config) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("connectTimeout", String.valueOf(config.connectTimeoutSeconds()));
        p.put("loginTimeout", String.valueOf(config.connectTimeoutSeconds()));
        p.put("socketTimeout", String.valueOf(config.loadTimeoutSeconds() + config.connectTimeoutSeconds()));
        p.putAll(config.connectionParams());
        return p;
    }

    PostgresLoaderConfig config() {
        return config;
    }

    HikariDataSource pool() {
        return pool;
    }

    /** A pooled connection; waits at most load_timeout_seconds (HikariCP's connectionTimeout). */
    Connection connection() throws SQLException {
        if (closed) {
            throw new LoaderException("The PostgreSQL loader is closed");
        }
        try {
            return pool.getConnection();
        } catch (SQLTransientConnectionException e) {
            throw new Watchdog.ServerTimeoutException("no connection to PostgreSQL at " + config.server()
                    + " within load_timeout_seconds (" + config.loadTimeoutSeconds() + " s): all "
                    + config.maxConnections() + " pooled connections are in use or the server does not answer ("
                    + rootMessage(e) + ")", e);
        }
    }

    /** A pooled connection under the watchdog; give it back with {@link #release}. */
    Watchdog.Watch watched() throws SQLException {
        return watchdog.watch(connection());
    }

    static void execute(Connection conn, String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    static void rollbackQuietly(Watchdog.Watch watch) {
        if (watch == null || watch.aborted()) {
            return;
        }
        Connection conn = watch.connection();
        try {
            if (!conn.isClosed() && !conn.getAutoCommit()) {
                watch.run("rolling back", conn::rollback);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Rollback failed", e);
        }
    }

    /** Cancels an open COPY after a failure; a connection already aborted by the watchdog is left alone. */
    static void cancelQuietly(Watchdog.Watch watch, CopyIn copy) {
        if (watch.aborted()) {
            return;
        }
        try {
            watch.run("cancelling the COPY", copy::cancelCopy);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Cancelling COPY failed", e);
        }
    }

    /**
     * Returns the connection to the pool, or evicts it when the watchdog aborted it (HikariCP must not hand out a
     * closed connection, and closing it through the pool would only log errors).
     */
    void release(Watchdog.Watch watch) {
        Connection conn = watch.connection();
        if (!watch.aborted()) {
            try {
                watch.run("returning a connection to the pool", conn::close);
                return;
            } catch (SQLException | RuntimeException e) {
                LOG.debug("Closing a connection failed", e);
            }
            if (!watch.aborted()) {
                return;
            }
        }
        pool.evictConnection(conn);
    }

    /** Why a call failed, in one line naming the server; the driver's words withheld when a secret is in them. */
    String reason(Throwable e) {
        if (e instanceof Watchdog.ServerTimeoutException) {
            return oneLine(e.getMessage());
        }
        if (e instanceof ParallelTarget.WorkerFailedIo) {
            return "a parallel COPY worker failed";
        }
        if (e instanceof SQLException s && s.getSQLState() != null
                && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P"))) {
            return "the connection to PostgreSQL at " + config.address() + " was lost (" + driverText(s.getMessage())
                    + ")";
        }
        if (e instanceof IOException) {
            return "I/O error talking to PostgreSQL at " + config.address() + " (" + driverText(e.getMessage()) + ")";
        }
        return driverText(e.getMessage());
    }

    /** The cause to attach to a LoaderException: {@code e}, or a copy without the secrets in its text. */
    Throwable safeCause(Throwable e) {
        return config.secrets().safeCause(e);
    }

    private String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return driverText(t.getMessage() != null ? t.getMessage() : t.toString());
    }

    /** The driver's or server's words on one line, withheld whole when a secret stands in them. */
    private String driverText(String message) {
        return config.secrets().detail(oneLine(message));
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\n\\s*", " ").trim();
    }

    @Override
    public void close() {
        closed = true;
        pool.close();
    }

    boolean closed() {
        return closed;
    }
}
