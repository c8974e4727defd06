package org.loadperf.core.compare;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The options of {@code compare}, checked when parsed: a bad value fails naming the option, before any work.
 *
 * @param base              the base's git ref
 * @param head              the head's git ref, or {@code worktree} for the working tree as it is
 * @param groups            the suites (JUnit tags) to run, substituted for {@code {groups}} in the command
 * @param command           the shell command that runs the suites of a tree and writes its store to PERF_STORE
 * @param build             the shell command that builds a tree once before the rounds ({@code none}: no build)
 * @param roundsMin         rounds before the comparison may stop early
 * @param roundsMax         rounds at most
 * @param timeBudget        no round starts that would end after it (null: none)
 * @param runTimeout        the longest one side's command may run before the comparison fails
 * @param failOnRegression  exit 1 when a REGRESSION survives Holm's correction
 * @param headEnv           extra environment of the head's runs only (the validation's injected slowdown)
 * @param repo              the repository (its top level); null: the one of the working directory
 * @param reportDir         where compare.md, compare.json and index.html go; null: PERF_REPORT_DIR, else
 *                          target/perf-report of the repository
 * @param interleave        {@code iterations}: in each round both sides' commands run at once, taking turns
 *                          iteration by iteration; {@code runs}: one side's command after the other's
 * @param measureSeconds    PERF_MEASURE_SECONDS of both sides' runs; null: what their settings say
 */
