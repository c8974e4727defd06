package org.loadperf.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.MetricSummary;

/** The flags of {@code scaling_characteristics}, on figures with a known answer. */
class ScalingCharacteristicsTest {

    private static BenchmarkResult step(long rows, double seconds, double memoryMb) {
        Map<Metric, List<Double>> samples = new EnumMap<>(Metric.class);
        samples.put(Metric.DURATION, List.of(seconds));
        samples.put(Metric.MEMORY, List.of(memoryMb));
        samples.put(Metric.THROUGHPUT, List.of(rows / seconds));
        Map<Metric, MetricSummary> summaries = new EnumMap<>(Metric.class);
        samples.forEach((m, s) -> summaries.put(m, new MetricSummary(m, 1, s.get(0), s.get(0), 0, s.get(0), s.get(0))));
        return new BenchmarkResult("scaling", "x", rows, 0, samples, summaries, List.of(), OffsetDateTime.now(),
                "unknown", false, "local", Map.of(), List.of());
    }

    @Test
    void linearTimeAndFlatMemoryAreNotFlagged() {
        CrossLoaderComparisonBenchmark.Scaling s = CrossLoaderComparisonBenchmark.Scaling.of(List.of(
                step(10_000, 0.05, 8), step(100_000, 0.40, 9), step(1_000_000, 4.2, 10)));
        assertThat(s.superlinearTime()).isFalse();
        assertThat(s.memoryGrows()).isFalse();
        assertThat(s.describe()).isEqualTo("10x the rows took 1.05x the time per row (linear); memory 8.0 -> 10.0 MB"
                + " (flat)");
    }

    @Test
    void quadraticTimeAndBufferedRowsAreFlagged() {
        CrossLoaderComparisonBenchmark.Scaling s = CrossLoaderComparisonBenchmark.Scaling.of(List.of(
                step(10_000, 0.01, 5), step(100_000, 1.0, 40), step(1_000_000, 100.0, 400)));
        assertThat(s.superlinearTime()).isTrue();
        assertThat(s.memoryGrows()).isTrue();
    }

    @Test
    void sizesFollowPerfTestSize() {
        assertThat(CrossLoaderComparisonBenchmark.scaled(1_000_000, 50_000)).isEqualTo(1_000_000);
        assertThat(CrossLoaderComparisonBenchmark.scaled(1_000_000, 10_000)).isEqualTo(200_000);
        assertThat(CrossLoaderComparisonBenchmark.scaled(10_000, 2_000)).isEqualTo(400);
        assertThat(CrossLoaderComparisonBenchmark.scaled(10_000, 100)).isEqualTo(100);
    }

    @Test
    void namesSayTheRowsTheyRan() {
        assertThat(CrossLoaderComparisonBenchmark.label(CrossLoaderComparisonBenchmark.scaled(1_000_000, 50_000)))
                .isEqualTo("1m");
        assertThat(CrossLoaderComparisonBenchmark.label(CrossLoaderComparisonBenchmark.scaled(1_000_000, 10_000)))
                .isEqualTo("200k");
        assertThat(CrossLoaderComparisonBenchmark.label(CrossLoaderComparisonBenchmark.scaled(10_000, 10_000)))
                .isEqualTo("2k");
        assertThat(CrossLoaderComparisonBenchmark.label(CrossLoaderComparisonBenchmark.scaled(10_000, 2_000)))
                .isEqualTo("400");
        assertThat(CrossLoaderComparisonBenchmark.label(1_500)).isEqualTo("1500");
    }
}
