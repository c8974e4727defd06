package org.loadperf.api;

import org.loadperf.api.annotation.Api;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a run of one {@link Benchmark} produced: the samples of every measured iteration, their summary,
 * the verdict per metric against the baseline, and where and when it ran. Immutable.
 *
 * @param testName           the test part of the key
 * @param loaderType         the loader part of the key
 * @param datasetSize        rows per iteration
 * @param warmupIterations   iterations run and discarded
 * @param samples            measured samples per metric, in the order they were taken
 * @param summaries          statistics per metric
 * @param verdicts           one verdict per compared metric (empty when the runner compared nothing)
 * @param timestamp          when the run started
 * @param gitCommit          the first 8 hex chars of the commit, or {@code unknown}
 * @param gitDirty           whether the work tree had uncommitted changes
 * @param environment        {@code PERF_ENV}
 * @param fingerprint        the machine it ran on
 * @param notes              remarks of the runner for a person (e.g. "baseline from another machine")
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record BenchmarkResult(String testName, String loaderType, long datasetSize, int warmupIterations,
                              Map<Metric, List<Double>> samples, Map<Metric, MetricSummary> summaries,
                              List<Verdict> verdicts, OffsetDateTime timestamp, String gitCommit, boolean gitDirty,
                              String environment, Map<String, String> fingerprint, List<String> notes) {

    /** Copies the collections so that a result is immutable. */
    public BenchmarkResult {
        Objects.requireNonNull(testName, "testName is null");
        Objects.requireNonNull(loaderType, "loaderType is null");
        Objects.requireNonNull(timestamp, "timestamp is null");
        EnumMap<Metric, List<Double>> s = new EnumMap<>(Metric.class);
        samples.forEach((m, list) -> s.put(m, List.copyOf(list)));
        samples = Collections.unmodifiableMap(s);
        EnumMap<Metric, MetricSummary> sm = new EnumMap<>(Metric.class);
        sm.putAll(summaries);
        summaries = Collections.unmodifiableMap(sm);
        verdicts = List.copyOf(verdicts);
        fingerprint = Collections.unmodifiableMap(new LinkedHashMap<>(fingerprint));
        notes = List.copyOf(notes);
    }

    /** {@code {loader_type}_{test_name}}. */
    public String key() {
        return loaderType + "_" + testName;
    }

    /** Number of measured iterations. */
    public int measuredIterations() {
        return samples.values().stream().mapToInt(List::size).max().orElse(0);
    }

    /** The summary of {@code metric}. */
    public MetricSummary summary(Metric metric) {
        MetricSummary s = summaries.get(metric);
        if (s == null) {
            throw new IllegalArgumentException("no samples of " + metric.key() + " in " + key());
        }
        return s;
    }

    /** The median of {@code metric}, the figure a store records. */
    public double median(Metric metric) {
        return summary(metric).median();
    }

    /** The verdict of {@code metric}, when it was compared. */
    public Optional<Verdict> verdict(Metric metric) {
        return verdicts.stream().filter(v -> v.metric() == metric).findFirst();
    }

    /** Whether any metric is a {@link Verdict.Status#REGRESSION}. */
    public boolean hasRegression() {
        return verdicts.stream().anyMatch(Verdict::isRegression);
    }

    /** The verdicts that are regressions. */
    public List<Verdict> regressions() {
        return verdicts.stream().filter(Verdict::isRegression).toList();
    }

    /** What a baseline store keeps of this result. */
    public BenchmarkRecord toRecord() {
        EnumMap<Metric, Double> values = new EnumMap<>(Metric.class);
        summaries.forEach((m, s) -> values.put(m, s.median()));
        return new BenchmarkRecord(testName, loaderType, datasetSize, values, samples,
                timestamp.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), gitCommit, gitDirty, environment,
                fingerprint, Map.of());
    }
}