record CompareOptions(String base, String head, String groups, String command, String build, int roundsMin,
                      int roundsMax, Duration timeBudget, Duration runTimeout, boolean failOnRegression,
                      Map<String, String> headEnv, Path repo, Path reportDir, String interleave,
                      Double measureSeconds) {

    static final String WORKTREE = "worktree";
    static final String ITERATIONS = "iterations";
    static final String RUNS = "runs";
    static final String DEFAULT_GROUPS = "performance";
    /** The repository's own suites, as {@code make test-performance} runs them; one surefire JVM per module. */
    static final String DEFAULT_COMMAND = "mvn -B -q verify -Pperformance -Dgroups={groups} "
            + "-Dmaven.test.failure.ignore=true -Djacoco.skip=true";
    static final String DEFAULT_BUILD = "mvn -B -q -DskipTests -Djacoco.skip=true test-compile";
    /** The fewest paired rounds with a 99% one-sided signed-rank bound (2^-7 < 1%). */
    static final int DEFAULT_ROUNDS_MIN = 7;
    /** Busy-machine validation: at 15 every missed 10% slowdown was still undecided (docs/verdict-validation.md). */
    static final int DEFAULT_ROUNDS_MAX = 20;
    static final Duration DEFAULT_RUN_TIMEOUT = Duration.ofMinutes(60);
    /**
     * Measured time per benchmark in each run, unless the settings give PERF_MEASURE_SECONDS: a round's figure is the
     * median of one JVM's iterations, and with the runner's 1 s a short body's median moved by 8% between JVMs
     * (docs/verdict-validation.md, fifth session); 3 s cut that by about the square root of 3.
     */
    static final double DEFAULT_MEASURE_SECONDS = 3;

    static final String USAGE = """
            Usage: PerfCli compare --base <ref> [options]
              --base REF            the commit to compare with (checked out into target/compare/base)
              --head REF|worktree   the commit under test (default: worktree, the working tree as it is)
              --groups TAGS         the suites to run, substituted for {groups} in the command (default: performance)
              --command "CMD"       runs a tree's suites, writing its store to $PERF_STORE (default:
                                    mvn -B -q verify -Pperformance -Dgroups={groups} -Dmaven.test.failure.ignore=true)
              --build "CMD"         builds a tree once before the rounds (default: mvn -B -q -DskipTests test-compile;
                                    none: no build step)
              --rounds-min N        rounds before it may stop early (default 7, the fewest for a 99% bound)
              --rounds-max N        rounds at most (default 20)
              --time-budget T       start no round that would end after T (e.g. 30m, 90s, 1h; default: none)
              --run-timeout T       one side's command longer than T fails the comparison (default 60m)
              --interleave MODE     iterations (default): both sides' runs of a round at once, taking turns
                                    iteration by iteration; runs: one side's run after the other's
              --measure-seconds T   PERF_MEASURE_SECONDS of both sides' runs (default: the settings', else 3s)
              --fail-on-regression  exit 1 when a REGRESSION survives Holm's correction (also PERF_FAIL_ON_REGRESSION)
              --head-env NAME=VALUE extra environment of the head's runs only (validation: an injected slowdown)
              --repo PATH           the repository (default: the one of the working directory)
              --report-dir PATH     where compare.md, compare.json, index.html go (default: target/perf-report)
            """;

    CompareOptions {
        Objects.requireNonNull(base, "base is null");
        Objects.requireNonNull(head, "head is null");
        headEnv = Map.copyOf(headEnv);
        Objects.requireNonNull(interleave, "interleave is null");
    }

    boolean interleavesIterations() {
        return interleave.equals(ITERATIONS);
    }

    boolean headIsWorktree() {
        return head.equals(WORKTREE);
    }

    /** The command with the groups substituted. */
    String commandLine() {
        return command.replace("{groups}", groups);
    }

    /**
     * Parses {@code args} (after the word {@code compare}).
     *
     * @throws IllegalArgumentException naming the option of a missing or bad value
     */
    static CompareOptions parse(List<String> args, boolean failOnRegressionSetting) {
        return parse(args, failOnRegressionSetting, false);
    }

    /**
     * Parses {@code args}; {@code measureSecondsSet}: the settings give PERF_MEASURE_SECONDS, which the runs then
     * read themselves unless {@code --measure-seconds} is given.
     *
     * @throws IllegalArgumentException naming the option of a missing or bad value
     */
    static CompareOptions parse(List<String> args, boolean failOnRegressionSetting, boolean measureSecondsSet) {
        String base = null;
        String head = WORKTREE;
        String groups = DEFAULT_GROUPS;
        String command = DEFAULT_COMMAND;
        String build = DEFAULT_BUILD;
        int min = DEFAULT_ROUNDS_MIN;
        int max = DEFAULT_ROUNDS_MAX;
        Duration budget = null;
        Duration runTimeout = DEFAULT_RUN_TIMEOUT;
        boolean fail = failOnRegressionSetting;
        Map<String, String> headEnv = new LinkedHashMap<>();
        Path repo = null;
        Path reportDir = null;
        String interleave = ITERATIONS;
        Double measure = measureSecondsSet ? null : DEFAULT_MEASURE_SECONDS;
        boolean minGiven = false;
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String a = rest.remove(0);
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (a.equals("--fail-on-regression")) {
                fail = true;
                continue;
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            if (value == null) {
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                value = rest.remove(0);
            }
            switch (a) {
                case "--base" -> base = nonBlank(a, value);
                case "--head" -> head = nonBlank(a, value);
                case "--groups" -> groups = nonBlank(a, value);
                case "--command" -> command = nonBlank(a, value);
                case "--build" -> build = nonBlank(a, value);
                case "--rounds-min" -> {
                    min = positive(a, value);
                    minGiven = true;
                }
                case "--rounds-max" -> max = positive(a, value);
                case "--time-budget" -> budget = duration(a, value);
                case "--run-timeout" -> runTimeout = duration(a, value);
                case "--head-env" -> {
                    int e = value.indexOf('=');
                    if (e <= 0 || !value.substring(0, e).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                        throw new IllegalArgumentException("--head-env needs NAME=VALUE, got '" + value + "'");
                    }
                    headEnv.put(value.substring(0, e), value.substring(e + 1));
                }
                case "--repo" -> repo = Path.of(nonBlank(a, value));
                case "--report-dir" -> reportDir = Path.of(nonBlank(a, value));
                case "--measure-seconds" -> measure = duration(a, value).toMillis() / 1000.0;
                case "--interleave" -> {
                    if (!value.equals(ITERATIONS) && !value.equals(RUNS)) {
                        throw new IllegalArgumentException("--interleave must be " + ITERATIONS + " or " + RUNS
                                + ", got '" + value + "'");
                    }
                    interleave = value;
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (base == null) {
            throw new IllegalArgumentException("--base <git ref> is required");
        }
        if (!minGiven && max < min) {
            min = max;
        }
        if (max < min) {
            throw new IllegalArgumentException("--rounds-max (" + max + ") is below --rounds-min (" + min + ")");
        }
        if (!groups.matches("[A-Za-z0-9_.,!&|() -]+")) {
            throw new IllegalArgumentException("--groups must be JUnit tags (letters, digits, _ . , ! & | ( )), got '"
                    + groups + "'");
        }
        return new CompareOptions(base, head, groups, command, build, min, max, budget, runTimeout, fail, headEnv,
                repo, reportDir, interleave, measure);
    }

    private static String nonBlank(String option, String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a whole number >= 1, got '" + value + "'");
    }

    /** {@code 90s}, {@code 30m}, {@code 1h}, or plain seconds. */
    static Duration duration(String option, String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        try {
            char unit = v.isEmpty() ? ' ' : v.charAt(v.length() - 1);
            String number = Character.isDigit(unit) ? v : v.substring(0, v.length() - 1);
            double x = Double.parseDouble(number);
            double seconds = switch (unit) {
                case 'h' -> x * 3600;
                case 'm' -> x * 60;
                case 's' -> x;
                default -> Character.isDigit(unit) ? x : Double.NaN;
            };
            if (seconds > 0 && seconds < 7 * 24 * 3600) {
                return Duration.ofMillis(Math.round(seconds * 1000));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a positive duration like 90s, 30m or 1h, got '"
                + value + "'");
    }
}
