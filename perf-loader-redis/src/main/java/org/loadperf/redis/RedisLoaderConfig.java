package org.loadperf.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.loadperf.api.loader.ConfigKey;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;
import redis.clients.jedis.HostAndPort;

/**
 * The Redis loader's configuration: every key declared once with its default and description, validated as a whole
 * when the loader is created. Keys and defaults follow the guide's RedisLoader.
 *
 * @param host                 server host
 * @param port                 server port
 * @param db                   database index (0 with a cluster)
 * @param password             password, or null; never shown
 * @param user                 ACL user, or null for the default user
 * @param ssl                  whether to use TLS
 * @param connectTimeout       connect timeout
 * @param socketTimeout        longest one blocking call (read, write, window of replies) may take
 * @param maxConnections       connection pool size
 * @param dataStructure        how rows are stored
 * @param keyPattern           the per-row key pattern
 * @param ttl                  expiry of written keys, or null for none
 * @param pipelineSize         commands per pipeline sync
 * @param batchSize            rows per batch of {@code loadTable}
 * @param scoreField           the sorted_set score column, or null for the row number
 * @param uniqueField          the set member column, or null for the row as JSON
 * @param clusterNodes         Redis Cluster seed nodes; empty for a single server
 * @param keyRegistry          whether every written key is recorded in the table's registry (what OVERWRITE removes)
 */
