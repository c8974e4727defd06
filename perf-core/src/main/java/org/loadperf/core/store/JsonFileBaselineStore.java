package org.loadperf.core.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BaselineStore;
import org.loadperf.api.BenchmarkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link BaselineStore}: {@code performance_benchmarks.json}, in the format of the guide's tooling.
 *
 * <p>The file is a JSON object keyed {@code {loader_type}_{test_name}}. Each value holds the guide's fields
 * ({@code test_name}, {@code loader_type}, {@code throughput_rows_per_sec}, {@code memory_mb},
 * {@code duration_seconds}, {@code dataset_size}, {@code timestamp}, {@code git_commit}, {@code environment}) first
 * and in that order, so that the guide's summary snippet and its readers keep working; beside them:
 * {@code git_dirty}, the other metrics ({@code allocated_bytes_per_row}, {@code cpu_seconds}), {@code samples}
 * (metric key to the measured samples), {@code machine} (the fingerprint), the record's
 * {@linkplain BenchmarkRecord#extras() extras}, and last {@code history}: the most recent runs (by default
 * {@value #DEFAULT_HISTORY_LIMIT}), oldest first, each with its timestamp, commit, figures and samples. A file
 * written by the guide's tooling loads as it is; its baseline counts as the first run of its history.
 *
 * <p>Nothing the store does not understand is dropped: other keys, fields inside entries and inside history runs
 * are written back as they were read (unknown fields of an entry reach the caller as the record's extras).
 * Numbers are written as plain decimals; JSON has no NaN, so a missing or NaN figure is written as {@code null}
 * (the guide's three metrics) or left out (the others).
 *
 * <p>Safety: every change is a read-modify-write done while holding an exclusive lock, both within the JVM and
 * across processes (an OS lock on the sidecar file {@code performance_benchmarks.json.lock}, which stays in
 * place), so concurrent writers never lose each other's runs. The file is replaced atomically (temp file in the
 * same directory, fsync, atomic rename), so readers, which take no lock, see the old or the new content, never a
 * mix. A file that is not valid JSON makes every operation fail with a {@link CorruptStoreException} naming the
 * file, line and column, and is never written over; {@link #reset()} is the explicit way to discard it. A missing
 * file is an empty store. A valid JSON file that the store cannot represent fails the same way, for every key and
 * every operation, and is never written over: an entry that is not a benchmark entry or a field of the wrong type
 * (named by key and field, e.g. {@code redis_users.history[3].dataset_size}), or a key twice in one object (named
 * with its line).
 *
 * <p>Instances are immutable and thread-safe; any number of instances (and processes) may share a file.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class JsonFileBaselineStore implements BaselineStore {

    /** The guide's file name. */
    public static final String DEFAULT_FILE_NAME = "performance_benchmarks.json";

    /** How many runs each key keeps in its history unless told otherwise. */
    public static final int DEFAULT_HISTORY_LIMIT = 50;

    private static final Logger LOG = LoggerFactory.getLogger(JsonFileBaselineStore.class);

    private final Path file;
    private final int historyLimit;

    private JsonFileBaselineStore(Path file, int historyLimit) {
        this.file = file;
        this.historyLimit = historyLimit;
    }

    /**
     * A store kept in {@code path}, or in {@value #DEFAULT_FILE_NAME} inside it when {@code path} is an existing
     * directory. The file need not exist yet.
     */
    public static JsonFileBaselineStore at(Path path) {
        Objects.requireNonNull(path, "path is null");
        Path p = Files.isDirectory(path) ? path.resolve(DEFAULT_FILE_NAME) : path;
        return new JsonFileBaselineStore(p.toAbsolutePath().normalize(), DEFAULT_HISTORY_LIMIT);
    }

    /** This store keeping at most {@code limit} runs per key in its history (at least 1). */
    public JsonFileBaselineStore withHistoryLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("historyLimit must be at least 1, got " + limit);
        }
        return new JsonFileBaselineStore(file, limit);
    }

    /** The JSON file. */
    public Path path() {
        return file;
    }

    /** How many runs each key keeps in its history. */
    public int historyLimit() {
        return historyLimit;
    }

    @Override
    public Optional<BenchmarkRecord> baseline(String key) {
        Objects.requireNonNull(key, "key is null");
        return Optional.ofNullable(load(BenchmarkJsonFile.read(file)).get(key)).map(Entry::baseline);
    }

    @Override
    public Map<String, BenchmarkRecord> baselines() {
        Map<String, BenchmarkRecord> all = new LinkedHashMap<>();
        load(BenchmarkJsonFile.read(file)).forEach((key, entry) -> all.put(key, entry.baseline()));
        return Collections.unmodifiableMap(all);
    }

    @Override
    public List<BenchmarkRecord> history(String key) {
        Objects.requireNonNull(key, "key is null");
        Entry entry = load(BenchmarkJsonFile.read(file)).get(key);
        return entry == null ? List.of() : entry.history();
    }

    /**
     * Appends {@code record} to the history of its key (dropping the oldest runs beyond the limit) and, when
     * {@code moveBaseline}, makes it the key's baseline: its fields replace the entry's, extras included.
     *
     * <p>The first run of a key always becomes its baseline, whatever {@code moveBaseline} says: there is nothing
     * else to compare with, and an entry without the guide's fields would break the guide's readers.
     *
     * @throws CorruptStoreException when the file cannot be read, or holds an entry (of any key) that the store
     *                               cannot represent; the file is left as it is
     * @throws IllegalArgumentException when an extra of the record has the name of a field the store writes
     */
    @Override
    public void record(BenchmarkRecord record, boolean moveBaseline) {
        write(record, moveBaseline);
    }

    /**
     * Appends {@code record} to the history of its key and makes it the baseline only when the key has none, in
     * one read-modify-write under the file's lock: of concurrent first runs, in threads or processes, exactly one
     * becomes the baseline.
     */
    @Override
    public boolean recordSettingBaselineIfAbsent(BenchmarkRecord record) {
        return write(record, false);
    }

    /** {@link #record}; returns whether {@code record} became the baseline. */
    @SuppressWarnings("try") // the lock is held for the block's duration, never referenced
    private boolean write(BenchmarkRecord record, boolean moveBaseline) {
        Objects.requireNonNull(record, "record is null");
        String key = record.key();
        ObjectNode fresh = BenchmarkJsonCodec.entry(record);
        ObjectNode run = BenchmarkJsonCodec.historyEntry(record);
        boolean move;
        try (BaselineFileLock ignored = BaselineFileLock.acquire(file)) {
            ObjectNode root = BenchmarkJsonFile.read(file);
            load(root); // nothing is rewritten while the file holds what the store cannot represent
            JsonNode old = root.get(key);
            move = old == null || moveBaseline;
            ArrayNode history = old == null ? fresh.arrayNode() : BenchmarkJsonCodec.history(key, old);
            history.add(run);
            while (history.size() > historyLimit) {
                history.remove(0);
            }
            ObjectNode entry = move ? fresh : (ObjectNode) old;
            entry.remove(BenchmarkJsonCodec.HISTORY);
            entry.set(BenchmarkJsonCodec.HISTORY, history); // last, after the fields a reader looks for
            root.set(key, entry);
            BenchmarkJsonFile.write(file, root);
        }
        LOG.debug("Recorded {} in {} (baseline {})", key, file, move ? "moved" : "kept");
        return move;
    }

    /**
     * Removes every baseline and all history by deleting the file (the guide's {@code rm
     * performance_benchmarks.json}), under the lock so that no concurrent write is half-kept. This also discards a
     * corrupt file.
     */
    @Override
    @SuppressWarnings("try")
    public void reset() {
        try (BaselineFileLock ignored = BaselineFileLock.acquire(file)) {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot reset baseline store " + file + ": " + e, e);
        }
        LOG.info("Reset baseline store {}", file);
    }

    @Override
    public String location() {
        return file.toString();
    }

    @Override
    public String toString() {
        return "JsonFileBaselineStore[" + file + ", historyLimit=" + historyLimit + "]";
    }

    /** What the store keeps of one key. */
    private record Entry(BenchmarkRecord baseline, List<BenchmarkRecord> history) {
    }

    /**
     * Every entry of {@code root}, baseline and history, in file order. The whole file is read for every
     * operation, so that one entry the store cannot represent fails reads and writes of every key alike (and a
     * run fails before its benchmark, not when it is recorded), naming the key and field.
     */
    private Map<String, Entry> load(ObjectNode root) {
        Map<String, Entry> all = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonNode> e : root.properties()) {
                String key = e.getKey();
                BenchmarkRecord baseline = BenchmarkJsonCodec.baseline(key, e.getValue());
                ArrayNode history = BenchmarkJsonCodec.history(key, e.getValue());
                List<BenchmarkRecord> runs = new ArrayList<>(history.size());
                for (int i = 0; i < history.size(); i++) {
                    runs.add(BenchmarkJsonCodec.historyRecord((ObjectNode) e.getValue(), key, history.get(i), i));
                }
                all.put(key, new Entry(baseline, List.copyOf(runs)));
            }
        } catch (BenchmarkJsonCodec.MalformedEntryException e) {
            throw new CorruptStoreException(file, -1, -1, e.getMessage(), e);
        }
        return all;
    }
}
