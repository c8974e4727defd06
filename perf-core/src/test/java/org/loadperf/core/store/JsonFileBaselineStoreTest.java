package org.loadperf.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;
import org.loadperf.core.measure.MachineCalibration;

/** {@link JsonFileBaselineStore} on real files in a temporary directory. */
public class JsonFileBaselineStoreTest {

    /** The summary snippet of the guide ("View performance summary"), run as it is printed there. */
    private static final String GUIDE_SNIPPET = """
            import json
            with open('performance_benchmarks.json') as f:
                data = json.load(f)
                for key, bench in data.items():
                    print(f'{bench["loader_type"]}: {bench["throughput_rows_per_sec"]:,.0f} rows/sec')
            """;

    private static final List<String> GUIDE_FIELDS = List.of("test_name", "loader_type", "throughput_rows_per_sec",
            "memory_mb", "duration_seconds", "dataset_size", "timestamp", "git_commit", "environment");

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /**
     * A run of {@code loader_test} whose figures encode {@code writer} and {@code i}, so that every run can be
     * found again in the history (its git_commit is {@code writer-i}).
     */
    public static BenchmarkRecord run(String test, String loader, String writer, int i) {
        return new BenchmarkRecord(test, loader, 1000, Map.of(Metric.THROUGHPUT, 1000.0 + i, Metric.MEMORY, 10.5,
                Metric.DURATION, 1.0 / (1000.0 + i)), Map.of(Metric.THROUGHPUT, List.of(999.0 + i, 1001.0 + i)),
                Instant.now().toString(), writer + "-" + i, false, "local", Map.of(), Map.of());
    }

    private static BenchmarkRecord fullRecord(String test, double throughput) {
        Map<Metric, Double> values = new LinkedHashMap<>();
        values.put(Metric.THROUGHPUT, throughput);
        values.put(Metric.MEMORY, 115.1);
        values.put(Metric.DURATION, 0.029);
        values.put(Metric.ALLOCATED_BYTES_PER_ROW, 312.25);
        values.put(Metric.CPU_SECONDS, 0.041);
        Map<Metric, List<Double>> samples = Map.of(
                Metric.THROUGHPUT, List.of(throughput - 10, throughput, throughput + 10),
                Metric.MEMORY, List.of(114.0, 115.1, 116.0),
                Metric.DURATION, List.of(0.03, 0.029, 0.028));
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("os", "Linux 6.1");
        machine.put("arch", "amd64");
        machine.put("cpus", "2");
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("statistics", Map.of("throughput_rows_per_sec", Map.of("median", throughput, "mad", 4.5)));
        extras.put("tags", List.of("ci", "nightly"));
        extras.put("iterations", 3);
        return new BenchmarkRecord(test, "postgresql", 50_000, values, samples, "2026-01-02T03:04:05.123456+01:00",
                "c3e98d42", true, "ci", machine, extras);
    }

    private Path file() {
        return dir.resolve(JsonFileBaselineStore.DEFAULT_FILE_NAME);
    }

    private JsonNode tree() throws IOException {
        return JSON.readTree(file().toFile());
    }

    @Test
    void roundTripKeepsEveryField() throws IOException {
        JsonFileBaselineStore store = JsonFileBaselineStore.at(dir);
        BenchmarkRecord record = fullRecord("large_table_loading_performance", 33825.85);

        store.record(record, true);

        assertThat(store.path()).isEqualTo(file().toAbsolutePath());
        assertThat(store.location()).isEqualTo(file().toAbsolutePath().toString());
        BenchmarkRecord back = store.baseline("postgresql_large_table_loading_performance").orElseThrow();
        assertThat(back).isEqualTo(record);
        assertThat(store.baselines()).containsOnlyKeys("postgresql_large_table_loading_performance");
        assertThat(store.history(record.key())).hasSize(1);
        BenchmarkRecord run = store.history(record.key()).get(0);
        assertThat(run.values()).isEqualTo(record.values());
        assertThat(run.samples()).isEqualTo(record.samples());
        assertThat(run.timestamp()).isEqualTo(record.timestamp());
        assertThat(run.gitCommit()).isEqualTo("c3e98d42");
        assertThat(run.gitDirty()).isTrue();
        assertThat(run.datasetSize()).isEqualTo(50_000);
        assertThat(run.environment()).isEqualTo("ci");

        // the guide's fields first and in its order, then ours, history last
        List<String> fields = new ArrayList<>();
        tree().get(record.key()).fieldNames().forEachRemaining(fields::add);
        assertThat(fields.subList(0, GUIDE_FIELDS.size())).isEqualTo(GUIDE_FIELDS);
        assertThat(fields).contains("git_dirty", "allocated_bytes_per_row", "cpu_seconds", "samples", "machine",
                "statistics", "tags", "iterations");
        assertThat(fields.get(fields.size() - 1)).isEqualTo("history");
        assertThat(tree().get(record.key()).get("machine").get("cpus").asText()).isEqualTo("2");
    }