record RedisLoaderConfig(String host, int port, int db, String password, String user, boolean ssl,
                         Duration connectTimeout, Duration socketTimeout, int maxConnections,
                         DataStructure dataStructure, KeyPattern keyPattern, Duration ttl, int pipelineSize,
                         int batchSize, String scoreField, String uniqueField, List<HostAndPort> clusterNodes,
                         boolean keyRegistry) {

    static final ConfigKey<String> HOST = ConfigKey.string("host", "localhost", "Redis server host");
    static final ConfigKey<Integer> PORT = ConfigKey.integer("port", 6379, 1, 65535, "Redis server port");
    static final ConfigKey<Integer> DB = ConfigKey.integer("db", 0, 0, 10_000, "database index (must be 0 with cluster_nodes)");
    static final ConfigKey<String> PASSWORD = ConfigKey.string("password", null,
            "password (AUTH); never logged or shown in errors").secret();
    static final ConfigKey<String> USER = ConfigKey.string("user", null, "ACL user name (Redis 6+); default user when unset");
    static final ConfigKey<Boolean> SSL = ConfigKey.bool("ssl", false, "connect with TLS");
    static final ConfigKey<Duration> SOCKET_CONNECT_TIMEOUT = ConfigKey.duration("socket_connect_timeout",
            Duration.ofSeconds(5), "connect timeout (seconds, or e.g. 500ms)");
    static final ConfigKey<Duration> SOCKET_TIMEOUT = ConfigKey.duration("socket_timeout", Duration.ofSeconds(5),
            "longest one call may block: a read, a socket write, a window of replies; past it the connection is"
                    + " closed and the load fails (seconds, or e.g. 500ms)");
    static final ConfigKey<Integer> MAX_CONNECTIONS = ConfigKey.integer("max_connections", 20, 1, 10_000,
            "connection pool size (per node with a cluster)");
    static final ConfigKey<String> DATA_STRUCTURE = ConfigKey.string("data_structure", "hash",
            "how rows are stored: " + DataStructure.names());
    static final ConfigKey<String> KEY_PATTERN = ConfigKey.string("key_pattern", "{table}:{id}",
            "per-row key: {table} is the table name, any other {column} that column's value");
    static final ConfigKey<Duration> TTL = ConfigKey.duration("ttl", null,
            "expiry of the written keys (seconds, or e.g. 500ms); none when unset");
    static final ConfigKey<Integer> PIPELINE_SIZE = ConfigKey.integer("pipeline_size", 1000, 1, 1_000_000,
            "commands sent before the pipeline is synced and its replies checked");
    static final ConfigKey<Integer> BATCH_SIZE = ConfigKey.integer("batch_size", 10_000, 1, 10_000_000,
            "rows per batch in loadTable: the unit of validation, error reporting and replies checked");
    static final ConfigKey<String> SCORE_FIELD = ConfigKey.string("score_field", null,
            "numeric column used as the score of sorted_set members; the row number when unset");
    static final ConfigKey<String> UNIQUE_FIELD = ConfigKey.string("unique_field", null,
            "column whose value is the set member; the row as JSON when unset");
    static final ConfigKey<List<String>> CLUSTER_NODES = ConfigKey.list("cluster_nodes", List.of(),
            "host:port seed nodes of a Redis Cluster (comma separated); host/port/db are then unused");

    static final ConfigKey<Boolean> KEY_REGISTRY = ConfigKey.bool("key_registry", true,
            "record every written key in the table's registry ({table}:__loadperf_keys), which OVERWRITE needs to"
                    + " remove exactly the table's keys; false saves the server that work (about a fifth of a hash"
                    + " load) and refuses OVERWRITE of per-row keys");

    static final List<ConfigKey<?>> KEYS = List.of(HOST, PORT, DB, PASSWORD, USER, SSL, SOCKET_CONNECT_TIMEOUT,
            SOCKET_TIMEOUT, MAX_CONNECTIONS, DATA_STRUCTURE, KEY_PATTERN, TTL, PIPELINE_SIZE, BATCH_SIZE, SCORE_FIELD,
            UNIQUE_FIELD, CLUSTER_NODES, KEY_REGISTRY);

    private static final String NAME = "RedisLoader";

    /**
     * Validates {@code config} and reads it.
     *
     * @throws LoaderException naming every unknown key, bad value and contradiction
     */
    static RedisLoaderConfig from(LoaderConfig config) {
        config.validate(NAME, KEYS);
        List<String> problems = new ArrayList<>();
        DataStructure structure = null;
        try {
            structure = DataStructure.parse(config.get(DATA_STRUCTURE));
        } catch (IllegalArgumentException e) {
            problems.add("'data_structure': " + e.getMessage());
        }
        KeyPattern pattern = null;
        try {
            pattern = KeyPattern.parse(config.get(KEY_PATTERN));
        } catch (IllegalArgumentException e) {
            problems.add("'key_pattern': " + e.getMessage());
        }
        Duration ttl = config.find(TTL).orElse(null);
        if (ttl != null && ttl.toMillis() < 1) {
            problems.add("'ttl': must be at least 1 ms, got " + ttl);
        }
        List<HostAndPort> nodes = new ArrayList<>();
        for (String node : config.get(CLUSTER_NODES)) {
            try {
                nodes.add(parseNode(node));
            } catch (IllegalArgumentException e) {
                problems.add("'cluster_nodes': " + e.getMessage());
            }
        }
        int db = config.get(DB);
        if (!nodes.isEmpty() && db != 0) {
            problems.add("'db': Redis Cluster has only database 0, got " + db + " with cluster_nodes");
        }
        String scoreField = blankToNull(config.find(SCORE_FIELD));
        String uniqueField = blankToNull(config.find(UNIQUE_FIELD));
        if (scoreField != null && structure != null && structure != DataStructure.SORTED_SET) {
            problems.add("'score_field': applies only to data_structure sorted_set, not " + structure.configName());
        }
        if (uniqueField != null && structure != null && structure != DataStructure.SET) {
            problems.add("'unique_field': applies only to data_structure set, not " + structure.configName());
        }
        if (!problems.isEmpty()) {
            throw new LoaderException("Invalid " + NAME + " configuration: " + String.join("; ", problems));
        }
        return new RedisLoaderConfig(config.get(HOST), config.get(PORT), db, config.find(PASSWORD).orElse(null),
                blankToNull(config.find(USER)), config.get(SSL), config.get(SOCKET_CONNECT_TIMEOUT),
                config.get(SOCKET_TIMEOUT), config.get(MAX_CONNECTIONS), structure, pattern, ttl,
                config.get(PIPELINE_SIZE), config.get(BATCH_SIZE), scoreField, uniqueField, List.copyOf(nodes),
                config.get(KEY_REGISTRY));
    }

    /** Whether the loader talks to a Redis Cluster. */
    boolean cluster() {
        return !clusterNodes.isEmpty();
    }

    /** Where the loader connects, for messages (never with credentials). */
    String endpoint() {
        return cluster() ? "Redis Cluster " + clusterNodes : "Redis at " + host + ":" + port + "/" + db;
    }

    private static HostAndPort parseNode(String node) {
        int colon = node.lastIndexOf(':');
        if (colon <= 0 || colon == node.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + node + "'");
        }
        try {
            int port = Integer.parseInt(node.substring(colon + 1).trim());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return new HostAndPort(node.substring(0, colon).trim(), port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected host:port with a port 1-65535, got '" + node + "'");
        }
    }

    private static String blankToNull(Optional<String> value) {
        return value.filter(s -> !s.isBlank()).orElse(null);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "RedisLoaderConfig{" + endpoint() + ", user=" + user + ", password=" + (password == null ? "none" : "***")
                + ", ssl=" + ssl + ", data_structure=" + dataStructure.configName() + ", key_pattern=" + keyPattern
                + ", ttl=" + ttl + ", pipeline_size=" + pipelineSize + ", batch_size=" + batchSize
                + ", max_connections=" + maxConnections + ", key_registry=" + keyRegistry + "}";
    }
}
