package org.loadperf.core;

import java.util.List;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BenchmarkResult;

/**
 * Thrown by {@link PerfRunner#run} when fail-on-regression is on and a benchmark regressed. An
 * {@link AssertionError}, so that JUnit reports the test as failed, not errored.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class PerformanceRegressionError extends AssertionError {

    private static final long serialVersionUID = 1L;

    private final transient BenchmarkResult result;

    PerformanceRegressionError(String message, BenchmarkResult result) {
        super(message);
        this.result = result;
    }

    /** The result that regressed, with its verdicts. */
    public BenchmarkResult result() {
        return result;
    }

    static String describe(List<BenchmarkResult> results) {
        StringBuilder sb = new StringBuilder("Performance regression: ");
        for (BenchmarkResult r : results) {
            r.regressions().forEach(v -> sb.append(r.key()).append(' ').append(v.message()).append("; "));
        }
        sb.setLength(sb.length() - 2);
        return sb.toString();
    }
}
