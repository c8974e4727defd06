package org.loadperf.core.compare;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.loadperf.api.annotation.Api;
import org.loadperf.core.PerfRunner;
import org.loadperf.core.settings.PerfSettings;

/**
 * {@code PerfCli compare}: is the head slower than the base? Both commits are built side by side and their suites
 * run in JVM rounds in one job, the two sides taking turns per iteration (see {@link CompareRun}); the verdicts are
 * paired over the rounds (see {@link RoundVerdicts}); the table goes to the console and to {@code compare.md}, {@code compare.json} and
 * {@code index.html}. Nothing is recorded in the baseline store: each round's store file stays under
 * {@code target/compare/stores/} for {@code PerfCli import} when a run should become history.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class CompareCommand {

    /** {@link CompareOptions#USAGE}, for the CLI's help. */
    public static final String USAGE = CompareOptions.USAGE;

    private CompareCommand() {
    }

    /**
     * Runs a comparison.
     *
     * @param args the arguments after {@code compare}
     * @return 0 done (no failing regression, or fail-on-regression off), 1 failed or a failing regression,
     *         2 bad usage
     */
    public static int run(List<String> args, PrintStream out, PrintStream err, PerfSettings settings) {
        CompareOptions options;
        RoundVerdicts judge;
        try {
            if (args.contains("--help") || args.contains("-h")) {
                out.print(USAGE);
                return 0;
            }
            options = CompareOptions.parse(args, settings.getBoolean("PERF_FAIL_ON_REGRESSION", false),
                    settings.get("PERF_MEASURE_SECONDS").isPresent());
            // The thresholds, confidence and memory floor of the settings, as a history run would judge by.
            PerfRunner.Builder b = PerfRunner.builder(settings);
            judge = new RoundVerdicts(b.confidence(), b.thresholds(), b.memoryFloorMb());
        } catch (IllegalArgumentException e) {
            err.println("PerfCli compare: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        try {
            CompareRun run = new CompareRun(options, judge, out, System::nanoTime);
            CompareRun.Outcome outcome = run.run();
            out.print(CompareReport.console(outcome));
            Path dir = options.reportDir() != null ? run.repo().resolve(options.reportDir())
                    : settings.get("PERF_REPORT_DIR").map(d -> run.repo().resolve(d))
                    .orElse(run.repo().resolve("target").resolve("perf-report"));
            List<Path> written = CompareReport.write(outcome, dir.toAbsolutePath().normalize());
            out.println("Reports: " + written.get(0).getParent() + " (" + String.join(", ", written.stream()
                    .map(p -> p.getFileName().toString()).toList()) + ")");
            boolean failing = outcome.rows().stream().anyMatch(RoundVerdicts.Row::failing);
            if (failing && options.failOnRegression()) {
                err.println("PerfCli compare: the head regressed (--fail-on-regression): " + String.join("; ",
                        outcome.rows().stream().filter(RoundVerdicts.Row::failing)
                                .map(r -> r.key() + " " + r.verdict().message()).toList()));
                return 1;
            }
            return 0;
        } catch (RuntimeException e) {
            err.println("PerfCli compare: " + e.getMessage());
            return 1;
        }
    }
}
