package org.loadperf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Threshold;
import org.loadperf.api.Verdict.Status;
import org.loadperf.api.Verdict;
import org.loadperf.core.report.ConsoleReporter;
import org.loadperf.core.report.ReportFixtures;
import org.loadperf.core.report.VerdictText;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.InMemoryBaselineStore;
import org.loadperf.core.verdict.VerdictEngine;

/** Memory verdicts that mean something, and figures that never print as 0.00. */
class MemoryVerdictTest {

    private final VerdictEngine engine = new VerdictEngine(0.99);

    @Test
    void aMemoryChangeBelowTheFloorIsUnchangedWhateverItsStatistics() {
        // The case: 0.0016 MB -> 0.11 MB, "6955.9%", every sample agreeing.
        Verdict raw = engine.compare(Metric.MEMORY, List.of(0.0016, 0.0015, 0.0017, 0.0016, 0.0016), 0.0016,
                List.of(0.11, 0.11, 0.12, 0.10, 0.11), new Threshold(Metric.MEMORY, 10), 0);
        assertThat(raw.status()).isEqualTo(Status.REGRESSION);
        Verdict floored = VerdictEngine.floor(raw, 1.0);
        assertThat(floored.status()).isEqualTo(Status.OK);
        assertThat(floored.message()).contains("0.0016 MB -> 0.11 MB").contains("under the 1.00 MB floor");
        // Past the floor, or another metric: untouched.
        Verdict big = engine.compare(Metric.MEMORY, List.of(10.0, 10.1, 9.9, 10.0, 10.0), 10.0,
                List.of(20.0, 20.1, 19.9, 20.0, 20.0), new Threshold(Metric.MEMORY, 10), 0);
        assertThat(VerdictEngine.floor(big, 1.0)).isSameAs(big);
        Verdict throughput = engine.compare(Metric.THROUGHPUT, List.of(1.0, 1.0, 1.0, 1.0, 1.0), 1.0,
                List.of(0.5, 0.5, 0.5, 0.5, 0.5), new Threshold(Metric.THROUGHPUT, 5), 0);
        assertThat(VerdictEngine.floor(throughput, 1.0)).isSameAs(throughput);
    }

    @Test
    void aZeroBaselineIsJudgedByTheFloorNotCalledOkWhateverTheChange() {
        // A baseline of 0.0 MB (nothing retained) has no percentage; it used to make every change OK.
        Verdict small = engine.compare(Metric.MEMORY, List.of(0.0, 0.0, 0.0, 0.0, 0.0), 0.0,
                List.of(0.5, 0.5, 0.5, 0.5, 0.5), new Threshold(Metric.MEMORY, 10), 0);
        assertThat(VerdictEngine.floor(small, 1.0).status()).isEqualTo(Status.OK);
        assertThat(VerdictEngine.floor(small, 1.0).message()).contains("under the 1.00 MB floor");
        Verdict large = engine.compare(Metric.MEMORY, List.of(0.0, 0.0, 0.0, 0.0, 0.0), 0.0,
                List.of(500.0, 500.0, 500.0, 500.0, 500.0), new Threshold(Metric.MEMORY, 10), 0);
        assertThat(VerdictEngine.floor(large, 1.0).status()).isEqualTo(Status.INCONCLUSIVE);
        assertThat(VerdictEngine.floor(large, 1.0).message()).contains("0 MB -> 500");
    }

    @Test
    void theRunnerAppliesTheFloorSetOnceInItsSettings() {
        FakeMachine machine = new FakeMachine();
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        Map<String, String> env = Map.of("PERF_FAIL_ON_REGRESSION", "true", "PERF_MEMORY_FLOOR_MB", "64");
        byte[][] keep = new byte[1][];
        int[] mb = {0};
        org.loadperf.api.Benchmark b = org.loadperf.api.Benchmark.builder("floor", "counting").datasetSize(1)
                .body(ctx -> {
                    keep[0] = new byte[mb[0] << 20];
                    machine.advance(10);
                    return 1;
                }).afterEach(ctx -> keep[0] = null).build();
        try (PerfRunner r = machine.on(PerfRunner.builder(PerfSettings.of(Map.of(), env, Map.of()))).store(store)
                .reporter(new org.loadperf.api.Reporter() { }).warmupIterations(0).measuredIterations(5)
                .measurementTime(java.time.Duration.ZERO).confirm(false)
                .comparedMetrics(java.util.EnumSet.of(Metric.MEMORY)).build()) { // allocation grows too: a real one
            r.run(b);
            mb[0] = 24; // 24 MB more: a real change, but under the 64 MB floor set above
            BenchmarkResult res = r.run(b);
            assertThat(res.verdict(Metric.MEMORY).orElseThrow().status()).isEqualTo(Status.OK);
            assertThat(res.verdict(Metric.MEMORY).orElseThrow().message()).contains("under the 64.00 MB floor");
        }
        assertThatThrownBy(() -> PerfRunner.builder(PerfSettings.of(Map.of(), Map.of("PERF_MEMORY_FLOOR_MB", "lots"),
                Map.of()))).hasMessageContaining("PERF_MEMORY_FLOOR_MB");
        assertThatThrownBy(() -> PerfRunner.builder(PerfSettings.of(Map.of(), Map.of("PERF_MEMORY_FLOOR_MB", "-1"),
                Map.of()))).hasMessageContaining("PERF_MEMORY_FLOOR_MB");
    }

    @Test
    void theRegressionBlockNeverShowsATinyFigureAsZero() {
        BenchmarkResult r = ReportFixtures.result("large_file_write_performance", "deltalake", 1000, 1000, 0.11,
                "abcdef12", ReportFixtures.at(0), List.of());
        Verdict v = new Verdict(Metric.MEMORY, Status.REGRESSION, 6955.9, 0.0016, 0.11, 10, 0.99, 10, 1, 2,
                "hodges-lehmann", "memory worse");
        assertThat(VerdictText.regressionBlock(r, v)).contains("   Current: 0.11\n   Baseline: 0.0016\n")
                .doesNotContain("0.00\n");
        Verdict large = new Verdict(Metric.THROUGHPUT, Status.REGRESSION, 13.2, 84786.86, 73626.78, 10, 0.99, 5, 1,
                2, "hodges-lehmann", "throughput worse");
        assertThat(VerdictText.regressionBlock(r, large)).contains("   Current: 73626.78\n   Baseline: 84786.86\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ConsoleReporter(new PrintStream(out, true, StandardCharsets.UTF_8)).benchmarkFinished(
                ReportFixtures.result("tiny", "deltalake", 1000, 1000, 0.0016, "abcdef12", ReportFixtures.at(0),
                        ReportFixtures.ok()));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(", 0.0016 MB, ");
        assertThat(VerdictText.small(12.345, "%.1f")).isEqualTo("12.3");
        assertThat(VerdictText.small(0.0, "%.1f")).isEqualTo("0.0");
    }
}
