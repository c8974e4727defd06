package org.loadperf.core.report;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.MetricSummary;
import org.loadperf.api.Verdict;
import org.loadperf.core.stats.Statistics;

/** Results with known figures for the report tests (the runner's own measurements are tested elsewhere). */
public final class ReportFixtures {

    private ReportFixtures() {
    }

    /**
     * A result whose samples are {@code throughput * (1 + k/100)} for k in -2..2 (and likewise for memory and
     * duration), so its medians are exactly the given figures.
     */
    public static BenchmarkResult result(String test, String loader, long size, double throughput, double memory,
                                  String commit, OffsetDateTime when, List<Verdict> verdicts) {
        Map<Metric, List<Double>> samples = new EnumMap<>(Metric.class);
        samples.put(Metric.THROUGHPUT, spread(throughput));
        samples.put(Metric.MEMORY, spread(memory));
        samples.put(Metric.DURATION, spread(size / throughput));
        samples.put(Metric.ALLOCATED_BYTES_PER_ROW, spread(120.0));
        samples.put(Metric.CPU_SECONDS, spread(size / throughput * 1.5));
        Map<Metric, MetricSummary> summaries = new EnumMap<>(Metric.class);
        samples.forEach((m, list) -> summaries.put(m, Statistics.summarize(m, list)));
        return new BenchmarkResult(test, loader, size, 1, samples, summaries, verdicts, when, commit, false, "local",
                Map.of("os", "Linux", "cpus", "2"), List.of());
    }

    static List<Double> spread(double median) {
        List<Double> list = new ArrayList<>();
        for (int k = -2; k <= 2; k++) {
            list.add(median * (1 + k / 100.0));
        }
        return list;
    }

    public static Verdict verdict(Metric m, Verdict.Status status, double baseline, double current) {
        return new Verdict(m, status, m.regressionPercent(baseline, current), baseline, current, 10.0, 0.95,
                m == Metric.THROUGHPUT ? 5.0 : 10.0, 1.5, 3.0, "hodges-lehmann", m.displayName() + " " + status);
    }

    public static List<Verdict> ok() {
        return List.of(verdict(Metric.THROUGHPUT, Verdict.Status.OK, 1000, 1000),
                verdict(Metric.MEMORY, Verdict.Status.OK, 10, 10),
                verdict(Metric.DURATION, Verdict.Status.OK, 1, 1));
    }

    public static OffsetDateTime at(int day) {
        return OffsetDateTime.of(2025, 7, 1 + day, 12, 0, 0, 0, ZoneOffset.UTC);
    }
}
