package org.loadperf.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.LoadResult;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.json.JsonProtocol;

/**
 * Writes Arrow rows into Redis through the binary-safe Jedis API: byte[] keys and values, one pipeline per load on a
 * pooled connection, synced (every reply checked) every {@code pipeline_size} commands and at the end of each batch;
 * see {@link CommandPipeline} for how the server is kept busy between syncs.
 *
 * <h2>Storage per data_structure</h2>
 * <ul>
 *   <li>{@code hash}: {@code HSET key col value ...} per row, a field per non-null column.</li>
 *   <li>{@code string}: {@code SET key json} per row; {@code json}: {@code JSON.SET key $ json} (RedisJSON).</li>
 *   <li>{@code sorted_set}: {@code ZADD {table}:zset score json}, the score from {@code score_field}, or the row's
 *       number within the load (0-based) when unset.</li>
 *   <li>{@code set}: {@code SADD {table}:set member}, the member the {@code unique_field} value, or the row's JSON.</li>
 *   <li>{@code list}: {@code RPUSH {table}:list json}; {@code stream}: {@code XADD {table}:stream * col value ...}.</li>
 * </ul>
 * Per-row keys come from {@code key_pattern}. With {@code ttl}, each written key gets {@code PEXPIRE} in the same
 * pipeline (the per-table key of sorted_set/set/list/stream once per batch).
 *
 * <h2>Value encoding (one per Arrow type)</h2>
 * Text form (hash and stream fields, set members, key placeholders) / JSON form (rows as JSON objects):
 * <ul>
 *   <li>null: field left out of hashes and stream entries / {@code null}.</li>
 *   <li>signed and unsigned integers: decimal digits / number.</li>
 *   <li>float16/32/64: Java's shortest round-trip text ({@code 0.123}, {@code 1.0E-5}, {@code NaN},
 *       {@code Infinity}) / number, non-finite values as the strings {@code "NaN"}, {@code "Infinity"},
 *       {@code "-Infinity"}.</li>
 *   <li>bool: {@code 1} / {@code 0} (Redis' own booleans, stored as small integers) / {@code true} / {@code false}.</li>
 *   <li>utf8 (also large and view): its UTF-8 bytes as they are / JSON string.</li>
 *   <li>binary (also large, view, fixed-size): its raw bytes / base64 JSON string.</li>
 *   <li>date32/date64: {@code 2024-01-31} / that string.</li>
 *   <li>time32/time64: {@code 13:45:30}, with 3, 6 or 9 fraction digits for ms, us, ns units / that string.</li>
 *   <li>timestamp: the integer count of the column's unit (s, ms, us, ns) since 1970-01-01T00:00 (UTC when the column
 *       has a time zone): compact (Redis keeps it as an integer), sortable, usable as a score / ISO-8601 string with
 *       0, 3, 6 or 9 fraction digits by unit, ending in {@code Z} with a time zone
 *       ({@code "2024-01-31T13:45:30.123456Z"}); JSON has no timestamp type and cannot hold ns counts exactly as
 *       numbers.</li>
 *   <li>decimal128/256: plain decimal text ({@code 12345.67}) / that text as a JSON string, so that no precision is
 *       lost.</li>
 * </ul>
 * Lists, structs, maps, unions, intervals, durations and dictionary-encoded columns are rejected naming the column.
 *
 * <h2>Failures</h2>
 * Before a batch sends anything, it is checked: key columns, score_field and unique_field must exist (the error lists
 * the columns) and be non-null (the error names the row). Redis cannot roll back commands the server already
 * executed, so a server-side rejection (e.g. out of memory) leaves the commands before it applied; the error names the
 * batch. Credentials are never part of a message.
 *
 * <h2>Modes</h2>
 * {@link LoadMode#APPEND}, and {@link LoadMode#OVERWRITE}: once the first batch has passed its checks (so that bad
 * input loses nothing stored) and before it is written, the table's keys are removed, and nothing else. A load only
 * removes keys it wrote: every batch first adds its keys (or the table's one key) to the table's registry, the set
 * {@code {table}:__loadperf_keys}, and syncs, before it writes any of them; OVERWRITE unlinks the registry's members
 * (SSCAN, a page at a time), the one {@code {table}:<suffix>} key of sorted_set/set/list/stream, then the registry.
 * So no key pattern, key value (':' included) or neighbouring table name can make it remove another table's key, on
 * one server as on a Redis Cluster (the registry lives in one slot, each member is unlinked where it lives). With
 * {@code key_registry} false nothing is registered (the server's SADD work per key, about a fifth of a hash load,
 * is saved) and OVERWRITE of per-row keys is refused before anything is removed or written.
 *
 * <h2>Blocking</h2>
 * Every call that can block (a write, a window of replies, a page of the clear) is watched by a {@link Watchdog}: one
 * that runs longer than {@code socket_timeout} has its connection closed, which also ends a socket write to a server
 * that stopped reading, and the load fails naming the server and the batch.
 *
 * <p>Over 400 lines: one writer per data structure (six) over the same pipeline, key registry and failure text;
 * the connection and its watchdog live in {@link RedisEndpoint}, the syncing in {@link CommandPipeline}.
 */
