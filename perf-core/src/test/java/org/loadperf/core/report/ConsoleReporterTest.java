package org.loadperf.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Verdict;
import org.loadperf.core.store.InMemoryBaselineStore;

class ConsoleReporterTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong clock = new AtomicLong();
    private final Benchmark benchmark = Benchmark.builder("large_table_loading_performance", "postgresql")
            .datasetSize(50_000).body(ctx -> 0).build();

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Runs {@code n} iterations of {@code seconds} each through {@code r}, advancing the fake clock. */
    private void iterate(ConsoleReporter r, int n, double seconds) {
        r.benchmarkStarted(benchmark, 1, n - 1);
        for (int i = 1; i <= n; i++) {
            clock.addAndGet((long) (seconds * 1e9));
            r.iterationFinished(benchmark, i == 1 ? 1 : i - 1, i == 1 ? 1 : n - 1, i == 1, seconds, i * seconds);
        }
    }

    @Test
    void plainProgressIsThrottledSoThatALogDoesNotFill() {
        ConsoleReporter r = new ConsoleReporter(out, false, clock::get, null);
        iterate(r, 61, 0.5); // 30 s of half-second iterations
        String text = output();
        assertThat(text).doesNotContain("\r");
        List<String> progress = text.lines().filter(l -> l.contains(" took ")).toList();
        assertThat(progress).hasSize(3); // every 10 s, not every iteration
        assertThat(progress.get(0)).isEqualTo("  postgresql_large_table_loading_performance: iteration 19/60 took "
                + "0.50 s, elapsed 10.0 s");
        assertThat(text.lines().findFirst().orElseThrow())
                .isEqualTo("▶ postgresql_large_table_loading_performance: 50,000 rows, at least 1 warm-up + 60 memory "
                        + "+ 60 timed iterations");
    }

    @Test
    void aBenchmarkBusyLongerThanTenSecondsWithoutAnIterationStillSaysSoEveryTenSeconds() {
        ConsoleReporter r = new ConsoleReporter(out, false, clock::get, null);
        r.benchmarkStarted(benchmark, 1, 5);
        clock.addAndGet(9_000_000_000L);
        r.tick(); // 9 s: not yet
        assertThat(output().lines().count()).isEqualTo(1);
        clock.addAndGet(1_000_000_000L);
        r.tick(); // 10 s in setup (the dataset is made), no iteration has ended
        clock.addAndGet(5_000_000_000L);
        r.tick(); // 15 s: 5 s after the last line
        r.iterationFinished(benchmark, 1, 1, true, 15.0, 15.0); // likewise
        clock.addAndGet(10_000_000_000L);
        r.tick(); // 25 s: in a long iteration
        List<String> lines = output().lines().toList();
        assertThat(lines).containsExactly(
                "▶ postgresql_large_table_loading_performance: 50,000 rows, at least 1 warm-up + 5 memory + 5 timed iterations",
                "  postgresql_large_table_loading_performance: running (setup), elapsed 10 s",
                "  postgresql_large_table_loading_performance: running (after warm-up 1/1), elapsed 25 s");
        r.benchmarkFinished(ReportFixtures.result("large_table_loading_performance", "postgresql", 50_000, 1000, 5,
                "abc", ReportFixtures.at(0), ReportFixtures.ok()));
        int finished = output().lines().toList().size();
        clock.addAndGet(60_000_000_000L);
        r.tick(); // between benchmarks: nothing is running
        assertThat(output().lines().toList()).hasSize(finished);
    }

    @Test
    void shortBenchmarksPrintNoProgressInPlainMode() {
        ConsoleReporter r = new ConsoleReporter(out, false, clock::get, null);
        iterate(r, 6, 0.2);
        assertThat(output().lines().filter(l -> l.contains(" took "))).isEmpty();
    }

    @Test
    void liveLineIsRewrittenInPlaceAndClearedBeforeTheResult() {
        ConsoleReporter r = new ConsoleReporter(out, true, clock::get, null);
        iterate(r, 21, 0.05); // 1 s of 50 ms iterations: at most one update per 200 ms
        String beforeResult = output();
        long updates = beforeResult.chars().filter(c -> c == '\r').count();
        assertThat(updates).isBetween(4L, 6L);
        // all updates share one line: after the start line, no newline at all
        assertThat(beforeResult.substring(beforeResult.indexOf('\n') + 1)).doesNotContain("\n");
        assertThat(beforeResult).contains("\r  postgresql_large_table_loading_performance: iteration 19/20 took 0.05 s, elapsed 1.0 s");

        r.benchmarkFinished(ReportFixtures.result("large_table_loading_performance", "postgresql", 50_000, 80_000,
                12.5, "abcdef12", ReportFixtures.at(0), ReportFixtures.ok()));
        String after = output().substring(beforeResult.length());
        // the live line is blanked (spaces, carriage return) before the result's own line
        assertThat(after).matches("(?s)\r +\r  postgresql_large_table_loading_performance: 80,000 rows/s.*");
    }

    @Test
    void endOfRunShowsTheTableTheRegressionBlocksAndTheReports(@TempDir Path dir) {
        BenchmarkResult good = ReportFixtures.result("throughput_comparison", "redis", 10_000, 150_000, 20.0,
                "abcdef12", ReportFixtures.at(1), ReportFixtures.ok());
        BenchmarkResult bad = ReportFixtures.result("throughput_comparison", "postgresql", 10_000, 73_626.78, 40.0,
                "abcdef12", ReportFixtures.at(1), List.of(
                        ReportFixtures.verdict(Metric.THROUGHPUT, Verdict.Status.REGRESSION, 84_786.86, 73_626.78),
                        ReportFixtures.verdict(Metric.MEMORY, Verdict.Status.OK, 40.0, 40.0)));
        ReportWriter reports = ReportWriter.to(dir, new InMemoryBaselineStore());
        ConsoleReporter r = new ConsoleReporter(out, false, clock::get, null).withReports(reports);
        reports.runFinished(List.of(good, bad));
        r.runFinished(List.of(good, bad));
        String text = output();
        assertThat(text).contains("Performance summary")
                .containsPattern("Loader +Test +Throughput \\(rows/s\\) +Memory \\(MB\\) +Duration \\(s\\) +Dataset Size"
                        + " +Verdict")
                .containsPattern("redis +throughput_comparison +150,000 +20\\.0 +0\\.067 +10,000 +OK")
                .containsPattern("postgresql +throughput_comparison +73,627 +40\\.0 +0\\.136 +10,000 +REGRESSION "
                        + "\\(throughput\\)")
                .contains("1 regression in this run:")
                .contains("⚠️  PERFORMANCE REGRESSION DETECTED:\n   Test: throughput_comparison\n   Loader: postgresql\n"
                        + "   Metric: throughput\n   Regression: 13.2%\n   Current: 73626.78\n   Baseline: 84786.86\n")
                .contains("Performance report: " + dir.resolve("index.html").toUri());
        assertThat(text.indexOf("Performance summary")).isLessThan(text.indexOf("1 regression in this run:"));
        assertThat(text.indexOf("1 regression in this run:")).isLessThan(text.indexOf("Performance report:"));
    }

    @Test
    void aReportFailureIsSaidNotHidden(@TempDir Path dir) throws Exception {
        Path blocker = dir.resolve("not-a-dir");
        java.nio.file.Files.writeString(blocker, "a file where the report directory should be");
        ReportWriter reports = ReportWriter.to(blocker, new InMemoryBaselineStore());
        ConsoleReporter r = new ConsoleReporter(out, false, clock::get, null).withReports(reports);
        List<BenchmarkResult> results = List.of(ReportFixtures.result("t", "l", 10, 10, 1, "abcdef12",
                ReportFixtures.at(0), ReportFixtures.ok()));
        reports.runFinished(results);
        r.runFinished(results);
        assertThat(output()).contains("Performance reports could not be written to " + blocker);
    }
}
