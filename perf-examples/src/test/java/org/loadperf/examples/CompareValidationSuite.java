package org.loadperf.examples;

import java.util.List;

import org.loadperf.api.Benchmark;
import org.loadperf.core.PerfRunner;
import org.loadperf.core.settings.PerfSettings;

/**
 * The suite of the validation of {@code PerfCli compare} (scripts/compare-validation.sh, docs/verdict-validation.md):
 * the two benchmarks of {@link VerdictValidationChild} (a CPU-and-memory workload and a PostgreSQL loader load),
 * run by a {@link PerfRunner} of the environment's settings, which records them in {@code PERF_STORE}, as a
 * user's suite does. {@code PERF_VALIDATION_SLOWDOWN} (percent, default 0) slows every iteration by extra work after
 * the body; the comparison gives it to the head's runs only ({@code --head-env}), so the base cannot see it.
 * Keys and the table carry a {@code _compare16} suffix, apart from other runs on a shared server, and the table the
 * side too: with {@code --interleave iterations} both sides' runs are alive at once, taking turns. Arguments, when
 * given, name the benchmarks' loader types to run ({@code postgresql}, {@code validation}); none runs both.
 */
public final class CompareValidationSuite {

    private CompareValidationSuite() {
    }

    public static void main(String[] args) throws Exception {
        PerfSettings settings = PerfSettings.load();
        double slowdown = Double.parseDouble(settings.get("PERF_VALIDATION_SLOWDOWN", "0"));
        if (!(slowdown >= 0 && slowdown < 100)) {
            throw new IllegalArgumentException("PERF_VALIDATION_SLOWDOWN must be a percentage in [0, 100), got "
                    + slowdown);
        }
        List<String> loaderTypes = List.of(args);
        for (String type : loaderTypes) {
            if (!type.equals("postgresql") && !type.equals("validation")) {
                throw new IllegalArgumentException("unknown loader type " + type + ": the suite's are postgresql and "
                        + "validation");
            }
        }
        try (PerfRunner runner = PerfRunner.builder(settings).build()) {
            for (Benchmark b : VerdictValidationChild.benchmarks(settings.testSize(), slowdown, "_compare16",
                    "_compare16_" + settings.get("PERF_COMPARE_SIDE", "alone"))) {
                if (loaderTypes.isEmpty() || loaderTypes.contains(b.loaderType())) {
                    runner.run(b);
                }
            }
        }
    }
}
