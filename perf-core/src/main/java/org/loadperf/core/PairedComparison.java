package org.loadperf.core;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Verdict;

/**
 * What {@link PerfRunner#compare} found: the samples of both variants, measured in interleaved pairs, and the
 * candidate's verdict against the baseline per metric.
 *
 * @param baselineKey       the baseline variant's key
 * @param candidateKey      the candidate variant's key
 * @param pairs             measured pairs
 * @param baselineSamples   the baseline's samples per metric, pair by pair
 * @param candidateSamples  the candidate's samples per metric, pair by pair
 * @param verdicts          one paired verdict per compared metric (positive regression = candidate worse)
 * @param notes             remarks for a person (the pair order, detection-limit warnings)
 * @param candidateResult   the candidate's result as the reporters saw it
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public record PairedComparison(String baselineKey, String candidateKey, int pairs,
                               Map<Metric, List<Double>> baselineSamples, Map<Metric, List<Double>> candidateSamples,
                               List<Verdict> verdicts, List<String> notes, BenchmarkResult candidateResult) {

    /** Copies the collections. */
    public PairedComparison {
        Objects.requireNonNull(baselineKey, "baselineKey is null");
        Objects.requireNonNull(candidateKey, "candidateKey is null");
        baselineSamples = copy(baselineSamples);
        candidateSamples = copy(candidateSamples);
        verdicts = List.copyOf(verdicts);
        notes = List.copyOf(notes);
        Objects.requireNonNull(candidateResult, "candidateResult is null");
    }

    private static Map<Metric, List<Double>> copy(Map<Metric, List<Double>> m) {
        EnumMap<Metric, List<Double>> c = new EnumMap<>(Metric.class);
        m.forEach((k, v) -> c.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(c);
    }

    /** The verdict of {@code metric}, when it was compared. */
    public Optional<Verdict> verdict(Metric metric) {
        return verdicts.stream().filter(v -> v.metric() == metric).findFirst();
    }

    /** Whether the candidate is confidently worse than the baseline on some metric. */
    public boolean hasRegression() {
        return verdicts.stream().anyMatch(Verdict::isRegression);
    }
}
