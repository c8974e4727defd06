package org.loadperf.api;

import org.loadperf.api.annotation.Api;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What a {@link BaselineStore} keeps of one benchmark run: the guide's fields ({@code test_name},
 * {@code loader_type}, {@code throughput_rows_per_sec}, {@code memory_mb}, {@code duration_seconds},
 * {@code dataset_size}, {@code timestamp}, {@code git_commit}, {@code environment}) plus the samples, the machine
 * fingerprint and anything else a store found beside them. A record written by the guide's own tooling has one
 * value per metric and no samples.
 *
 * @param testName    the test part of the key
 * @param loaderType  the loader part of the key
 * @param datasetSize rows per iteration
 * @param values      the figure per metric (the median of the samples); at least throughput, memory, duration
 * @param samples     the measured samples per metric, warm-up excluded; empty for a guide-era record
 * @param timestamp   when it ran, ISO-8601 as written (new records carry an offset; guide-era ones may not)
 * @param gitCommit   the first 8 hex chars of the commit, or {@code unknown}
 * @param gitDirty    whether the work tree had uncommitted changes
 * @param environment {@code PERF_ENV}, default {@code local}
 * @param fingerprint the machine it ran on (os, arch, cpus, memory, jvm, max heap, calibration)
 * @param extras      further fields kept as read, so that a store never drops what it does not know
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record BenchmarkRecord(String testName, String loaderType, long datasetSize, Map<Metric, Double> values,
                              Map<Metric, List<Double>> samples, String timestamp, String gitCommit,
                              boolean gitDirty, String environment, Map<String, String> fingerprint,
                              Map<String, Object> extras) {

    /** Copies the maps so that a record is immutable. */
    public BenchmarkRecord {
        Objects.requireNonNull(testName, "testName is null");
        Objects.requireNonNull(loaderType, "loaderType is null");
        Objects.requireNonNull(timestamp, "timestamp is null");
        Objects.requireNonNull(gitCommit, "gitCommit is null");
        Objects.requireNonNull(environment, "environment is null");
        EnumMap<Metric, Double> v = new EnumMap<>(Metric.class);
        v.putAll(Objects.requireNonNull(values, "values is null"));
        values = Collections.unmodifiableMap(v);
        EnumMap<Metric, List<Double>> s = new EnumMap<>(Metric.class);
        Objects.requireNonNull(samples, "samples is null").forEach((m, list) -> s.put(m, List.copyOf(list)));
        samples = Collections.unmodifiableMap(s);
        fingerprint = Collections.unmodifiableMap(new LinkedHashMap<>(fingerprint == null ? Map.of() : fingerprint));
        extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras == null ? Map.of() : extras));
    }

    /** {@code {loader_type}_{test_name}}. */
    public String key() {
        return loaderType + "_" + testName;
    }

    /** The figure of {@code metric}, if recorded. */
    public OptionalDouble value(Metric metric) {
        Double v = values.get(metric);
        return v == null || v.isNaN() ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** The samples of {@code metric}; empty when only the figure was recorded. */
    public List<Double> samples(Metric metric) {
        return samples.getOrDefault(metric, List.of());
    }

    /** A copy with other extras. */
    public BenchmarkRecord withExtras(Map<String, Object> newExtras) {
        return new BenchmarkRecord(testName, loaderType, datasetSize, values, samples, timestamp, gitCommit, gitDirty,
                environment, fingerprint, newExtras);
    }
}