final class RedisLoader implements Loader {

    private static final Logger LOG = LoggerFactory.getLogger(RedisLoader.class);
    private static final Set<LoadMode> MODES = EnumSet.of(LoadMode.APPEND, LoadMode.OVERWRITE);
    private static final byte[] ROOT_PATH = {'$'};
    private static final byte[] AUTO_ID = {'*'};
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
    /** Appended to the table name: the key of the set of keys the table's loads wrote. */
    static final String REGISTRY_SUFFIX = ":__loadperf_keys";
    /** Members per SADD to the registry. */
    private static final int REGISTRY_PAGE = 1000;

    private final RedisLoaderConfig config;
    private final RedisEndpoint endpoint;
    private final long ttlMillis;
    private final ByteSink json = new ByteSink(512);

    private RedisLoader(RedisLoaderConfig config, RedisEndpoint endpoint) {
        this.config = config;
        this.endpoint = endpoint;
        this.ttlMillis = config.ttl() == null ? 0 : config.ttl().toMillis();
    }

    /** Connects and checks the server (credentials, RedisJSON when needed). */
    static RedisLoader open(RedisLoaderConfig config) {
        RedisEndpoint endpoint;
        try {
            endpoint = RedisEndpoint.open(config);
        } catch (RuntimeException e) {
            throw RedisFailures.translate("connecting", e, config);
        }
        try {
            endpoint.ping();
            if (config.dataStructure() == DataStructure.JSON && !endpoint.hasCommand("JSON.SET")) {
                throw new LoaderException("data_structure 'json' needs the RedisJSON module (command JSON.SET), which "
                        + config.endpoint() + " has not loaded; load it (loadmodule /path/to/librejson.so, or use "
                        + "Redis Stack / Redis 8) or pick another data_structure (string stores rows as JSON too)");
            }
        } catch (RuntimeException e) {
            endpoint.close();
            throw e instanceof LoaderException le ? le : RedisFailures.translate("connecting", e, config);
        }
        LOG.info("redis loader connected: {}", config);
        return new RedisLoader(config, endpoint);
    }

    @Override
    public String type() {
        return RedisLoaderProvider.TYPE;
    }

    @Override
    public Set<LoadMode> supportedModes() {
        return MODES;
    }

    @Override
    public LoadResult loadBatch(VectorSchemaRoot batch, String table, LoadMode mode) {
        checkMode(table, mode);
        long start = System.nanoTime();
        try (Progress progress = new Progress(mode == LoadMode.OVERWRITE)) {
            writeChunk(batch, 0, batch.getRowCount(), table, progress);
            clearIfPending(table, progress);
            return result(table, start, progress, batch.getSchema().getFields().size());
        }
    }

