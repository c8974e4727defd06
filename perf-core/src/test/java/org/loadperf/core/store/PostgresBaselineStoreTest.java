package org.loadperf.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;
import org.loadperf.core.cli.PerfCli;
import org.loadperf.core.settings.PerfSettings;

/** {@link PostgresBaselineStore} against a real server: the machine's ({@code POSTGRES_HOST}) or an embedded one. */
class PostgresBaselineStoreTest {

    @TempDir
    Path dir;

    private StoreTestServer server;
    private String url;

    @BeforeEach
    void setUp() throws Exception {
        server = StoreTestServer.shared();
        url = server.newStoreUrl();
    }

    @org.junit.jupiter.api.AfterEach
    void dropSchema() throws Exception {
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + StoreTestServer.schemaOf(url) + " CASCADE");
        }
    }

    private PostgresBaselineStore store(String branch) {
        return PostgresBaselineStore.parse(url, null, branch, "main", "test-class");
    }

    private static BenchmarkRecord full(String test, double throughput, String commit) {
        Map<Metric, Double> values = new LinkedHashMap<>();
        values.put(Metric.THROUGHPUT, throughput);
        values.put(Metric.MEMORY, 115.1);
        values.put(Metric.DURATION, 0.029);
        values.put(Metric.ALLOCATED_BYTES_PER_ROW, 312.25);
        Map<Metric, List<Double>> samples = Map.of(Metric.THROUGHPUT, List.of(throughput - 10, throughput,
                throughput + 10), Metric.MEMORY, List.of(114.0, 115.1, 116.0));
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("acknowledged", Map.of("reason", "new codec", "commit", commit));
        extras.put("tags", List.of("ci", "nightly"));
        return new BenchmarkRecord(test, "postgresql", 50_000, values, samples, "2026-01-02T03:04:05.123456+01:00",
                commit, true, "ci", Map.of(), extras);
    }

    @Test
    void roundTripKeepsTheGuidesFieldsSamplesAndExtras() {
        PostgresBaselineStore store = store("main");
        assertThat(store.baseline("postgresql_rt")).isEmpty();
        BenchmarkRecord r = full("rt", 128_033.5, "c3e98d42");
        store.record(r, true);

        BenchmarkRecord back = store.baseline("postgresql_rt").orElseThrow();
        assertThat(back.values()).isEqualTo(r.values());
        assertThat(back.samples(Metric.THROUGHPUT)).containsExactlyElementsOf(r.samples(Metric.THROUGHPUT));
        assertThat(back.timestamp()).isEqualTo(r.timestamp());
        assertThat(back.gitCommit()).isEqualTo("c3e98d42");
        assertThat(back.gitDirty()).isTrue();
        assertThat(back.extras()).isEqualTo(r.extras());
        assertThat(store.history("postgresql_rt")).extracting(BenchmarkRecord::gitCommit).containsExactly("c3e98d42");
        assertThat(store.baselines()).containsOnlyKeys("postgresql_rt");
    }

    @Test
    void firstRunBecomesTheBaselineAndAKeptBaselineStays() {
        PostgresBaselineStore store = store("main");
        store.record(JsonFileBaselineStoreTest.run("k", "redis", "w", 0), false); // first: baseline anyway
        store.record(JsonFileBaselineStoreTest.run("k", "redis", "w", 1), false);
        assertThat(store.baseline("redis_k").orElseThrow().gitCommit()).isEqualTo("w-0");
        store.record(JsonFileBaselineStoreTest.run("k", "redis", "w", 2), true);
        assertThat(store.baseline("redis_k").orElseThrow().gitCommit()).isEqualTo("w-2");
        assertThat(store.history("redis_k")).extracting(BenchmarkRecord::gitCommit)
                .containsExactly("w-0", "w-1", "w-2");
        assertThat(store.withHistoryLimit(2).history("redis_k")).extracting(BenchmarkRecord::gitCommit)
                .containsExactly("w-1", "w-2");

        assertThat(store.recordSettingBaselineIfAbsent(JsonFileBaselineStoreTest.run("p", "redis", "w", 0))).isTrue();
        assertThat(store.recordSettingBaselineIfAbsent(JsonFileBaselineStoreTest.run("p", "redis", "w", 1))).isFalse();
        assertThat(store.baseline("redis_p").orElseThrow().gitCommit()).isEqualTo("w-0");
    }

    @Test
    void aBranchComparesWithItsOwnBaselineElseTheDefaultBranchs() {
        PostgresBaselineStore main = store("main");
        PostgresBaselineStore feature = store("feature/x");
        PostgresBaselineStore other = store("other");
        main.record(JsonFileBaselineStoreTest.run("b", "redis", "main", 1), true);

        assertThat(feature.baseline("redis_b").orElseThrow().gitCommit()).isEqualTo("main-1");
        assertThat(feature.history("redis_b")).extracting(BenchmarkRecord::gitCommit).containsExactly("main-1");
        // a regression on the branch (not moved) keeps comparing with main's baseline
        feature.record(JsonFileBaselineStoreTest.run("b", "redis", "feat", 1), false);
        assertThat(feature.baseline("redis_b").orElseThrow().gitCommit()).isEqualTo("main-1");
        assertThat(feature.recordSettingBaselineIfAbsent(JsonFileBaselineStoreTest.run("b", "redis", "feat", 2)))
                .isFalse();
        feature.record(JsonFileBaselineStoreTest.run("b", "redis", "feat", 3), true);

        assertThat(feature.baseline("redis_b").orElseThrow().gitCommit()).isEqualTo("feat-3");
        assertThat(feature.history("redis_b")).extracting(BenchmarkRecord::gitCommit)
                .containsExactly("feat-1", "feat-2", "feat-3");
        assertThat(main.baseline("redis_b").orElseThrow().gitCommit()).isEqualTo("main-1");
        assertThat(main.history("redis_b")).extracting(BenchmarkRecord::gitCommit).containsExactly("main-1");
        assertThat(other.baseline("redis_b").orElseThrow().gitCommit()).isEqualTo("main-1");
        assertThat(other.baselines().get("redis_b").gitCommit()).isEqualTo("main-1");
        assertThat(feature.baselines().get("redis_b").gitCommit()).isEqualTo("feat-3");
        // another machine class has no baseline to compare with
        assertThat(main.onMachineClass("arm64-64cpu-256g").baseline("redis_b")).isEmpty();
    }

    @Test
    void theSchemaIsVersionedAndANewerOneIsRefused() throws Exception {
        store("main").record(JsonFileBaselineStoreTest.run("s", "redis", "w", 0), true);
        store("main").record(JsonFileBaselineStoreTest.run("s", "redis", "w", 1), true); // a second first use
        String schema = StoreTestServer.schemaOf(url);
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT version FROM " + schema + ".perf_schema_version")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(PostgresBaselineStore.SCHEMA_VERSION);
                assertThat(rs.next()).isFalse();
            }
            st.execute("INSERT INTO " + schema + ".perf_schema_version (version) VALUES (99)");
        }
        assertThatThrownBy(() -> store("main").baseline("redis_s"))
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("postgresql://" + server.host + ":" + server.port + "/" + server.database);
    }

    @Test
    void thePasswordIsNeverPrinted() throws Exception {
        String secret = "s3cr3t-Pw-" + System.nanoTime();
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        PostgresBaselineStore nowhere = PostgresBaselineStore.parse("jdbc:postgresql://127.0.0.1:" + closedPort
                + "/perf?user=ci&password=" + secret, null, "main", "main", "c");
        assertThat(nowhere.toString()).doesNotContain(secret);
        assertThat(nowhere.location()).isEqualTo("postgresql://127.0.0.1:" + closedPort + "/perf");
        assertThatThrownBy(() -> nowhere.baseline("x"))
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(secret))
                .hasMessageContaining("postgresql://127.0.0.1:" + closedPort + "/perf")
                .hasMessageContaining("could not open the connection");
        PostgresBaselineStore userInfo = PostgresBaselineStore.parse("postgresql://ci:" + secret + "@127.0.0.1:"
                + closedPort + "/perf", null, "main", "main", "c");
        assertThatThrownBy(() -> userInfo.record(JsonFileBaselineStoreTest.run("x", "redis", "w", 0), true))
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain(secret));
        assertThatThrownBy(() -> PostgresBaselineStore.parse("jdbc:postgresql://ho st/db?password=" + secret, null,
                "main", "main", "c")).satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret))
                .hasMessageContaining("not a PostgreSQL URL");
        assertThatThrownBy(() -> PostgresBaselineStore.parse("jdbc:postgresql://host:5432/?password=" + secret, null,
                "main", "main", "c")).satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret))
                .hasMessageContaining("names no database");
        // the CLI's messages neither
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = PerfCli.run(new String[] {"summary", "--store", "jdbc:postgresql://127.0.0.1:" + closedPort
                + "/perf?user=ci&password=" + secret}, System.in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), PerfSettings.of(Map.of(), Map.of(), Map.of()));
        assertThat(status).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8))
                .doesNotContain(secret).contains("postgresql://127.0.0.1:" + closedPort + "/perf");
    }

    private static String stackTrace(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    @Test
    void perfStoreUrlChoosesThisStoreAndAFileTheJsonStore() {
        Map<String, String> env = Map.of("PERF_STORE", url, "PERF_BRANCH", "feature-y", "PERF_DEFAULT_BRANCH",
                "trunk", "PERF_MACHINE_CLASS", "ci-large");
        var store = BaselineStores.fromSettings(PerfSettings.of(Map.of(), env, Map.of()));
        assertThat(store).isInstanceOf(PostgresBaselineStore.class);
        PostgresBaselineStore pg = (PostgresBaselineStore) store;
        assertThat(pg.branch()).isEqualTo("feature-y");
        assertThat(pg.defaultBranch()).isEqualTo("trunk");
        assertThat(pg.machineClass()).isEqualTo("ci-large");
        assertThat(BaselineStores.fromSettings(PerfSettings.of(Map.of(), Map.of("PERF_STORE",
                dir.resolve("b.json").toString()), Map.of()))).isInstanceOf(JsonFileBaselineStore.class);
        Map<String, String> ci = Map.of("PERF_STORE", url, "GITHUB_HEAD_REF", "pr-branch");
        assertThat(((PostgresBaselineStore) BaselineStores.fromSettings(PerfSettings.of(Map.of(), ci, Map.of())))
                .branch()).isEqualTo("pr-branch");
    }

    /** Export writes the guide's file; importing it into an empty store gives the same baselines and history. */
    @Test
    void exportAndImportRoundTripThroughTheGuidesFile() throws Exception {
        Path json = dir.resolve("performance_benchmarks.json");
        JsonFileBaselineStore file = JsonFileBaselineStore.at(json);
        file.record(full("a", 100.0, "c1"), true);
        file.record(full("a", 90.0, "c2"), false);
        file.record(JsonFileBaselineStoreTest.run("b", "redis", "w", 0), true);
        Map<String, String> env = Map.of("PERF_BRANCH", "main", "PERF_MACHINE_CLASS", "test-class");

        assertThat(cli(env, "import", "--store", url, "--file", json.toString())).startsWith("0 Imported 3 runs");
        PostgresBaselineStore pg = store("main");
        assertThat(pg.baselines()).containsOnlyKeys("postgresql_a", "redis_b");
        assertThat(pg.baseline("postgresql_a").orElseThrow().gitCommit()).isEqualTo("c1");
        assertThat(pg.baseline("postgresql_a").orElseThrow().extras()).isEqualTo(full("a", 1, "c1").extras());
        assertThat(pg.history("postgresql_a")).extracting(BenchmarkRecord::gitCommit).containsExactly("c1", "c2");
        assertThat(cli(env, "summary", "--store", url)).containsPattern("(?m)^postgresql +a +50,000 +100 ");

        Path exported = dir.resolve("exported.json");
        assertThat(cli(env, "export", "--store", url, "--file", exported.toString())).startsWith("0 Exported 2");
        JsonFileBaselineStore back = JsonFileBaselineStore.at(exported);
        assertThat(back.baselines().keySet()).containsExactlyInAnyOrder("postgresql_a", "redis_b");
        assertThat(back.baseline("postgresql_a").orElseThrow().values())
                .isEqualTo(file.baseline("postgresql_a").orElseThrow().values());
        assertThat(back.history("postgresql_a")).extracting(BenchmarkRecord::gitCommit).containsExactly("c1", "c2");
        // the guide's fields first, in the guide's order
        String text = Files.readString(exported);
        assertThat(text.indexOf("\"test_name\"")).isLessThan(text.indexOf("\"loader_type\""));
        assertThat(text.indexOf("\"throughput_rows_per_sec\"")).isLessThan(text.indexOf("\"memory_mb\""));

        assertThat(cli(env, "export", "--store", url)).startsWith("2 ");
        assertThat(cli(env, "reset", "--store", url)).startsWith("1 ").contains("--yes");
        assertThat(pg.baselines()).hasSize(2);
        assertThat(cli(env, "reset", "--yes", "--store", url)).startsWith("0 ");
        assertThat(pg.baselines()).isEmpty();
        assertThat(pg.history("postgresql_a")).isEmpty();
        assertThat(cli(env, "import", "--store", url, "--file", dir.resolve("missing.json").toString()))
                .startsWith("1 ").contains("no file");
    }

    private static String cli(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = PerfCli.run(args, System.in, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8), PerfSettings.of(Map.of(), env, Map.of()));
        return status + " " + out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Four processes of eight threads record at once: every run is kept, each process's runs in its order, and of
     * the 32 first runs of each pinned key exactly one became the baseline and only its thread was told so.
     */
    @Test
    void fourProcessesOfEightThreadsLoseNothing() throws Exception {
        int count = 5;
        List<String> writers = List.of("p1", "p2", "p3", "p4");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path go = dir.resolve("go");
        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            for (String w : writers) {
                Path log = dir.resolve(w + ".log");
                logs.add(log);
                processes.add(new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                        PostgresStoreWriterProcess.class.getName(), url, w, String.valueOf(count),
                        dir.resolve(w + ".ready").toString(), go.toString())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start());
            }
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            while (!writers.stream().allMatch(w -> Files.exists(dir.resolve(w + ".ready")))) {
                assertThat(Instant.now()).as("writer processes started").isBefore(deadline);
                assertThat(processes).allMatch(Process::isAlive);
                Thread.sleep(10);
            }
            Files.createFile(go);
            for (int i = 0; i < processes.size(); i++) {
                assertThat(processes.get(i).waitFor(5, TimeUnit.MINUTES)).as("writer finished").isTrue();
                assertThat(processes.get(i).exitValue()).as("writer said: %s", Files.readString(logs.get(i)))
                        .isZero();
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
        String out = String.join("", logs.stream().map(p -> {
            try {
                return Files.readString(p);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList());
        List<String> threads = writers.stream().flatMap(w -> IntStream.range(0, PostgresStoreWriterProcess.THREADS)
                .mapToObj(t -> w + "t" + t)).toList();
        PostgresBaselineStore store = store("main").withHistoryLimit(10_000);
        List<String> shared = store.history("proc_shared").stream().map(BenchmarkRecord::gitCommit).toList();
        Set<String> expected = threads.stream().flatMap(t -> IntStream.range(0, count).mapToObj(i -> t + "-" + i))
                .collect(Collectors.toSet());
        assertThat(shared).hasSize(threads.size() * count).containsExactlyInAnyOrderElementsOf(expected);
        for (String t : threads) {
            assertThat(shared.stream().filter(c -> c.startsWith(t + "-")).toList()).as(t)
                    .isEqualTo(IntStream.range(0, count).mapToObj(i -> t + "-" + i).toList());
            assertThat(store.baseline("proc_" + t).orElseThrow().gitCommit()).isEqualTo(t + "-" + (count - 1));
        }
        for (int i = 0; i < count; i++) {
            String key = "proc_pinned" + i;
            List<BenchmarkRecord> history = store.history(key);
            assertThat(history).as(key).hasSize(threads.size());
            String first = history.get(0).gitCommit();
            assertThat(store.baseline(key).orElseThrow().gitCommit()).as(key).isEqualTo(first);
            List<String> told = out.lines().filter(l -> l.startsWith("baseline " + key + " ")).toList();
            assertThat(told).as(key).containsExactly("baseline " + key + " " + first.substring(0, first.indexOf('-')));
        }
    }

    /**
     * A server killed (SIGKILL, with its backends) while eight threads record: the writers fail with an error
     * naming the store by host, port and database, without the password; after a restart every run whose record
     * returned is there, every baseline is one of its key's runs, and writing works again.
     */
    @Test
    @SuppressWarnings("try") // the restarted server is only held open
    void aServerThatDiesMidRecordLeavesTheStoreConsistentAndTheErrorClear() throws Exception {
        assumeFalse(StoreTestServer.isRoot(), "killing a server needs one of its own, and embedded PostgreSQL does "
                + "not run as root (run under `unshare -U`)");
        Path data = dir.resolve("pgdata");
        // PostgreSQL's default (the embedded server's is off): a commit returns once it is on disk
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
                .setServerConfig("synchronous_commit", "on").start();
        int port = pg.getPort();
        String secret = "pw-" + System.nanoTime();
        String ownUrl = "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres&password=" + secret;
        PostgresBaselineStore store = PostgresBaselineStore.parse(ownUrl, null, "main", "main", "c");
        store.baseline("warm-up");
        ConcurrentLinkedQueue<String> recorded = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch enough = new CountDownLatch(40);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            String name = "t" + t;
            Thread th = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        store.record(JsonFileBaselineStoreTest.run(i % 3 == 0 ? "shared" : name, "kill", name, i),
                                i % 2 == 0);
                        recorded.add(name + "-" + i);
                        enough.countDown();
                    } catch (RuntimeException e) {
                        errors.add(e);
                        return;
                    }
                }
            }, "writer-" + name);
            threads.add(th);
            th.start();
        }
        try {
            assertThat(enough.await(2, TimeUnit.MINUTES)).as("40 runs recorded before the kill").isTrue();
            long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).strip());
            ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
            postmaster.descendants().forEach(ProcessHandle::destroyForcibly);
            postmaster.destroyForcibly();
            postmaster.onExit().get(1, TimeUnit.MINUTES);
            for (Thread th : threads) {
                th.join(TimeUnit.MINUTES.toMillis(3));
                assertThat(th.isAlive()).as(th.getName() + " ended").isFalse();
            }
        } finally {
            stop.set(true);
        }
        assertThat(errors).hasSize(8);
        for (Throwable e : errors) {
            assertThat(e.getMessage()).contains("Baseline store postgresql://localhost:" + port + "/postgres")
                    .contains("connection");
            assertThat(stackTrace(e)).doesNotContain(secret);
        }
        try {
            pg.close();
        } catch (Exception e) {
            // the killed server's stop fails; its data directory stays for the restart
        }
        Files.deleteIfExists(data.resolve("postmaster.pid"));
        try (EmbeddedPostgres again = EmbeddedPostgres.builder().setDataDirectory(data)
                .setCleanDataDirectory(false).setServerConfig("synchronous_commit", "on").setPort(port).start()) {
            PostgresBaselineStore after = store.withHistoryLimit(100_000);
            Set<String> kept = new HashSet<>();
            for (String k : List.of("kill_shared", "kill_t0", "kill_t1", "kill_t2", "kill_t3", "kill_t4", "kill_t5",
                    "kill_t6", "kill_t7")) {
                List<BenchmarkRecord> history = after.history(k);
                history.forEach(r -> kept.add(r.gitCommit()));
                if (!history.isEmpty()) {
                    String baseline = after.baseline(k).orElseThrow().gitCommit();
                    assertThat(history).extracting(BenchmarkRecord::gitCommit).as(k).contains(baseline);
                }
            }
            assertThat(kept).containsAll(recorded);
            // at most the eight runs in flight may have committed without their writer hearing so
            assertThat(kept.size()).isBetween(recorded.size(), recorded.size() + 8);
            after.record(JsonFileBaselineStoreTest.run("shared", "kill", "again", 0), true);
            assertThat(after.baseline("kill_shared").orElseThrow().gitCommit()).isEqualTo("again-0");
        }
    }
}