    @Test
    void missingFileIsAnEmptyStore() {
        JsonFileBaselineStore store = JsonFileBaselineStore.at(dir.resolve("sub/none.json"));

        assertThat(store.baselines()).isEmpty();
        assertThat(store.baseline("postgresql_x")).isEmpty();
        assertThat(store.history("postgresql_x")).isEmpty();
        assertThat(dir.resolve("sub")).doesNotExist(); // reading creates nothing

        store.record(run("x", "postgresql", "w", 1), true);
        assertThat(store.baseline("postgresql_x")).isPresent();
    }

    @Test
    void guideFileLoadsAndStaysReadableByTheGuideSnippet() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/guide-performance_benchmarks.json")) {
            Files.copy(in, file());
        }
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());

        BenchmarkRecord guide = store.baseline("postgresql_large_table_loading_performance").orElseThrow();
        assertThat(guide.testName()).isEqualTo("large_table_loading_performance");
        assertThat(guide.loaderType()).isEqualTo("postgresql");
        assertThat(guide.value(Metric.THROUGHPUT)).hasValue(33825.85);
        assertThat(guide.value(Metric.MEMORY)).hasValue(115.1);
        assertThat(guide.value(Metric.DURATION)).hasValue(0.029);
        assertThat(guide.value(Metric.ALLOCATED_BYTES_PER_ROW)).isEmpty();
        assertThat(guide.datasetSize()).isEqualTo(1000);
        assertThat(guide.timestamp()).isEqualTo("2025-07-29T07:18:04.091203");
        assertThat(guide.gitCommit()).isEqualTo("c3e98d42");
        assertThat(guide.environment()).isEqualTo("local");
        assertThat(guide.gitDirty()).isFalse();
        assertThat(guide.samples()).isEmpty();
        assertThat(guide.extras()).isEmpty();
        assertThat(store.history(guide.key())).singleElement()
                .satisfies(r -> assertThat(r.value(Metric.THROUGHPUT)).hasValue(33825.85));
        assertThat(guideSnippet()).isEqualTo("postgresql: 33,826 rows/sec\n");

        // a pinned run is added to the history; the guide's baseline stays, and the guide's run is its first run
        BenchmarkRecord pinned = fullRecord("large_table_loading_performance", 40000.0);
        store.record(pinned, false);
        store.record(fullRecord("throughput_comparison", 1234567.891), true);

        assertThat(store.baseline(guide.key())).hasValue(guide);
        assertThat(store.history(guide.key())).extracting(r -> r.gitCommit() + "@" + r.timestamp())
                .containsExactly("c3e98d42@2025-07-29T07:18:04.091203", "c3e98d42@2026-01-02T03:04:05.123456+01:00");
        assertThat(guideSnippet()).isEqualTo("postgresql: 33,826 rows/sec\npostgresql: 1,234,568 rows/sec\n");
    }

    /** Runs {@link #GUIDE_SNIPPET} in {@link #dir} with python3 and returns what it printed. */
    private String guideSnippet() throws Exception {
        assumeTrue(python3Available(), "python3 is not installed");
        Process p = new ProcessBuilder("python3", "-c", GUIDE_SNIPPET).directory(dir.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("python3 said: %s", out).isZero();
        return out;
    }

    private static boolean python3Available() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void numbersArePlainAndNeverNaN() throws Exception {
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());
        Map<Metric, Double> values = Map.of(Metric.THROUGHPUT, 33825850.0, Metric.MEMORY, 1.0E-7,
                Metric.DURATION, Double.NaN, Metric.CPU_SECONDS, Double.POSITIVE_INFINITY,
                Metric.ALLOCATED_BYTES_PER_ROW, 100.0);
        store.record(new BenchmarkRecord("n", "redis", 10, values,
                Map.of(Metric.DURATION, List.of(0.5, Double.NaN, 0.25)), "2026-01-01T00:00:00Z", "unknown", false,
                "local", Map.of(), Map.of("ratio", 2.5E-9)), true);

        String text = Files.readString(file());
        assertThat(text).doesNotContainIgnoringCase("nan").doesNotContainIgnoringCase("infinity")
                .doesNotContain("E-").doesNotContain("E+").doesNotContain("E7")
                .contains("\"throughput_rows_per_sec\": 33825850.0,", "\"memory_mb\": 0.0000001,",
                        "\"duration_seconds\": null,", "\"allocated_bytes_per_row\": 100.0,",
                        "\"ratio\": 0.0000000025", "[ 0.5, null, 0.25 ]")
                .doesNotContain("cpu_seconds");
        BenchmarkRecord back = store.baseline("redis_n").orElseThrow();
        assertThat(back.value(Metric.THROUGHPUT)).hasValue(33825850.0);
        assertThat(back.value(Metric.MEMORY)).hasValue(1.0E-7);
        assertThat(back.value(Metric.DURATION)).isEmpty();
        assertThat(back.value(Metric.CPU_SECONDS)).isEmpty();
        assertThat(back.samples(Metric.DURATION)).containsExactly(0.5, Double.NaN, 0.25);
        assertThat(back.extras()).containsEntry("ratio", 2.5E-9);

        assumeTrue(python3Available(), "python3 is not installed");
        Process p = new ProcessBuilder("python3", "-c", "import json; b = json.load(open('"
                + JsonFileBaselineStore.DEFAULT_FILE_NAME + "'))['redis_n']; "
                + "print(repr(b['throughput_rows_per_sec']), repr(b['memory_mb']), repr(b['allocated_bytes_per_row']))")
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("33825850.0 1e-07 100.0\n"); // floats stay floats for Python
    }

    @Test
    void unknownFieldsAreKeptOnRewrite() throws IOException {
        String foreign = """
                {
                  "redis_pipeline_performance": {
                    "test_name": "pipeline_performance", "loader_type": "redis",
                    "throughput_rows_per_sec": 5012.0, "memory_mb": 12.5, "duration_seconds": 1.99,
                    "dataset_size": 10000, "timestamp": "2025-07-29T07:18:04.091203", "git_commit": "deadbeef",
                    "environment": "local", "note": "tuned by hand", "statistics": {"p95": 1.23456789012345678901},
                    "history": [ {"timestamp": "2025-07-29T07:18:04.091203", "git_commit": "deadbeef",
                                  "throughput_rows_per_sec": 5012.0, "runner": "gha-7"} ]
                  },
                  "delta_lake_large_file_write_performance": {
                    "test_name": "large_file_write_performance", "loader_type": "delta_lake",
                    "throughput_rows_per_sec": 9000.5, "memory_mb": 40.0, "duration_seconds": 5.5,
                    "dataset_size": 50000, "timestamp": "2025-07-30T00:00:00", "git_commit": "unknown",
                    "environment": "ci", "owner": {"team": "lake", "since": 2024}, "weights": [1, 2.50, 3e2]
                  }
                }
                """;
        Files.writeString(file(), foreign);
        JsonNode delta = JSON.readTree(foreign).get("delta_lake_large_file_write_performance");
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());

        BenchmarkRecord redis = store.baseline("redis_pipeline_performance").orElseThrow();
        assertThat(redis.extras()).containsEntry("note", "tuned by hand").containsKey("statistics");

        store.record(run("pipeline_performance", "redis", "w", 1), false);   // history only
        store.record(run("other", "postgresql", "w", 2), true);              // another key

        JsonNode after = tree();
        assertThat(after.get("delta_lake_large_file_write_performance")).isEqualTo(delta);
        assertThat(Files.readString(file())).contains("\"weights\": [ 1, 2.50, 300.0 ]",
                "\"p95\": 1.23456789012345678901");
        JsonNode redisNode = after.get("redis_pipeline_performance");
        assertThat(redisNode.get("note").asText()).isEqualTo("tuned by hand");
        assertThat(redisNode.get("history")).hasSize(2);
        assertThat(redisNode.get("history").get(0).get("runner").asText()).isEqualTo("gha-7");
        assertThat(store.history("redis_pipeline_performance").get(0).extras()).containsEntry("runner", "gha-7");
        assertThat(store.baseline("delta_lake_large_file_write_performance").orElseThrow().extras())
                .containsEntry("owner", Map.of("team", "lake", "since", 2024))
                .containsEntry("weights", List.of(1, 2.5, 300.0));

        // re-recording a read baseline as the new baseline keeps what it carried
        store.record(redis, true);
        assertThat(store.baseline("redis_pipeline_performance")).hasValue(redis);
        assertThat(store.history("redis_pipeline_performance")).hasSize(3);
    }

    @Test
    void extraNamedLikeAStoreFieldIsRefused() {
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());
        BenchmarkRecord bad = run("x", "redis", "w", 1).withExtras(Map.of("history", List.of()));

        assertThatThrownBy(() -> store.record(bad, true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'history'").hasMessageContaining("redis_x");
        assertThat(file()).doesNotExist();
    }

    @Test
    void historyIsBoundedOldestDropped() {
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file()).withHistoryLimit(5);
        for (int i = 0; i < 12; i++) {
            store.record(run("bounded", "redis", "w", i), true);
        }
        assertThat(store.history("redis_bounded")).extracting(BenchmarkRecord::gitCommit)
                .containsExactly("w-7", "w-8", "w-9", "w-10", "w-11");
        assertThat(store.history("redis_bounded").get(4).value(Metric.THROUGHPUT)).hasValue(1011.0);
        assertThat(store.history("redis_bounded").get(4).samples(Metric.THROUGHPUT)).containsExactly(1010.0, 1012.0);

        JsonFileBaselineStore dflt = JsonFileBaselineStore.at(dir.resolve("default.json"));
        assertThat(dflt.historyLimit()).isEqualTo(50);
        for (int i = 0; i < 53; i++) {
            dflt.record(run("bounded", "redis", "w", i), true);
        }
        assertThat(dflt.history("redis_bounded")).hasSize(50).first()
                .satisfies(r -> assertThat(r.gitCommit()).isEqualTo("w-3"));
        assertThatThrownBy(() -> store.withHistoryLimit(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("historyLimit");
    }

    @Test
    void historyKeepsEachRunsMachine() {
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());
        for (int i = 0; i < 3; i++) {
            BenchmarkRecord r = run("machines", "redis", "w", i);
            store.record(new BenchmarkRecord(r.testName(), r.loaderType(), r.datasetSize(), r.values(), r.samples(),
                    r.timestamp(), r.gitCommit(), r.gitDirty(), r.environment(), Map.of("cpus", String.valueOf(2 + i),
                    MachineCalibration.RUN_SPEED_KEY, String.valueOf(1000 * (i + 1))), Map.of()), true);
        }
        // Read back from the file by a store that did not write it.
        assertThat(JsonFileBaselineStore.at(file()).history("redis_machines"))
                .extracting(h -> h.fingerprint().get("cpus") + "/"
                        + h.fingerprint().get(MachineCalibration.RUN_SPEED_KEY))
                .containsExactly("2/1000", "3/2000", "4/3000");
    }

    @Test
    void withoutMoveTheOldBaselineStays() {
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());
        BenchmarkRecord first = run("pinned", "postgresql", "w", 1);
        store.record(first, true);

        store.record(run("pinned", "postgresql", "w", 2), false);
        store.record(run("pinned", "postgresql", "w", 3), false);

        assertThat(store.baseline("postgresql_pinned")).hasValue(first);
        assertThat(store.history("postgresql_pinned")).extracting(BenchmarkRecord::gitCommit)
                .containsExactly("w-1", "w-2", "w-3");

        store.record(run("pinned", "postgresql", "w", 4), true);
        assertThat(store.baseline("postgresql_pinned").orElseThrow().gitCommit()).isEqualTo("w-4");
    }

    @Test
    void firstRunOfAKeyBecomesItsBaselineEvenWithoutMove() {
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());
        store.record(run("fresh", "postgresql", "w", 1), false);

        assertThat(store.baseline("postgresql_fresh").orElseThrow().gitCommit()).isEqualTo("w-1");
        assertThat(store.history("postgresql_fresh")).hasSize(1);
    }

    @Test
    void eightThreadsLoseNothing() throws Exception {
        int threads = 8;
        int perThread = 50;
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file()).withHistoryLimit(1000);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String writer = "t" + t;
            // a store instance per thread as well: the JVM lock must hold across instances
            JsonFileBaselineStore own = t % 2 == 0 ? store : JsonFileBaselineStore.at(dir).withHistoryLimit(1000);
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    own.record(run("shared", "threads", writer, i), i % 3 == 0);
                    if (i % 10 == 0) {
                        own.record(run(writer, "threads", writer, i), true);
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();

        Set<String> expected = new HashSet<>();
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                expected.add("t" + t + "-" + i);
            }
        }
        List<String> commits = store.history("threads_shared").stream().map(BenchmarkRecord::gitCommit).toList();
        assertThat(commits).hasSize(threads * perThread).containsExactlyInAnyOrderElementsOf(expected);
        for (int t = 0; t < threads; t++) {
            assertThat(store.history("threads_t" + t)).extracting(BenchmarkRecord::gitCommit)
                    .containsExactly("t" + t + "-0", "t" + t + "-10", "t" + t + "-20", "t" + t + "-30",
                            "t" + t + "-40");
        }
        assertThat(store.baselines()).hasSize(threads + 1);
        assertNoTempFiles();
    }

    /**
     * Two processes write to one key and to keys of their own at once, and race on the first run of new keys with
     * the pinned policy ({@link BaselineStoreWriterProcess}).
     */
    @Test
    void twoProcessesLoseNothingAndSetEachPinnedBaselineOnce() throws Exception {
        int count = 50;
        List<String> out = runWriterProcesses(count);

        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());
        List<String> shared = store.history("proc_shared").stream().map(BenchmarkRecord::gitCommit).toList();
        Set<String> expected = Stream.of("p1", "p2").flatMap(w -> IntStream.range(0, count)
                .mapToObj(i -> w + "-" + i)).collect(Collectors.toSet());
        assertThat(shared).hasSize(2 * count).containsExactlyInAnyOrderElementsOf(expected);
        // each process's own runs are in its order
        for (String writer : List.of("p1", "p2")) {
            assertThat(shared.stream().filter(c -> c.startsWith(writer + "-")).toList())
                    .isEqualTo(IntStream.range(0, count).mapToObj(i -> writer + "-" + i).toList());
            assertThat(store.history("proc_" + writer)).hasSize(count);
            assertThat(store.baseline("proc_" + writer).orElseThrow().gitCommit())
                    .isEqualTo(writer + "-" + (count - 1));
        }
        // of the two first runs of each new key, the one recorded first is the baseline, and only its process was
        // told that it became the baseline
        for (int i = 0; i < count; i++) {
            String key = "proc_pinned" + i;
            List<BenchmarkRecord> history = store.history(key);
            assertThat(history).extracting(BenchmarkRecord::gitCommit).as(key)
                    .containsExactlyInAnyOrder("p1-" + i, "p2-" + i);
            String first = history.get(0).gitCommit();
            assertThat(store.baseline(key).orElseThrow().gitCommit()).as(key).isEqualTo(first);
            String line = "baseline " + key + "\n";
            assertThat(out.get(0).contains(line)).as(key).isEqualTo(first.startsWith("p1-"));
            assertThat(out.get(1).contains(line)).as(key).isEqualTo(first.startsWith("p2-"));
        }
        System.out.println("two processes: shared history switches writer "
                + IntStream.range(1, shared.size())
                .filter(i -> shared.get(i).charAt(1) != shared.get(i - 1).charAt(1)).count() + " times");
        assertNoTempFiles();
    }

    /**
     * Runs {@link BaselineStoreWriterProcess} as writers {@code p1} and {@code p2} at once on {@link #file()} and
     * returns what each printed.
     */
    private List<String> runWriterProcesses(int count) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("java.class.path");
        Path go = dir.resolve("go");
        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (String writer : List.of("p1", "p2")) {
            Path log = dir.resolve(writer + ".log");
            logs.add(log);
            processes.add(new ProcessBuilder(javaBin, "-cp", classpath, BaselineStoreWriterProcess.class.getName(),
                    file().toString(), writer, String.valueOf(count), "1000", dir.resolve(writer + ".ready").toString(),
                    go.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start());
        }
        try {
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            while (!(Files.exists(dir.resolve("p1.ready")) && Files.exists(dir.resolve("p2.ready")))) {
                assertThat(Instant.now()).as("both writer processes started").isBefore(deadline);
                assertThat(processes).allMatch(Process::isAlive);
                Thread.sleep(10);
            }
            Files.createFile(go);
            for (int i = 0; i < processes.size(); i++) {
                Process p = processes.get(i);
                assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("writer %d finished", i + 1).isTrue();
                assertThat(p.exitValue()).as("writer %d said: %s", i + 1, Files.readString(logs.get(i))).isZero();
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
        List<String> out = new ArrayList<>();
        for (Path log : logs) {
            out.add(Files.readString(log));
        }
        return out;
    }

    /**
     * The pinned policy's first run of a key, raced by eight threads (half of them through store instances of
     * their own): exactly one becomes the baseline, and it is the first run of the history; no later run moved it.
     */
    @Test
    void concurrentThreadsSetEachPinnedBaselineOnce() throws Exception {
        int threads = 8;
        int keys = 20;
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<String>>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String writer = "t" + t;
            JsonFileBaselineStore own = t % 2 == 0 ? store : JsonFileBaselineStore.at(dir);
            done.add(pool.submit(() -> {
                start.await();
                List<String> claimed = new ArrayList<>();
                for (int i = 0; i < keys; i++) {
                    if (own.recordSettingBaselineIfAbsent(run("pinned" + i, "threads", writer, i))) {
                        claimed.add(writer + "-" + i);
                    }
                }
                return claimed;
            }));
        }
        start.countDown();
        List<String> claimed = new ArrayList<>();
        for (Future<List<String>> f : done) {
            claimed.addAll(f.get(5, TimeUnit.MINUTES));
        }
        pool.shutdown();

        for (int i = 0; i < keys; i++) {
            String key = "threads_pinned" + i;
            List<BenchmarkRecord> history = store.history(key);
            assertThat(history).hasSize(threads);
            String first = history.get(0).gitCommit();
            assertThat(store.baseline(key).orElseThrow().gitCommit()).as(key).isEqualTo(first);
            int index = i;
            assertThat(claimed.stream().filter(c -> c.endsWith("-" + index))).as(key).containsExactly(first);
        }
        assertThat(claimed).hasSize(keys);
    }

    private void assertNoTempFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        assertThat(BaselineFileLock.lockFileOf(file())).exists();
    }

    @Test
    void corruptFileIsReportedWithPositionAndNeverOverwritten() throws IOException {
        byte[] corrupt = ("{\n  \"redis_x\": {\n    \"test_name\": \"x\",, \"loader_type\": \"redis\"\n  }\n}\n")
                .getBytes(StandardCharsets.UTF_8);
        Files.write(file(), corrupt);
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());

        CorruptStoreException e = catchThrowableOfType(CorruptStoreException.class,
                () -> store.record(run("x", "redis", "w", 1), true));
        assertThat(e.path()).isEqualTo(file().toAbsolutePath());
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.column()).isEqualTo(22); // the second comma
        assertThat(e).hasMessageContaining(file().toAbsolutePath().toString())
                .hasMessageContaining("line 3, column 22").hasMessageContaining("left untouched");
        assertThat(Files.readAllBytes(file())).isEqualTo(corrupt);

        assertThatThrownBy(() -> store.record(run("y", "redis", "w", 1), false))
                .isInstanceOf(CorruptStoreException.class);
        assertThatThrownBy(store::baselines).isInstanceOf(CorruptStoreException.class);
        assertThatThrownBy(() -> store.baseline("redis_x")).isInstanceOf(CorruptStoreException.class);
        assertThatThrownBy(() -> store.history("redis_x")).isInstanceOf(CorruptStoreException.class);
        assertThat(Files.readAllBytes(file())).isEqualTo(corrupt);
        assertNoTempFilesOnly();
    }

    @Test
    void fileThatIsNotOneObjectIsCorrupt() throws IOException {
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());
        Map<String, String> cases = Map.of(
                "[1, 2]", "line 1, column 1",
                "{\"a\": {}}\n{\"b\": 1}", "line 2, column 1",
                "{\"a\": {", "line 1, column 8");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Files.writeString(file(), c.getKey());
            assertThatThrownBy(() -> store.record(run("x", "redis", "w", 1), true))
                    .as(c.getKey()).isInstanceOf(CorruptStoreException.class).hasMessageContaining(c.getValue());
            assertThat(Files.readString(file())).isEqualTo(c.getKey());
        }
    }

    @Test
    void entryThatIsNotABenchmarkIsReportedByKeyAndKeptAsItIs() throws IOException {
        String text = "{\"redis_x\": {\"test_name\": \"x\", \"loader_type\": \"redis\", "
                + "\"throughput_rows_per_sec\": \"fast\", \"timestamp\": \"t\"}}";
        Files.writeString(file(), text);
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());

        assertThatThrownBy(() -> store.record(run("x", "redis", "w", 1), true))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining(file().toAbsolutePath().toString())
                .hasMessageContaining("redis_x.throughput_rows_per_sec").hasMessageContaining("fast");
        assertThat(Files.readString(file())).isEqualTo(text);

        // nor is any other key written while the file holds an entry the store cannot represent
        assertThatThrownBy(() -> store.record(run("y", "redis", "w", 1), true))
                .isInstanceOf(CorruptStoreException.class)
                .hasMessageContaining("redis_x.throughput_rows_per_sec");
        assertThat(Files.readString(file())).isEqualTo(text);
    }

    /** A valid entry {@code redis_y} beside {@code redis_x}, whose fields are the guide's plus {@code more}. */
    private static String fileWithBadEntry(String more) {
        return "{\n  \"redis_y\": {\"test_name\": \"y\", \"loader_type\": \"redis\", "
                + "\"throughput_rows_per_sec\": 5.0, \"memory_mb\": 1.0, \"duration_seconds\": 0.2, "
                + "\"dataset_size\": 1, \"timestamp\": \"t\", \"git_commit\": \"y1\", \"environment\": \"local\"},\n"
                + "  \"redis_x\": {\"test_name\": \"x\", \"loader_type\": \"redis\", "
                + "\"throughput_rows_per_sec\": 5.0, \"memory_mb\": 1.0, \"duration_seconds\": 0.2, "
                + "\"dataset_size\": 1, \"timestamp\": \"t\", \"git_commit\": \"x1\", \"environment\": \"local\""
                + more + "}\n}\n";
    }

    /**
     * Every operation, reads and writes of any key alike, fails on {@code text} with an error naming the file and
     * {@code field}, and the file keeps its bytes.
     */
    private void assertEveryOperationRefuses(String text, String field) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Files.write(file(), bytes);
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());
        Map<String, ThrowingCallable> operations = new LinkedHashMap<>();
        operations.put("baselines()", store::baselines);
        operations.put("baseline(redis_x)", () -> store.baseline("redis_x"));
        operations.put("baseline(redis_y)", () -> store.baseline("redis_y"));
        operations.put("history(redis_x)", () -> store.history("redis_x"));
        operations.put("history(redis_y)", () -> store.history("redis_y"));
        operations.put("record(redis_x, move)", () -> store.record(run("x", "redis", "w", 1), true));
        operations.put("record(redis_x, keep)", () -> store.record(run("x", "redis", "w", 1), false));
        operations.put("record(redis_y, move)", () -> store.record(run("y", "redis", "w", 1), true));
        operations.put("record(redis_new, keep)", () -> store.record(run("new", "redis", "w", 1), false));
        for (Map.Entry<String, ThrowingCallable> op : operations.entrySet()) {
            assertThatThrownBy(op.getValue()).as("%s on %s", op.getKey(), text)
                    .isInstanceOf(CorruptStoreException.class)
                    .hasMessageContaining(file().toAbsolutePath().toString())
                    .hasMessageContaining("'" + field + "'")
                    .hasMessageContaining("left untouched");
            assertThat(Files.readAllBytes(file())).as("%s on %s", op.getKey(), text).isEqualTo(bytes);
        }
        assertNoTempFilesOnly();
    }

    @Test
    void entryOfWrongTypesFailsEveryOperationNamingKeyAndFieldAndIsNeverRewritten() throws IOException {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(", \"memory_mb\": \"fast\"", "redis_x.memory_mb");
        cases.put(", \"git_dirty\": \"yes\"", "redis_x.git_dirty");
        cases.put(", \"cpu_seconds\": 1e999", "redis_x.cpu_seconds"); // no double holds it
        cases.put(", \"machine\": [1]", "redis_x.machine");
        cases.put(", \"samples\": [1.0, 2.0]", "redis_x.samples");
        cases.put(", \"samples\": {\"throughput_rows_per_sec\": 5.0}",
                "redis_x.samples.throughput_rows_per_sec");
        cases.put(", \"samples\": {\"memory_mb\": [1.0, \"x\"]}", "redis_x.samples.memory_mb");
        cases.put(", \"history\": 7", "redis_x.history");
        cases.put(", \"history\": [5]", "redis_x.history[0]");
        cases.put(", \"history\": [{\"timestamp\": \"t\"}, "
                + "{\"timestamp\": \"u\", \"duration_seconds\": true}]", "redis_x.history[1].duration_seconds");
        cases.put(", \"history\": [{\"timestamp\": \"t\", \"samples\": {\"memory_mb\": {}}}]",
                "redis_x.history[0].samples.memory_mb");
        cases.put(", \"history\": [{\"timestamp\": 17}]", "redis_x.history[0].timestamp");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            assertEveryOperationRefuses(fileWithBadEntry(c.getKey()), c.getValue());
        }
        // a guide field of the wrong type, written where the guide writes it
        assertEveryOperationRefuses(fileWithBadEntry("").replace("\"throughput_rows_per_sec\": 5.0, "
                + "\"memory_mb\": 1.0, \"duration_seconds\": 0.2, \"dataset_size\": 1, \"timestamp\": \"t\", "
                + "\"git_commit\": \"x1\"", "\"throughput_rows_per_sec\": \"fast\", \"memory_mb\": 1.0, "
                + "\"duration_seconds\": 0.2, \"dataset_size\": 1, \"timestamp\": \"t\", \"git_commit\": \"x1\""),
                "redis_x.throughput_rows_per_sec");
    }

    @Test
    void datasetSizeMustBeAWholeNumberInRange() throws IOException {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("10.9", "redis_x.dataset_size");
        cases.put("1e30", "redis_x.dataset_size");
        cases.put("-5", "redis_x.dataset_size");
        cases.put("\"1000\"", "redis_x.dataset_size");
        cases.put("NaN", "redis_x.dataset_size");
        cases.put("99999999999999999999", "redis_x.dataset_size");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String text = fileWithBadEntry("").replace("\"dataset_size\": 1, \"timestamp\": \"t\", "
                    + "\"git_commit\": \"x1\"", "\"dataset_size\": " + c.getKey() + ", \"timestamp\": \"t\", "
                    + "\"git_commit\": \"x1\"");
            assertThat(text).contains(c.getKey());
            assertEveryOperationRefuses(text, c.getValue());
            assertThatThrownBy(() -> JsonFileBaselineStore.at(file()).baselines()).hasMessageContaining(
                    "whole number");
        }
        assertEveryOperationRefuses(fileWithBadEntry(", \"history\": [{\"timestamp\": \"t\", "
                + "\"dataset_size\": 2.5}]"), "redis_x.history[0].dataset_size");

        // a whole number written as a float is still that number
        Files.writeString(file(), fileWithBadEntry(", \"history\": [{\"timestamp\": \"t\", "
                + "\"dataset_size\": 2.0}]")
                .replace("\"dataset_size\": 1, \"timestamp\": \"t\", \"git_commit\": \"x1\"",
                        "\"dataset_size\": 1E+3, \"timestamp\": \"t\", \"git_commit\": \"x1\""));
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());
        assertThat(store.baseline("redis_x").orElseThrow().datasetSize()).isEqualTo(1000);
        assertThat(store.history("redis_x")).singleElement().satisfies(r -> assertThat(r.datasetSize()).isEqualTo(2));
    }

    @Test
    void duplicateKeysAreReportedWithTheirLineAndNeverRewritten() throws IOException {
        String good = "{\"test_name\": \"x\", \"loader_type\": \"redis\", \"throughput_rows_per_sec\": 5.0, "
                + "\"dataset_size\": 1, \"timestamp\": \"t\"}";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\n  \"redis_x\": " + good + ",\n  \"redis_y\": " + good.replace("\"x\"", "\"y\"")
                + ",\n  \"redis_x\": " + good + "\n}\n", "redis_x");
        cases.put("{\n  \"redis_x\": {\"test_name\": \"x\", \"loader_type\": \"redis\",\n \"dataset_size\": 1,\n"
                + " \"timestamp\": \"t\", \"dataset_size\": 2}\n}\n", "redis_x.dataset_size");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            byte[] bytes = c.getKey().getBytes(StandardCharsets.UTF_8);
            Files.write(file(), bytes);
            JsonFileBaselineStore store = JsonFileBaselineStore.at(file());
            for (ThrowingCallable op : List.<ThrowingCallable>of(
                    () -> store.record(run("x", "redis", "w", 1), true),
                    () -> store.record(run("z", "redis", "w", 1), false), store::baselines,
                    () -> store.history("redis_x"))) {
                CorruptStoreException e = catchThrowableOfType(CorruptStoreException.class, op);
                assertThat(e).as(c.getKey()).isNotNull();
                assertThat(e.line()).as(c.getKey()).isEqualTo(4);
                assertThat(e).hasMessageContaining("line 4").hasMessageContaining("duplicate")
                        .hasMessageContaining("'" + c.getValue() + "'")
                        .hasMessageContaining(file().toAbsolutePath().toString());
                assertThat(Files.readAllBytes(file())).isEqualTo(bytes);
            }
        }
    }

    private void assertNoTempFilesOnly() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void resetRemovesEverythingAlsoACorruptFile() throws IOException {
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());
        store.record(run("a", "redis", "w", 1), true);
        store.record(run("b", "redis", "w", 1), true);
        assertThat(store.baselines()).hasSize(2);

        store.reset();

        assertThat(store.baselines()).isEmpty();
        assertThat(store.history("redis_a")).isEmpty();
        assertThat(file()).doesNotExist();

        Files.writeString(file(), "{ not json");
        store.reset();
        assertThat(file()).doesNotExist();
        store.record(run("a", "redis", "w", 2), true);
        assertThat(store.history("redis_a")).extracting(BenchmarkRecord::gitCommit).containsExactly("w-2");
    }

    @Test
    void rewriteKeepsFilePermissions() throws IOException {
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file());
        store.record(run("a", "redis", "w", 1), true);
        assumeTrue(Files.getFileStore(file()).supportsFileAttributeView("posix"));
        Files.setPosixFilePermissions(file(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-r--"));

        store.record(run("a", "redis", "w", 2), true);

        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file())))
                .isEqualTo("rw-rw-r--");
    }
}