    @Override
    public LoadResult loadTable(ArrowReader source, String table, LoadMode mode) {
        checkMode(table, mode);
        long start = System.nanoTime();
        try (Progress progress = new Progress(mode == LoadMode.OVERWRITE)) {
            VectorSchemaRoot root = source.getVectorSchemaRoot();
            int columns = root.getSchema().getFields().size();
            while (source.loadNextBatch()) {
                int rows = root.getRowCount();
                for (int from = 0; from < rows; from += config.batchSize()) {
                    writeChunk(root, from, Math.min(rows, from + config.batchSize()), table, progress);
                }
            }
            clearIfPending(table, progress);
            return result(table, start, progress, columns);
        } catch (java.io.IOException e) {
            throw new LoaderException("reading the Arrow source of table '" + table + "' failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        endpoint.close();
    }

    private void checkMode(String table, LoadMode mode) {
        if (!MODES.contains(mode)) {
            throw new LoaderException("the redis loader supports modes " + MODES + ", not " + mode + " (table '"
                    + table + "')");
        }
        if (table == null || table.isEmpty()) {
            throw new LoaderException("the table name (key prefix) must not be empty");
        }
        if (mode == LoadMode.OVERWRITE && config.dataStructure().perRowKey() && !config.keyRegistry()) {
            throw new LoaderException("OVERWRITE of table '" + table + "' needs the key registry, which lists the keys"
                    + " to remove; key_registry is false (set it to true for loads whose keys a later OVERWRITE must"
                    + " remove); nothing was removed or written");
        }
        if (mode == LoadMode.OVERWRITE && config.dataStructure().perRowKey() && !config.keyPattern().containsTable()) {
            throw new LoaderException("OVERWRITE of table '" + table + "' needs a key_pattern containing {table}, so that"
                    + " only this table's keys are removed; key_pattern is '" + config.keyPattern() + "'");
        }
    }

    private long clear(String table) {
        String what = "removing the keys of table '" + table + "' for OVERWRITE";
        try {
            long n = endpoint.unlinkRegistered(registryKey(table),
                    config.dataStructure().perRowKey() ? null : aggregateKey(table));
            LOG.info("overwrite of table '{}': unlinked {} keys", table, n);
            return n;
        } catch (RedisEndpoint.StalledException e) {
            throw stalled(what, "some of the table's keys may be removed already; an OVERWRITE run again removes the"
                    + " rest", e);
        } catch (RuntimeException e) {
            throw RedisFailures.translate(what, e, config);
        }
    }

    /** The failure of a call that made no progress within socket_timeout, whose connection the watchdog closed. */
    private LoaderException stalled(String what, String state, RuntimeException e) {
        return new LoaderException(what + " failed: " + config.endpoint() + " made no progress for more than "
                + endpoint.watchdog.limit().toMillis() + " ms (socket_timeout): the server is frozen, overloaded or"
                + " unreachable, and the connection was closed; " + state, e);
    }

    /**
     * The set listing every key written for {@code table} ({@code {table}:__loadperf_keys}): OVERWRITE removes exactly
     * its members, so that a load never removes a key it did not write, whatever the key pattern and values.
     */
    private static byte[] registryKey(String table) {
        return (table + REGISTRY_SUFFIX).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] aggregateKey(String table) {
        return (table + ":" + config.dataStructure().aggregateSuffix()).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One load's state: counters and its pipeline, opened on first use (after an OVERWRITE's clear, so that a load
     * never holds more than one pooled connection at a time).
     */
    private final class Progress implements AutoCloseable {
        long rows;
        long bytes;
        long batches;
        long unlinked = -1;
        final StoredSize stored = new StoredSize();
        /** OVERWRITE clears once, after the first batch passed its checks, so bad input loses nothing stored. */
        boolean clearPending;
        private CommandPipeline pipe;
        private long commandsSent;
        private long syncs;

        Progress(boolean clear) {
            this.clearPending = clear;
        }

        CommandPipeline pipe(String table) {
            if (pipe == null) {
                try {
                    pipe = endpoint.pipeline(config.pipelineSize());
                } catch (RuntimeException e) {
                    throw RedisFailures.translate("opening a pipeline for table '" + table + "'", e, config);
                }
            }
            return pipe;
        }

        long commands() {
            return pipe == null ? commandsSent : pipe.commandsSent();
        }

        long syncs() {
            return pipe == null ? syncs : pipe.syncs();
        }

        /**
         * Returns the pipeline's connection (its counts kept) before the load's last round trips (the stored size):
         * with the pipeline still held they borrowed a second connection, and with {@code max_connections} 1 waited
         * for the pool's timeout (30 s) and lost the figure.
         */
        void release() {
            if (pipe == null) {
                return;
            }
            commandsSent = pipe.commandsSent();
            syncs = pipe.syncs();
            CommandPipeline held = pipe;
            pipe = null;
            try {
                held.close();
            } catch (RuntimeException e) {
                // The load's own outcome (result or failure) matters more than returning a broken connection.
                LOG.warn("returning the pipeline connection failed: {}", RedisFailures.serverText(e.getMessage(), config));
            }
        }

        @Override
        public void close() {
            release();
        }
    }

    private void clearIfPending(String table, Progress progress) {
        if (progress.clearPending) {
            progress.clearPending = false;
            progress.unlinked = clear(table);
        }
    }

    private void writeChunk(VectorSchemaRoot root, int from, int to, String table, Progress progress) {
        long batchNo = progress.batches + 1;
        Plan plan = plan(root, table, batchNo);
        plan.check(from, to, batchNo, progress.rows);
        byte[][] keys = plan.keys(from, to, batchNo, progress.rows);
        clearIfPending(table, progress);
        if (to <= from) {
            return;
        }
        progress.stored.start(endpoint, config.keyRegistry() ? plan.registryKey : null, plan.aggregateKey);
        progress.stored.written(keys);
        CommandPipeline pipe = progress.pipe(table);
        String what = "writing batch " + batchNo + " (rows " + (progress.rows + 1) + ".." + (progress.rows + to - from)
                + ") of table '" + table + "'";
        try {
            if (config.keyRegistry()) {
                register(plan, keys, pipe);
            }
            switch (config.dataStructure()) {
                case HASH -> writeFieldRows(plan, keys, from, pipe);
                case STRING -> writeJsonRows(plan, keys, from, pipe, false);
                case JSON -> writeJsonRows(plan, keys, from, pipe, true);
                case SORTED_SET -> writeSortedSet(plan, from, to, pipe, progress.rows);
                case SET -> writeSet(plan, from, to, pipe);
                case LIST -> writeList(plan, from, to, pipe);
                case STREAM -> writeStream(plan, from, to, pipe);
            }
            if (ttlMillis > 0 && plan.aggregateKey != null) {
                pipe.send(new CommandArguments(Protocol.Command.PEXPIRE).key(plan.aggregateKey).add(ttlMillis));
            }
            if (ttlMillis > 0 && config.keyRegistry()) {
                // Last, so that the registry outlives every key it lists.
                pipe.send(new CommandArguments(Protocol.Command.PEXPIRE).key(plan.registryKey).add(ttlMillis));
            }
            pipe.sync();
        } catch (CommandPipeline.RejectedException e) {
            throw new LoaderException("Redis rejected " + e.rejected() + " of " + e.checked() + " commands of one pipeline"
                    + " sync in batch " + batchNo + " (rows " + (progress.rows + 1) + ".." + (progress.rows + to - from)
                    + ") of table '" + table + "'; first reply: " + RedisFailures.serverText(e.getMessage(), config)
                    + "; the commands it accepted stay applied (Redis cannot roll back)");
        } catch (RuntimeException e) {
            if (pipe.stalled()) {
                throw stalled(what, "the batches before it are stored; of this batch, what the server executed before it"
                        + " stopped stays applied", e);
            }
            throw RedisFailures.translate(what, e, config);
        }
        progress.batches++;
        progress.rows += to - from;
        long total = 0;
        for (FieldVector v : root.getFieldVectors()) {
            total += v.getBufferSize();
        }
        progress.bytes += root.getRowCount() == 0 ? 0 : total * (to - from) / root.getRowCount();
    }

    /**
     * Adds the batch's keys (or the table's one key) to the table's registry and syncs, so that the server has
     * recorded every key before any is written; without ttl the registry is made persistent, since it may list keys
     * without expiry.
     */
    private void register(Plan plan, byte[][] keys, CommandPipeline pipe) {
        byte[][] members = keys != null ? keys : new byte[][] {plan.aggregateKey};
        for (int from = 0; from < members.length; from += REGISTRY_PAGE) {
            CommandArguments sadd = new CommandArguments(Protocol.Command.SADD).key(plan.registryKey);
            for (int i = from; i < Math.min(members.length, from + REGISTRY_PAGE); i++) {
                sadd.add(members[i]);
            }
            pipe.send(sadd);
        }
        if (ttlMillis == 0) {
            pipe.send(new CommandArguments(Protocol.Command.PERSIST).key(plan.registryKey));
        }
        pipe.sync();
    }

    private void writeFieldRows(Plan plan, byte[][] keys, int from, CommandPipeline pipe) {
        RedisValueEncoder[] cols = plan.columns;
        if (pipe.writesThrough()) {
            RowCommand args = new RowCommand(Protocol.Command.HSET);
            for (int i = 0; i < keys.length; i++) {
                args.reset().raw(keys[i]);
                addFields(cols, from + i, args);
                pipe.send(args);
                expire(keys[i], pipe);
            }
            return;
        }
        for (int i = 0; i < keys.length; i++) {
            int row = from + i;
            byte[] key = keys[i];
            CommandArguments args = new CommandArguments(Protocol.Command.HSET).key(key);
            addFields(cols, row, args);
            pipe.send(args);
            expire(key, pipe);
        }
    }

    private void writeStream(Plan plan, int from, int to, CommandPipeline pipe) {
        if (pipe.writesThrough()) {
            RowCommand args = new RowCommand(Protocol.Command.XADD);
            for (int row = from; row < to; row++) {
                args.reset().raw(plan.aggregateKey).raw(AUTO_ID);
                addFields(plan.columns, row, args);
                pipe.send(args);
            }
            return;
        }
        for (int row = from; row < to; row++) {
            CommandArguments args = new CommandArguments(Protocol.Command.XADD).key(plan.aggregateKey).add(AUTO_ID);
            addFields(plan.columns, row, args);
            pipe.send(args);
        }
    }

    /** A field per non-null column, encoded into the row command's reused arrays. */
    private static void addFields(RedisValueEncoder[] cols, int row, RowCommand args) {
        for (RedisValueEncoder c : cols) {
            if (!c.isNull(row)) {
                args.raw(c.nameBytes());
                args.text(c, row);
            }
        }
    }

    private static void addFields(RedisValueEncoder[] cols, int row, CommandArguments args) {
        for (RedisValueEncoder c : cols) {
            if (!c.isNull(row)) {
                args.add(c.nameBytes());
                args.add(c.text(row));
            }
        }
    }

    private void writeJsonRows(Plan plan, byte[][] keys, int from, CommandPipeline pipe, boolean redisJson) {
        for (int i = 0; i < keys.length; i++) {
            int row = from + i;
            byte[] key = keys[i];
            CommandArguments args = redisJson
                    ? new CommandArguments(JsonProtocol.JsonCommand.SET).key(key).add(ROOT_PATH)
                    : new CommandArguments(Protocol.Command.SET).key(key);
            args.add(rowJson(plan.columns, row));
            pipe.send(args);
            expire(key, pipe);
        }
    }

    private void writeSortedSet(Plan plan, int from, int to, CommandPipeline pipe, long rowsBefore) {
        for (int row = from; row < to; row++) {
            double score = plan.score != null ? plan.score.score(row) : rowsBefore + (row - from);
            pipe.send(new CommandArguments(Protocol.Command.ZADD).key(plan.aggregateKey).add(score)
                    .add(rowJson(plan.columns, row)));
        }
    }

    private void writeSet(Plan plan, int from, int to, CommandPipeline pipe) {
        for (int row = from; row < to; row++) {
            byte[] member = plan.member != null ? plan.member.text(row) : rowJson(plan.columns, row);
            pipe.send(new CommandArguments(Protocol.Command.SADD).key(plan.aggregateKey).add(member));
        }
    }

    private void writeList(Plan plan, int from, int to, CommandPipeline pipe) {
        for (int row = from; row < to; row++) {
            pipe.send(new CommandArguments(Protocol.Command.RPUSH).key(plan.aggregateKey).add(rowJson(plan.columns, row)));
        }
    }

    private void expire(byte[] key, CommandPipeline pipe) {
        if (ttlMillis > 0) {
            pipe.send(new CommandArguments(Protocol.Command.PEXPIRE).key(key).add(ttlMillis));
        }
    }

    private byte[] rowJson(RedisValueEncoder[] cols, int row) {
        ByteSink out = json;
        out.reset();
        out.write('{');
        for (int i = 0; i < cols.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(cols[i].jsonName());
            if (cols[i].isNull(row)) {
                out.write(NULL);
            } else {
                cols[i].writeJson(row, out);
            }
        }
        out.write('}');
        return out.toByteArray();
    }

    private Plan plan(VectorSchemaRoot root, String table, long batchNo) {
        Map<String, RedisValueEncoder> byName = new LinkedHashMap<>();
        for (FieldVector v : root.getFieldVectors()) {
            if (byName.put(v.getName(), RedisValueEncoder.of(v)) != null) {
                throw new LoaderException("table '" + table + "' has two columns named '" + v.getName() + "'");
            }
        }
        DataStructure ds = config.dataStructure();
        KeyPattern.Bound key = ds.perRowKey() ? config.keyPattern().bind(table, byName) : null;
        RedisValueEncoder score = null;
        if (config.scoreField() != null) {
            score = column(byName, config.scoreField(), "score_field", table);
            if (!score.numeric()) {
                throw new LoaderException("score_field '" + config.scoreField() + "' of table '" + table
                        + "' has Arrow type " + score.typeName()
                        + "; a score needs a numeric column (integer, float, decimal, timestamp)");
            }
        }
        RedisValueEncoder member = config.uniqueField() == null ? null
                : column(byName, config.uniqueField(), "unique_field", table);
        return new Plan(byName.values().toArray(new RedisValueEncoder[0]), key, score, member,
                ds.perRowKey() ? null : aggregateKey(table), registryKey(table), table, ds);
    }

    private static RedisValueEncoder column(Map<String, RedisValueEncoder> byName, String name, String key, String table) {
        RedisValueEncoder c = byName.get(name);
        if (c == null) {
            throw new LoaderException(key + " '" + name + "' names a column table '" + table
                    + "' does not have; its columns are: " + String.join(", ", byName.keySet()));
        }
        return c;
    }

    /** One batch's encoders and what each row needs. */
    private record Plan(RedisValueEncoder[] columns, KeyPattern.Bound key, RedisValueEncoder score, RedisValueEncoder member,
                        byte[] aggregateKey, byte[] registryKey, String table, DataStructure structure) {

        /**
         * The keys of rows {@code from..to} for per-row structures (null for the others), checked before anything is
         * sent: no row key may be the table's registry.
         */
        byte[][] keys(int from, int to, long batchNo, long rowsBefore) {
            if (key == null) {
                return null;
            }
            byte[][] keys = new byte[Math.max(0, to - from)][];
            for (int row = from; row < to; row++) {
                byte[] k = key.key(row);
                if (k.length == registryKey.length && Arrays.equals(k, registryKey)) {
                    throw new LoaderException("row " + (row - from) + " of batch " + batchNo + " (row "
                            + (rowsBefore + row - from) + " of the load, 0-based) of table '" + table + "' has the key '"
                            + new String(k, StandardCharsets.UTF_8) + "', which is the table's registry of written keys"
                            + " (" + REGISTRY_SUFFIX + "); nothing of this batch was written");
                }
                keys[row - from] = k;
            }
            return keys;
        }

        /** Fails before anything is sent when a row cannot be written, naming the row. */
        void check(int from, int to, long batchNo, long rowsBefore) {
            List<RedisValueEncoder> required = new ArrayList<>();
            List<String> roles = new ArrayList<>();
            if (key != null) {
                for (RedisValueEncoder c : key.keyColumns()) {
                    required.add(c);
                    roles.add("key_pattern");
                }
            }
            if (score != null) {
                required.add(score);
                roles.add("score_field");
            }
            if (member != null) {
                required.add(member);
                roles.add("unique_field");
            }
            for (int i = 0; i < required.size(); i++) {
                RedisValueEncoder c = required.get(i);
                if (c.vector().getNullCount() == 0) {
                    continue;
                }
                for (int row = from; row < to; row++) {
                    if (c.isNull(row)) {
                        throw new LoaderException("row " + (row - from) + " of batch " + batchNo + " (row "
                                + (rowsBefore + row - from) + " of the load, 0-based) of table '" + table
                                + "' has a null '" + c.name() + "', which " + roles.get(i)
                                + " needs; nothing of this batch was written");
                    }
                }
            }
            if (structure == DataStructure.HASH || structure == DataStructure.STREAM) {
                checkNotAllNull(from, to, batchNo, rowsBefore);
            }
        }

        private void checkNotAllNull(int from, int to, long batchNo, long rowsBefore) {
            for (RedisValueEncoder c : columns) {
                if (c.vector().getNullCount() == 0) {
                    return;
                }
            }
            rows:
            for (int row = from; row < to; row++) {
                for (RedisValueEncoder c : columns) {
                    if (!c.isNull(row)) {
                        continue rows;
                    }
                }
                throw new LoaderException("row " + (row - from) + " of batch " + batchNo + " (row "
                        + (rowsBefore + row - from) + " of the load, 0-based) of table '" + table + "' has only nulls; a "
                        + structure.configName() + " cannot be empty; nothing of this batch was written");
            }
        }
    }

    /** Measures the server memory of the table (MEMORY USAGE, see {@link StoredSize}); false when nothing was written. */
    private boolean measureStored(String table, Progress p) {
        try {
            return p.stored.finish(endpoint);
        } catch (RuntimeException e) {
            // A figure for the report, not part of the load: a server that refuses MEMORY (ACL) loses only the figure.
            LOG.warn("MEMORY USAGE of table '{}' failed, no stored_bytes: {}", table,
                    RedisFailures.serverText(e.getMessage(), config));
            return false;
        }
    }

    private LoadResult result(String table, long startNanos, Progress p, int columns) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("batches_processed", p.batches);
        meta.put("rows_loaded", p.rows);
        meta.put("columns", columns);
        meta.put("avg_batch_size", p.batches == 0 ? 0.0 : (double) p.rows / p.batches);
        // The same keys in every loader: input_bytes what the Arrow rows took, stored_bytes what the table takes in
        // the store (table_size_bytes, the original's key, the same), stored_bytes_added what this load added.
        meta.put("input_bytes", p.bytes);
        p.release();
        if (measureStored(table, p)) {
            if (p.stored.tableKnown()) {
                meta.put("stored_bytes", p.stored.total());
                meta.put("table_size_bytes", p.stored.total());
                meta.put("stored_bytes_added", p.stored.added());
                if (p.rows > 0) {
                    meta.put("stored_bytes_per_row", (double) p.stored.added() / p.rows);
                }
            } else {
                // No registry to count the table's keys: what this load's keys take, new or rewritten.
                meta.put("stored_bytes_written", p.stored.written());
            }
        }
        meta.put("throughput_rows_per_sec", seconds > 0 ? p.rows / seconds : 0.0);
        meta.put("data_structure", config.dataStructure().configName());
        meta.put("key_pattern", config.keyPattern().toString());
        meta.put("pipeline_size", config.pipelineSize());
        meta.put("batch_size", config.batchSize());
        meta.put("commands_sent", p.commands());
        meta.put("pipeline_syncs", p.syncs());
        meta.put("cluster", config.cluster());
        meta.put("key_registry", config.keyRegistry());
        if (p.unlinked >= 0) {
            meta.put("keys_unlinked", p.unlinked);
        }
        LOG.debug("loaded {} rows into '{}' in {} s", p.rows, table, seconds);
        return new LoadResult(p.rows, p.bytes, seconds, table, RedisLoaderProvider.TYPE, meta);
    }
}
