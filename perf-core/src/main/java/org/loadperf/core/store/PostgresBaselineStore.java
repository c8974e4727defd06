// Over 400 lines: one store's URL parsing, schema migration, branch and machine-class fallback, transactions
// and lost-connection handling share its connection and schema; apart, each part would need the others' state.
package org.loadperf.core.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BaselineStore;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.loader.Secrets;
import org.loadperf.core.measure.GitInfo;
import org.loadperf.core.measure.MachineFingerprint;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.settings.RunnerSetting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BaselineStore} in PostgreSQL, shared by many CI runners and branches: chosen by
 * {@code PERF_STORE=jdbc:postgresql://host:port/db?user=...} (or {@code postgresql://user@host:port/db}).
 *
 * <p>Every run is a row of {@code perf_runs} (its key, branch, commit, machine class and the entry the JSON store
 * would write: the guide's fields, samples, machine, extras such as {@code acknowledged}); {@code perf_baselines}
 * points at the baseline run of each (key, branch, machine class). A run on a branch compares with the baseline of
 * its branch on its machine class, else with that of the default branch ({@code PERF_DEFAULT_BRANCH}, main);
 * {@link #history} is that branch's last runs. Runs are never deleted except by {@link #reset()}.
 *
 * <p>The schema is versioned ({@code perf_schema_version}) and created or migrated on first use, under an advisory
 * lock so that concurrent first users do it once. Each write is one transaction holding an advisory lock of its
 * (key, machine class): deciding whether the run becomes the baseline and writing it is one step for every process
 * on every machine; a transaction cut off (a server or network that dies) leaves nothing of the run behind.
 *
 * <p>The JDBC driver ({@code org.postgresql:postgresql}) is needed only by users of this store; perf-core does not
 * depend on it. Messages name the store by host, port and database, never by its URL (which may hold a password);
 * the driver's texts pass through {@link Secrets#detail}.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public final class PostgresBaselineStore implements BaselineStore {

    /** The schema version this code writes; older schemas are migrated, newer ones refused. */
    static final int SCHEMA_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(PostgresBaselineStore.class);

    /** First key of every advisory lock this store takes (the second is 0 for migrations, else a key's hash). */
    private static final int LOCK_CLASS = 0x70657266; // "perf"

    private static final int MAX_ATTEMPTS = 5;

    private final String jdbcUrl;
    private final Properties properties;
    private final String location;
    private final Secrets secrets;
    private final String branch;
    private final String defaultBranch;
    private final String machineClass;
    private final int historyLimit;
    private volatile boolean migrated;

    private PostgresBaselineStore(String jdbcUrl, Properties properties, String location, Secrets secrets,
                                  String branch, String defaultBranch, String machineClass, int historyLimit) {
        this.jdbcUrl = jdbcUrl;
        this.properties = properties;
        this.location = location;
        this.secrets = secrets;
        this.branch = branch;
        this.defaultBranch = defaultBranch;
        this.machineClass = machineClass;
        this.historyLimit = historyLimit;
    }

    /** Whether {@code store} (a {@code PERF_STORE} value) names a PostgreSQL server rather than a file. */
    public static boolean isUrl(String store) {
        String s = store.strip().toLowerCase(Locale.ROOT);
        return s.startsWith("jdbc:postgresql:") || s.startsWith("postgresql:") || s.startsWith("postgres:");
    }

    /**
     * The store at {@code url}, for the branch and machine of this process: branch from {@code PERF_BRANCH}, CI
     * ({@code GITHUB_HEAD_REF}, {@code GITHUB_REF_NAME}, {@code CI_COMMIT_REF_NAME}, {@code BRANCH_NAME}) or git,
     * else the default branch; default branch {@code PERF_DEFAULT_BRANCH} (main); machine class
     * {@code PERF_MACHINE_CLASS}, else derived from the machine (e.g. {@code amd64-2cpu-8g}). The password is the
     * URL's, else {@code PERF_STORE_PASSWORD}. Nothing is connected yet.
     *
     * @throws IllegalArgumentException when the URL cannot be read (the message does not repeat the URL)
     */
    public static PostgresBaselineStore open(String url, PerfSettings settings) {
        Objects.requireNonNull(url, "url is null");
        String defaultBranch = settings.get(RunnerSetting.DEFAULT_BRANCH, "main").strip();
        String branch = settings.get(RunnerSetting.BRANCH).filter(b -> !b.isBlank()).map(String::strip)
                .orElseGet(() -> GitInfo.branch(settings).orElse(defaultBranch));
        String machine = settings.get(RunnerSetting.MACHINE_CLASS).filter(b -> !b.isBlank()).map(String::strip)
                .orElseGet(() -> machineClass(MachineFingerprint.current()));
        return parse(url, settings.get(RunnerSetting.STORE_PASSWORD).orElse(null), branch, defaultBranch, machine);
    }

    static PostgresBaselineStore parse(String url, String fallbackPassword, String branch, String defaultBranch,
                                       String machineClass) {
        String s = url.strip();
        if (s.regionMatches(true, 0, "jdbc:", 0, 5)) {
            s = s.substring(5);
        }
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("PERF_STORE is not a PostgreSQL URL (expected "
                    + "jdbc:postgresql://host:port/db?user=...): " + e.getReason() + " at index " + e.getIndex());
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("PERF_STORE names no host (expected "
                    + "jdbc:postgresql://host:port/db?user=...)");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("^/", "");
        if (path.isEmpty()) {
            throw new IllegalArgumentException("PERF_STORE postgresql://" + uri.getHost()
                    + " names no database (expected jdbc:postgresql://host:port/db?user=...)");
        }
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        Properties props = new Properties();
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] ui = uri.getRawUserInfo().split(":", 2);
            props.setProperty("user", decode(ui[0]));
            if (ui.length == 2) {
                password = decode(ui[1]);
            }
        }
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (name.equals("password")) {
                    password = value;
                } else {
                    props.setProperty(name, value);
                }
            }
        }
        if (password == null || password.isEmpty()) {
            password = fallbackPassword;
        }
        if (password != null && !password.isEmpty()) {
            props.setProperty("password", password);
        }
        // no call blocks without bound: a server that does not answer ends the call
        props.putIfAbsent("connectTimeout", "10");
        props.putIfAbsent("loginTimeout", "10");
        props.putIfAbsent("socketTimeout", "120");
        props.putIfAbsent("ApplicationName", "loadperf baseline store");
        String db = decode(path);
        String location = "postgresql://" + uri.getHost() + ":" + port + "/" + db;
        Secrets secrets = Secrets.of(password == null ? List.of() : List.of(password));
        return new PostgresBaselineStore("jdbc:postgresql://" + uri.getHost() + ":" + port + "/" + path, props,
                location, secrets, branch, defaultBranch, machineClass, JsonFileBaselineStore.DEFAULT_HISTORY_LIMIT);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The machine class of a fingerprint: architecture, CPUs and memory rounded to GiB ({@code amd64-2cpu-8g}). */
    static String machineClass(Map<String, String> fingerprint) {
        String arch = fingerprint.getOrDefault("arch", "unknown");
        String cpus = fingerprint.getOrDefault("cpus", "?");
        String mem = fingerprint.get("memory_mb");
        String gib = "?";
        if (mem != null) {
            try {
                gib = String.valueOf(Math.round(Long.parseLong(mem) / 1024.0));
            } catch (NumberFormatException e) {
                gib = "?";
            }
        }
        return arch + "-" + cpus + "cpu-" + gib + "g";
    }

    /** This store for another branch and default branch (same server). */
    public PostgresBaselineStore onBranch(String branch, String defaultBranch) {
        return new PostgresBaselineStore(jdbcUrl, properties, location, secrets, requireName(branch, "branch"),
                requireName(defaultBranch, "defaultBranch"), machineClass, historyLimit);
    }

    /** This store for another machine class (same server). */
    public PostgresBaselineStore onMachineClass(String machineClass) {
        return new PostgresBaselineStore(jdbcUrl, properties, location, secrets, branch, defaultBranch,
                requireName(machineClass, "machineClass"), historyLimit);
    }

    /** This store returning at most {@code limit} runs from {@link #history} (at least 1). */
    public PostgresBaselineStore withHistoryLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("historyLimit must be at least 1, got " + limit);
        }
        return new PostgresBaselineStore(jdbcUrl, properties, location, secrets, branch, defaultBranch,
                machineClass, limit);
    }

    private static String requireName(String v, String what) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        return v.strip();
    }

    /** The branch runs are recorded on. */
    public String branch() {
        return branch;
    }

    /** The branch whose baselines a branch without its own uses. */
    public String defaultBranch() {
        return defaultBranch;
    }

    /** The machine class whose baselines this store reads. */
    public String machineClass() {
        return machineClass;
    }

    // ---------------------------------------------------------------- reading

    @Override
    public Optional<BenchmarkRecord> baseline(String key) {
        Objects.requireNonNull(key, "key is null");
        return call("reading the baseline of " + key, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT r.entry FROM perf_baselines b JOIN perf_runs r"
                    + " ON r.id = b.run_id WHERE b.bench_key = ? AND b.machine_class = ? AND b.branch IN (?, ?)"
                    + " ORDER BY (b.branch = ?) DESC LIMIT 1")) {
                ps.setString(1, key);
                ps.setString(2, machineClass);
                ps.setString(3, branch);
                ps.setString(4, defaultBranch);
                ps.setString(5, branch);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(decode(key, rs.getString(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Map<String, BenchmarkRecord> baselines() {
        return call("reading the baselines", c -> {
            Map<String, BenchmarkRecord> all = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT ON (b.bench_key) b.bench_key, r.entry"
                    + " FROM perf_baselines b JOIN perf_runs r ON r.id = b.run_id WHERE b.machine_class = ?"
                    + " AND b.branch IN (?, ?) ORDER BY b.bench_key, (b.branch = ?) DESC")) {
                ps.setString(1, machineClass);
                ps.setString(2, branch);
                ps.setString(3, defaultBranch);
                ps.setString(4, branch);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        all.put(rs.getString(1), decode(rs.getString(1), rs.getString(2)));
                    }
                }
            }
            return Collections.unmodifiableMap(all);
        });
    }

    /** The last runs of {@code key} on this machine class: of this branch, else of the default branch. */
    @Override
    public List<BenchmarkRecord> history(String key) {
        Objects.requireNonNull(key, "key is null");
        return call("reading the history of " + key, c -> {
            List<BenchmarkRecord> runs = runs(c, key, branch);
            return runs.isEmpty() && !branch.equals(defaultBranch) ? runs(c, key, defaultBranch) : runs;
        });
    }

    private List<BenchmarkRecord> runs(Connection c, String key, String onBranch) throws SQLException {
        List<BenchmarkRecord> runs = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT entry FROM (SELECT id, entry FROM perf_runs"
                + " WHERE bench_key = ? AND machine_class = ? AND branch = ? ORDER BY id DESC LIMIT ?) t ORDER BY id")) {
            ps.setString(1, key);
            ps.setString(2, machineClass);
            ps.setString(3, onBranch);
            ps.setInt(4, historyLimit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    runs.add(decode(key, rs.getString(1)));
                }
            }
        }
        return List.copyOf(runs);
    }

    /** How many runs the store holds, all keys, branches and machines. */
    long runCount() {
        return call("counting runs", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM perf_runs")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private BenchmarkRecord decode(String key, String entry) {
        try {
            JsonNode node = BenchmarkJsonCodec.MAPPER.readTree(entry);
            return BenchmarkJsonCodec.baseline(key, node);
        } catch (JsonProcessingException | BenchmarkJsonCodec.MalformedEntryException e) {
            throw new IllegalStateException("Baseline store " + location + " holds a run of " + key
                    + " that cannot be read: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Adds {@code record} to the runs of its key on this branch and, when {@code moveBaseline} (or when neither this
     * branch nor the default branch has a baseline for the key on the record's machine class), makes it this
     * branch's baseline.
     */
    @Override
    public void record(BenchmarkRecord record, boolean moveBaseline) {
        write(record, moveBaseline);
    }

    /** Makes {@code record} the baseline only when neither this branch nor the default branch has one. */
    @Override
    public boolean recordSettingBaselineIfAbsent(BenchmarkRecord record) {
        return write(record, false);
    }

    private boolean write(BenchmarkRecord record, boolean moveBaseline) {
        Objects.requireNonNull(record, "record is null");
        String key = record.key();
        String entry;
        try {
            entry = BenchmarkJsonCodec.MAPPER.writeValueAsString(BenchmarkJsonCodec.entry(record));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Cannot write " + key + " as JSON: " + e.getMessage(), e);
        }
        String cls = record.fingerprint().isEmpty() ? machineClass : recordClass(record);
        boolean move = transaction("recording " + key, c -> {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
                lock.setInt(1, LOCK_CLASS);
                lock.setString(2, key + "\n" + cls);
                lock.execute();
            }
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO perf_runs (bench_key, branch, machine_class,"
                    + " git_commit, run_timestamp, entry) VALUES (?, ?, ?, ?, ?, ?) RETURNING id")) {
                ps.setString(1, key);
                ps.setString(2, branch);
                ps.setString(3, cls);
                ps.setString(4, record.gitCommit());
                ps.setString(5, record.timestamp());
                ps.setString(6, entry);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            boolean m = moveBaseline;
            if (!m) {
                try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM perf_baselines WHERE bench_key = ?"
                        + " AND machine_class = ? AND branch IN (?, ?)")) {
                    ps.setString(1, key);
                    ps.setString(2, cls);
                    ps.setString(3, branch);
                    ps.setString(4, defaultBranch);
                    try (ResultSet rs = ps.executeQuery()) {
                        m = !rs.next();
                    }
                }
            }
            if (m) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO perf_baselines (bench_key, branch,"
                        + " machine_class, run_id) VALUES (?, ?, ?, ?) ON CONFLICT (bench_key, branch, machine_class)"
                        + " DO UPDATE SET run_id = excluded.run_id")) {
                    ps.setString(1, key);
                    ps.setString(2, branch);
                    ps.setString(3, cls);
                    ps.setLong(4, id);
                    ps.executeUpdate();
                }
            }
            return m;
        });
        LOG.debug("Recorded {} in {} on branch {} (baseline {})", key, location, branch, move ? "moved" : "kept");
        return move;
    }

    /** The machine class of {@code record}: this store's when the record was measured on this machine. */
    private String recordClass(BenchmarkRecord record) {
        String derived = machineClass(record.fingerprint());
        return derived.equals(machineClass(MachineFingerprint.current())) ? machineClass : derived;
    }

    /** Removes every run and baseline of every branch and machine class. */
    @Override
    public void reset() {
        transaction("resetting the store", c -> {
            try (Statement st = c.createStatement()) {
                st.execute("TRUNCATE perf_baselines, perf_runs");
            }
            return null;
        });
        LOG.info("Reset baseline store {}", location);
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public String toString() {
        return "PostgresBaselineStore[" + location + ", branch=" + branch + ", defaultBranch=" + defaultBranch
                + ", machineClass=" + machineClass + "]";
    }

    // ---------------------------------------------------------------- connections, schema, errors

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T call(String what, Work<T> work) {
        try (Connection c = connect(what)) {
            return work.run(c);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** {@code work} in one transaction, retried when the server reports a serialization failure or deadlock. */
    private <T> T transaction(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = connect(what)) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    try {
                        c.rollback();
                    } catch (SQLException ignored) {
                        // the connection is gone: the server rolls the transaction back itself
                    }
                    throw e;
                }
            } catch (SQLException e) {
                String state = e.getSQLState() == null ? "" : e.getSQLState();
                if ((state.equals("40001") || state.equals("40P01")) && attempt < MAX_ATTEMPTS) {
                    LOG.debug("Retrying {} in {} after {}", what, location, state);
                    continue;
                }
                throw failure(what, e);
            }
        }
    }

    private Connection connect(String what) throws SQLException {
        try {
            Class.forName("org.postgresql.Driver");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Baseline store " + location + ": the PostgreSQL JDBC driver "
                    + "(org.postgresql:postgresql) is not on the class path; add it to use a PostgreSQL PERF_STORE");
        }
        Connection c = DriverManager.getConnection(jdbcUrl, properties);
        if (!migrated) {
            try {
                migrate(c);
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }

    /** Creates the schema, or brings an older one to {@link #SCHEMA_VERSION}, once, under an advisory lock. */
    private synchronized void migrate(Connection c) throws SQLException {
        if (migrated) {
            return;
        }
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + LOCK_CLASS + ", 0)");
            st.execute("CREATE TABLE IF NOT EXISTS perf_schema_version (version integer PRIMARY KEY,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
            int version;
            try (ResultSet rs = st.executeQuery("SELECT coalesce(max(version), 0) FROM perf_schema_version")) {
                rs.next();
                version = rs.getInt(1);
            }
            if (version > SCHEMA_VERSION) {
                c.rollback();
                throw new IllegalStateException("Baseline store " + location + " has schema version " + version
                        + ", newer than this loadperf knows (" + SCHEMA_VERSION + "); use a newer loadperf");
            }
            if (version < 1) {
                st.execute("CREATE TABLE perf_runs (id bigserial PRIMARY KEY, bench_key text NOT NULL,"
                        + " branch text NOT NULL, machine_class text NOT NULL, git_commit text NOT NULL,"
                        + " run_timestamp text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(),"
                        + " entry text NOT NULL)");
                st.execute("CREATE INDEX perf_runs_key ON perf_runs (bench_key, machine_class, branch, id)");
                st.execute("CREATE TABLE perf_baselines (bench_key text NOT NULL, branch text NOT NULL,"
                        + " machine_class text NOT NULL, run_id bigint NOT NULL REFERENCES perf_runs (id)"
                        + " ON DELETE CASCADE, PRIMARY KEY (bench_key, branch, machine_class))");
                st.execute("INSERT INTO perf_schema_version (version) VALUES (1)");
                LOG.debug("Created the baseline store schema (version {}) in {}", SCHEMA_VERSION, location);
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the server rolls back a transaction whose connection is gone
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // a broken connection is closed by the caller
            }
        }
        migrated = true;
    }

    /** A clear error about {@code e}, naming the store by host, port and database and never holding the password. */
    private RuntimeException failure(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String detail = secrets.detail(e.getMessage());
        String message;
        // 08: connection failures; 57P01-57P03: the server shut down, crashed or is starting up / recovering
        if (state.startsWith("08") || state.startsWith("57P")) {
            message = "Baseline store " + location + ": lost or could not open the connection while " + what + " ("
                    + detail + "). Each write is one transaction: the store holds a run whole or not at all; check"
                    + " that the server is up and run again.";
        } else if (state.equals("28P01") || state.equals("28000")) {
            message = "Baseline store " + location + ": the server refused the login while " + what + " (" + detail
                    + "); check the user and PERF_STORE_PASSWORD.";
        } else {
            message = "Baseline store " + location + ": failed while " + what + " (SQLState " + state + ": " + detail
                    + ")";
        }
        return new IllegalStateException(message, secrets.safeCause(e));
    }
}
