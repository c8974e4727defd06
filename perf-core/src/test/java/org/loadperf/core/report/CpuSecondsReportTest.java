package org.loadperf.core.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Verdict;
import org.loadperf.core.FakeMachine;
import org.loadperf.core.PerfRunner;
import org.loadperf.core.measure.MetricReading;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.InMemoryBaselineStore;

/**
 * A metric beyond the guide's three goes through verdicts and reports by naming it in {@code PERF_METRICS}: here
 * {@code cpu_seconds}, which every iteration already measures (a new metric is its {@link Metric} entry and its
 * {@link MetricReading}).
 */
class CpuSecondsReportTest {

    @TempDir
    Path dir;

    private final FakeMachine machine = new FakeMachine();

    @Test
    void cpuSecondsGetsVerdictsChartsAndExportsWhenNamed() throws Exception {
        Path reports = dir.resolve("perf-report");
        PerfSettings s = PerfSettings.of(Map.of(), Map.of("PERF_REPORT_DIR", reports.toString(), "PERF_METRICS",
                "throughput_rows_per_sec,memory_mb,duration_seconds,cpu_seconds"), Map.of());
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        BenchmarkResult second;
        try (PerfRunner runner = machine.on(PerfRunner.builder(s)).store(store).warmupIterations(0)
                .measuredIterations(3).measurementTime(java.time.Duration.ZERO).confirm(false)
                .reporter(ReportWriter.fromSettings(s, store)).build()) {
            runner.run(machine.benchmark("cpu", 5));
            second = runner.run(machine.benchmark("cpu", 5));
        }
        // compared with the first run as baseline: a verdict of its own, whatever the figures
        assertThat(second.verdict(Metric.CPU_SECONDS)).hasValueSatisfying(
                v -> assertThat(v.status()).isNotEqualTo(Verdict.Status.NO_BASELINE));
        assertThat(Files.readString(reports.resolve("index.html")))
                .contains("\"extra_charts\":[{\"key\":\"cpu_seconds\",\"title\":\"cpu\",\"unit\":\"s\"}]")
                .contains("\"cpu_seconds\":{\"v\":");
        assertThat(Files.readString(reports.resolve(BenchmarkActionExport.SMALLER_FILE)))
                .contains("counting_cpu - cpu");
        assertThat(Files.readString(reports.resolve("results.json"))).contains("cpu_seconds");
    }

    @Test
    void byDefaultTheGuidesMetricsAndAllocationAreJudgedAndChartedAndABadNameIsRefused() {
        PerfSettings none = PerfSettings.of(Map.of(), Map.of(), Map.of());
        assertThat(ReportFixtures.comparison().compared()).containsExactlyInAnyOrder(Metric.THROUGHPUT,
                Metric.MEMORY, Metric.DURATION, Metric.ALLOCATED_BYTES_PER_ROW);
        assertThat(PerfRunner.builder(none)).isNotNull();
        assertThatThrownBy(() -> PerfRunner.builder(PerfSettings.of(Map.of(), Map.of("PERF_METRICS", "cpu_time"),
                Map.of()))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PERF_METRICS")
                .hasMessageContaining("cpu_time");
    }

    @Test
    void everyMetricHasAReading() {
        for (Metric m : Metric.values()) {
            assertThat(MetricReading.of(m).metric()).isEqualTo(m);
        }
    }
}
