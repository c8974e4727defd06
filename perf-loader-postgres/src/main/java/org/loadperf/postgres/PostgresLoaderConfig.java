package org.loadperf.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.loadperf.api.loader.ConfigKey;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.api.loader.Secrets;

/**
 * The PostgreSQL loader's configuration: every key declared once with its default and description, parsed and
 * checked at creation. Keys are the guide's ({@code host}, {@code max_connections}, {@code batch_size}, ...).
 */
record PostgresLoaderConfig(String host, int port, String database, String user, String password,
                            int maxConnections, int batchSize, Map<String, String> connectionParams, String schema,
                            boolean createTable, List<String> keyColumns, int parallelism, int connectTimeoutSeconds,
                            int loadTimeoutSeconds, boolean unloggedTable, boolean copyFreeze) {

    static final ConfigKey<String> HOST = ConfigKey.string("host", null,
            "PostgreSQL server host name or address").required();
    static final ConfigKey<Integer> PORT = ConfigKey.integer("port", 5432, 1, 65535,
            "PostgreSQL server port");
    static final ConfigKey<String> DATABASE = ConfigKey.string("database", null,
            "database to load into").required();
    static final ConfigKey<String> USER = ConfigKey.string("user", null,
            "user to connect as").required();
    static final ConfigKey<String> PASSWORD = ConfigKey.string("password", "",
            "password of the user (empty: none, e.g. for trust authentication); never logged").secret();
    static final ConfigKey<Integer> MAX_CONNECTIONS = ConfigKey.integer("max_connections", 10, 1, 1000,
            "size of the HikariCP connection pool");
    static final ConfigKey<Integer> BATCH_SIZE = ConfigKey.integer("batch_size", 10_000, 1, 100_000_000,
            "rows per committed batch: loadTable re-chunks its input to this many rows per COPY and transaction");
    static final ConfigKey<Map<String, String>> CONNECTION_PARAMS = ConfigKey.map("connection_params",
            "extra pgJDBC connection properties, e.g. sslmode=require,ApplicationName=loader");
    static final ConfigKey<String> SCHEMA = ConfigKey.string("schema", "public",
            "schema holding the target tables");
    static final ConfigKey<Boolean> CREATE_TABLE = ConfigKey.bool("create_table", true,
            "create a missing target table from the Arrow schema (quoted identifiers)");
    static final ConfigKey<List<String>> KEY_COLUMNS = ConfigKey.list("key_columns", List.of(),
            "columns identifying a row for UPSERT (the table's primary key or a unique constraint)");
    static final ConfigKey<Integer> PARALLELISM = ConfigKey.integer("parallelism", 1, 1, 64,
            "pooled connections that COPY batches at once within one APPEND loadTable");
    static final ConfigKey<Integer> CONNECT_TIMEOUT_SECONDS = ConfigKey.integer("connect_timeout_seconds", 10, 1,
            3600, "longest wait for a new connection: TCP connect and login each (pgJDBC connectTimeout and"
                    + " loginTimeout, unless connection_params sets them)");
    static final ConfigKey<Integer> LOAD_TIMEOUT_SECONDS = ConfigKey.integer("load_timeout_seconds", 300, 1, 86_400,
            "longest time one call may wait on the server (a pooled connection, a statement, a COPY write, the end"
                    + " of a COPY, a commit); past it the connection is aborted and the load fails naming the"
                    + " server and the batch");
    static final ConfigKey<Boolean> UNLOGGED_TABLE = ConfigKey.bool("unlogged_table", false,
            "create a missing target table UNLOGGED: no WAL is written for its rows (faster), but PostgreSQL empties it"
                    + " after a crash and does not replicate it; an existing table keeps what it is");
    static final ConfigKey<Boolean> COPY_FREEZE = ConfigKey.bool("copy_freeze", false,
            "COPY ... (FREEZE) for OVERWRITE loads: rows are stored frozen (no later VACUUM rewrite, visible to every"
                    + " snapshot once committed); PostgreSQL allows it only into a table truncated in the same"
                    + " transaction, so any other mode fails before sending anything");

    /** pg_temp (this session's temporary schema), pg_temp_N and pg_toast_temp_N (some session's). */
    private static final Pattern TEMPORARY_SCHEMA = Pattern.compile("pg_(toast_)?temp(_[0-9]+)?");

    /** Every key, in documentation order. */
    static final List<ConfigKey<?>> KEYS = List.of(HOST, PORT, DATABASE, USER, PASSWORD, MAX_CONNECTIONS,
            BATCH_SIZE, CONNECTION_PARAMS, SCHEMA, CREATE_TABLE, KEY_COLUMNS, PARALLELISM, CONNECT_TIMEOUT_SECONDS,
            LOAD_TIMEOUT_SECONDS, UNLOGGED_TABLE, COPY_FREEZE);

    /**
     * Validates {@code config} (unknown keys, missing required keys and bad values are all reported at once, by
     * key) and returns the parsed values.
     */
    static PostgresLoaderConfig from(LoaderConfig config) {
        config.validate("PostgresLoader", KEYS);
        PostgresLoaderConfig c = new PostgresLoaderConfig(config.get(HOST), config.get(PORT), config.get(DATABASE),
                config.get(USER), config.get(PASSWORD), config.get(MAX_CONNECTIONS), config.get(BATCH_SIZE),
                config.get(CONNECTION_PARAMS), config.get(SCHEMA), config.get(CREATE_TABLE),
                config.get(KEY_COLUMNS), config.get(PARALLELISM), config.get(CONNECT_TIMEOUT_SECONDS),
                config.get(LOAD_TIMEOUT_SECONDS), config.get(UNLOGGED_TABLE), config.get(COPY_FREEZE));
        if (c.host.isBlank()) {
            throw new LoaderException("Invalid PostgresLoader configuration: 'host' must not be blank");
        }
        if (TEMPORARY_SCHEMA.matcher(c.schema).matches()) {
            throw new LoaderException("Invalid PostgresLoader configuration: 'schema' is '" + c.schema + "', a"
                    + " session's temporary schema: a table there belongs to one pooled connection, other connections"
                    + " (the loader's next call, parallel workers, your readers) cannot see it, and it vanishes when"
                    + " that connection closes; name a regular schema");
        }
        if (c.parallelism > c.maxConnections) {
            throw new LoaderException("Invalid PostgresLoader configuration: 'parallelism' (" + c.parallelism
                    + ") exceeds 'max_connections' (" + c.maxConnections + "); raise max_connections or lower parallelism");
        }
        return c;
    }

    /** The password and the secret-named connection_params values, kept out of every message. */
    Secrets secrets() {
        List<String> values = new ArrayList<>();
        values.add(password);
        connectionParams.forEach((k, v) -> {
            if (Secrets.isSecretName(k)) {
                values.add(v);
            }
        });
        return Secrets.of(values);
    }

    /** {@code host:port}, for messages. */
    String address() {
        return host + ":" + port;
    }

    /** {@code host:port/database}, for messages (built from the fields, never from a URL). */
    String server() {
        return address() + "/" + database;
    }

    @Override
    public String toString() {
        return "PostgresLoaderConfig{" + address() + "/" + database + ", user=" + user + ", password="
                + (password.isEmpty() ? "" : "***") + ", max_connections=" + maxConnections + ", batch_size="
                + batchSize + ", schema=" + schema + ", create_table=" + createTable + ", key_columns=" + keyColumns
                + ", parallelism=" + parallelism + ", connect_timeout_seconds=" + connectTimeoutSeconds
                + ", load_timeout_seconds=" + loadTimeoutSeconds + ", unlogged_table=" + unloggedTable
                + ", copy_freeze=" + copyFreeze + "}";
    }
}
