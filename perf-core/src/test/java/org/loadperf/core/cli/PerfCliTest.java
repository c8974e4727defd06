package org.loadperf.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.core.PerfRunner;
import org.loadperf.core.report.ReportFixtures;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.JsonFileBaselineStore;

class PerfCliTest {

    @TempDir
    Path dir;
    private Path storeFile;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void guideStoreWithOneOfOurs() throws Exception {
        storeFile = dir.resolve("performance_benchmarks.json");
        try (InputStream guide = getClass().getResourceAsStream("/guide-performance_benchmarks.json")) {
            Files.write(storeFile, guide.readAllBytes());
        }
        JsonFileBaselineStore.at(storeFile).record(ReportFixtures.result("throughput_comparison", "redis", 10_000,
                128_033.4, 20, "abcdef12", ReportFixtures.at(0), List.of()).toRecord(), true);
    }

    private int cli(String stdin, Map<String, String> env, String... args) {
        return PerfCli.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                PerfSettings.of(Map.of(), env, Map.of()));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void summaryPrintsATableWithTestNamesSizesFiguresAndTheLastVerdict() {
        assertThat(cli("", Map.of(), "summary", "--store", storeFile.toString())).isZero();
        List<String> lines = out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("Loader      Test").contains("Dataset Size", "Throughput (rows/s)",
                "Memory (MB)", "Duration (s)", "Last verdict", "Commit");
        assertThat(lines.get(1)).startsWith("postgresql  large_table_loading_performance")
                .contains(" 1,000 ", " 33,826 ", " 115.1 ", " 0.029 ", " -  ", "c3e98d42");
        assertThat(lines.get(2)).startsWith("redis       throughput_comparison").contains(" 10,000 ", " 128,033 ",
                "abcdef12");
        assertThat(PerfCli.summaryTable(List.of(ReportFixtures.result("tiny", "redis", 2_000, 142_039, 0.00269,
                "abcdef12", ReportFixtures.at(0), List.of()).toRecord()))).contains(" 0.00269 ")
                .doesNotContain(" 0.0 ");
    }

    @Test
    void summaryShowsTheVerdictTheRunnerRecorded() {
        try (PerfRunner runner = PerfRunner.builder(PerfSettings.of(Map.of(), Map.of(), Map.of()))
                .store(JsonFileBaselineStore.at(storeFile)).reporter(new org.loadperf.api.Reporter() { }).warmupIterations(0)
                .warmupTime(java.time.Duration.ZERO).measurementTime(java.time.Duration.ZERO).build()) {
            runner.run(org.loadperf.api.Benchmark.builder("cli_verdict", "counting").datasetSize(10)
                    .body(ctx -> 10).build());
        }
        assertThat(cli("", Map.of(), "summary", "--store", storeFile.toString())).isZero();
        assertThat(out().lines().filter(l -> l.startsWith("counting")).findFirst().orElseThrow())
                .contains("cli_verdict").contains("new baseline");
    }

    @Test
    void aMissingStoreIsAnError() {
        Path none = dir.resolve("none.json");
        assertThat(cli("", Map.of(), "summary", "--store", none.toString())).isEqualTo(1);
        assertThat(cli("", Map.of(), "report", "--store", none.toString())).isEqualTo(1);
        assertThat(cli("", Map.of(), "changes", "--store", none.toString())).isEqualTo(1);
        assertThat(cli("", Map.of(), "export", "--store", none.toString(), "--file", dir.resolve("x.json").toString()))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("PerfCli summary: no baseline store at " + none)
                .contains("PerfCli report: no baseline store at " + none)
                .contains("PerfCli changes: no baseline store at " + none)
                .contains("PerfCli export: no baseline store at " + none);
        assertThat(out()).isEmpty();
        assertThat(none).doesNotExist();
        assertThat(dir.resolve("x.json")).doesNotExist();
    }

    @Test
    void theStoreComesFromPerfStoreWhenNotGiven() {
        assertThat(cli("", Map.of("PERF_STORE", storeFile.toString()), "summary")).isZero();
        assertThat(out()).contains("throughput_comparison").contains("128,033");
    }

    @Test
    void reportRebuildsTheHtmlFromTheStore() throws Exception {
        Path reports = dir.resolve("site");
        assertThat(cli("", Map.of("PERF_REPORT_DIR", reports.toString()), "report", "--store", storeFile.toString()))
                .isZero();
        assertThat(out()).contains("Wrote " + reports.resolve("index.html") + " (2 benchmarks from " + storeFile);
        String html = Files.readString(reports.resolve("index.html"));
        assertThat(html).contains("Latest run of every benchmark in the store")
                .contains("<td>postgresql</td><td>large_table_loading_performance</td><td class=\"num\">33,826</td>")
                .contains("\"key\":\"redis_throughput_comparison\"");
        assertThat(cli("", Map.of(), "report", "--store", storeFile.toString(), "--dir", dir.resolve("b").toString()))
                .isZero();
        assertThat(dir.resolve("b/index.html")).isRegularFile();
    }

    @Test
    void resetAsksAndKeepsTheStoreUnlessConfirmed() {
        assertThat(cli("n\n", Map.of(), "reset", "--store", storeFile.toString())).isEqualTo(1);
        assertThat(out()).contains("Remove the baselines and history of 2 benchmarks in " + storeFile + "? [y/N]")
                .contains("Not reset");
        assertThat(storeFile).exists();
        assertThat(cli("", Map.of(), "reset", "--store", storeFile.toString())).isEqualTo(1); // no answer at all
        assertThat(storeFile).exists();

        assertThat(cli("y\n", Map.of(), "reset", "--store", storeFile.toString())).isZero();
        assertThat(storeFile).doesNotExist();
        assertThat(cli("", Map.of(), "reset", "--store", storeFile.toString())).isZero();
        assertThat(out()).contains("Nothing to reset: " + storeFile + " does not exist");
    }

    @Test
    void resetWithYesDoesNotAskAndAlsoDiscardsACorruptStore() throws Exception {
        Files.writeString(storeFile, "{ not json");
        assertThat(cli("", Map.of(), "summary", "--store", storeFile.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Corrupt baseline store " + storeFile);
        assertThat(cli("", Map.of(), "reset", "--yes", "--store", storeFile.toString())).isZero();
        assertThat(out()).doesNotContain("[y/N]").contains("Removed " + storeFile);
        assertThat(storeFile).doesNotExist();
    }

    @Test
    void resetLeavesNothingBehindNotEvenTheLockFile() {
        Path lock = dir.resolve("performance_benchmarks.json.lock");
        assertThat(lock).exists(); // the store was written under its lock in guideStoreWithOneOfOurs
        assertThat(cli("", Map.of(), "reset", "--yes", "--store", storeFile.toString())).isZero();
        assertThat(storeFile).doesNotExist();
        assertThat(lock).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void badUsageSaysWhatIsWrong() {
        assertThat(cli("", Map.of())).isEqualTo(2);
        assertThat(cli("", Map.of(), "frobnicate")).isEqualTo(2);
        assertThat(cli("", Map.of(), "summary", "--store")).isEqualTo(2);
        assertThat(cli("", Map.of(), "summary", "--colour")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("PerfCli: no command given")
                .contains("PerfCli: unknown command 'frobnicate'").contains("PerfCli: --store needs a path")
                .contains("PerfCli: unknown option '--colour'").contains("Usage: PerfCli <command>");
        assertThat(cli("", Map.of(), "--help")).isZero();
        assertThat(out()).contains("summary", "report", "reset");
    }

    @Test
    void changesPrintsTheChangePointsOfEachBenchmarkWithTheCommitWhereTheyBegan() {
        JsonFileBaselineStore store = JsonFileBaselineStore.at(storeFile);
        for (int i = 0; i < 18; i++) {
            double throughput = (i < 12 ? 100_000 : 90_000) * (i % 2 == 0 ? 1.01 : 0.99);
            store.record(ReportFixtures.result("steady_load", "redis", 10_000, throughput, 20,
                    String.format("%08x", 0xabc00 + i), ReportFixtures.at(i + 1), List.of()).toRecord(), true);
        }
        assertThat(cli("", Map.of(), "changes", "--store", storeFile.toString(), "--test", "steady_load")).isZero();
        assertThat(out()).startsWith("redis_steady_load (18 runs kept, latest 000abc11 at 10,000 rows)\n")
                .containsPattern("  throughput: sustained 10\\.[0-9]% slower since 000abc0c \\(p=[0-9.e-]+, 6 runs\\), "
                        + "2025-07-14T12:00:00Z: 100,000 -> 90,000 rows/s; beyond the 5% threshold\n")
                .containsPattern("  duration: sustained 1[01]\\.[0-9]% slower since 000abc0c .*; beyond the 10% "
                        + "threshold\n")
                .contains("  memory: no change point in 18 runs\n")
                .doesNotContain("postgresql");

        out.reset();
        assertThat(cli("", Map.of(), "changes", "--store", storeFile.toString(), "--loader", "postgresql")).isZero();
        assertThat(out()).contains("postgresql_large_table_loading_performance (1 run kept")
                .contains("  throughput: 1 comparable run, too few to search (6 needed)");

        assertThat(cli("", Map.of(), "changes", "--store", storeFile.toString(), "--test", "nope")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no benchmark of test 'nope'")
                .contains("known: postgresql_large_table_loading_performance, redis_steady_load, "
                        + "redis_throughput_comparison");
        assertThat(cli("", Map.of(), "changes", "--test")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--test needs a test name");
    }
}
