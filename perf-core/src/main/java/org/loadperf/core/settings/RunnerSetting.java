package org.loadperf.core.settings;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.loadperf.api.annotation.Api;

/**
 * Every {@code PERF_*} setting loadperf reads, declared once: its name, its system-property form, its type, its
 * default and what it does. The runner's defaults, the check that rejects an unknown {@code -Dperf.*} property and
 * the README's settings table all come from here (a test compares the README with {@link #markdownTable()}).
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public enum RunnerSetting {
    TEST_SIZE("PERF_TEST_SIZE", Type.INTEGER, "50000", "rows of the guide's dataset"),
    ENV("PERF_ENV", Type.TEXT, "local", "environment recorded with every benchmark"),
    ENV_FILE("PERF_ENV_FILE", Type.PATH, "`.env.test`", "the dotenv file read after system properties and the "
            + "environment (default: `.env.test` of the working directory or the nearest parent up to the git root)"),
    STORE("PERF_STORE", Type.PATH, "`performance_benchmarks.json`", "the baseline file (`make test-performance` puts "
            + "it in the project root), or a PostgreSQL server shared by runners and branches: "
            + "`jdbc:postgresql://host:port/db?user=...` or `postgresql://user@host:port/db` "
            + "([A shared store in PostgreSQL](#a-shared-store-in-postgresql))"),
    BRANCH("PERF_BRANCH", Type.TEXT, "CI's branch, else git's", "PostgreSQL store: the branch runs are recorded on"),
    DEFAULT_BRANCH("PERF_DEFAULT_BRANCH", Type.TEXT, "`main`", "PostgreSQL store: the branch whose baselines a "
            + "branch without its own compares with"),
    MACHINE_CLASS("PERF_MACHINE_CLASS", Type.TEXT, "e.g. `amd64-2cpu-8g`", "PostgreSQL store: runs compare only "
            + "with baselines of the same machine class"),
    STORE_PASSWORD("PERF_STORE_PASSWORD", Type.TEXT, "none", "PostgreSQL store: the password, when the URL has none"),
    WARMUP_ITERATIONS("PERF_WARMUP_ITERATIONS", Type.INTEGER, "1", "iterations run and discarded, at least (0: no "
            + "warm-up at all)"),
    WARMUP_SECONDS("PERF_WARMUP_SECONDS", Type.SECONDS, "1", "warm-up goes on past its iterations until this much "
            + "wall time has passed (at most 200 iterations)"),
    ITERATIONS("PERF_ITERATIONS", Type.INTEGER, "5", "memory iterations, and timed iterations at least"),
    MEASURE_SECONDS("PERF_MEASURE_SECONDS", Type.SECONDS, "1", "measured iterations go on until this much wall time "
            + "has passed (at most 100 iterations)"),
    SPEED_CORRECTION("PERF_SPEED_CORRECTION", Type.BOOLEAN, "true", "time the machine's speed between measured "
            + "iterations and correct verdicts for it where the history shows it pays"),
    CONFIDENCE("PERF_CONFIDENCE", Type.NUMBER, "0.99", "one-sided confidence a REGRESSION needs"),
    MEMORY_FLOOR_MB("PERF_MEMORY_FLOOR_MB", Type.NUMBER, "1", "a memory change, or an allocation change over one "
            + "load, smaller than this (MB) is OK, never REGRESSION nor INCONCLUSIVE: below what the measurement "
            + "resolves"),
    CONFIRM("PERF_CONFIRM", Type.BOOLEAN, "true", "re-run an INCONCLUSIVE or REGRESSION benchmark once before the "
            + "verdict is final"),
    RUN_NOISE("PERF_RUN_NOISE", Type.PERCENT, "10", "run-to-run noise (%) assumed until 5 runs of history exist"),
    NOISE_WINDOW("PERF_NOISE_WINDOW", Type.INTEGER, "20", "latest runs used to measure the run-to-run noise"),
    PAIRS("PERF_PAIRS", Type.INTEGER, "10", "interleaved pairs of `PerfRunner.compare(a, b)`, at least"),
    PAIRED_SECONDS("PERF_PAIRED_SECONDS", Type.SECONDS, "30", "more pairs until this much wall time has passed (at "
            + "most 100 pairs)"),
    REPORT_DIR("PERF_REPORT_DIR", Type.PATH, "`target/perf-report`", "where `results.json`, `summary.md`, "
            + "`index.html` and the github-action-benchmark files go"),
    RUN_ID("PERF_RUN_ID", Type.TEXT, "one per JVM (`make`: one per run)", "runners with the same id add to the same "
            + "report"),
    ACKNOWLEDGE("PERF_ACKNOWLEDGE", Type.TEXT, "none", "`<key>:<reason>[;...]`: accept an expected regression, "
            + "recorded in the store"),
    THRESHOLD_THROUGHPUT("PERF_THRESHOLD_THROUGHPUT", Type.PERCENT, "5", "throughput threshold in %"),
    THRESHOLD_MEMORY("PERF_THRESHOLD_MEMORY", Type.PERCENT, "10", "memory threshold in %"),
    THRESHOLD_DURATION("PERF_THRESHOLD_DURATION", Type.PERCENT, "10", "duration threshold in %"),
    THRESHOLD_ALLOCATION("PERF_THRESHOLD_ALLOCATION", Type.PERCENT, "10", "allocation threshold in % "
            + "(`allocated_bytes_per_row`)"),
    METRICS("PERF_METRICS", Type.LIST, "`throughput_rows_per_sec,memory_mb,duration_seconds,allocated_bytes_per_row`",
            "the metrics that get verdicts, charts and exports, by key: the guide's three, "
                    + "`allocated_bytes_per_row`, `cpu_seconds`"),
    BASELINE_POLICY("PERF_BASELINE_POLICY", Type.CHOICE, "always", "`always` (the guide's: every run becomes the "
            + "baseline), `update-unless-regressed`, `pinned`"),
    FAIL_ON_REGRESSION("PERF_FAIL_ON_REGRESSION", Type.BOOLEAN, "false", "a regression throws "
            + "`PerformanceRegressionError` (an `AssertionError`)"),
    COMPARE_SIDE("PERF_COMPARE_SIDE", Type.CHOICE, "none", "set by `compare` in each side's runs: `base` or `head`"),
    COMPARE_TURNS("PERF_COMPARE_TURNS", Type.PATH, "none", "set by `compare --interleave iterations`: the directory "
            + "through which the two sides' runs take turns, iteration by iteration");

    /** What a setting's value is. */
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
    public enum Type {
        TEXT, PATH, INTEGER, NUMBER, BOOLEAN, SECONDS, PERCENT, CHOICE, LIST;

        /** The word the README shows. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String name;
    private final Type type;
    private final String defaultText;
    private final String doc;

    RunnerSetting(String name, Type type, String defaultText, String doc) {
        this.name = name;
        this.type = type;
        this.defaultText = defaultText;
        this.doc = doc;
    }

    /** The environment-variable name, e.g. {@code PERF_WARMUP_SECONDS}. */
    public String settingName() {
        return name;
    }

    /** The system-property form, e.g. {@code perf.warmupSeconds}. */
    public String property() {
        return PerfSettings.dotted(name);
    }

    /** What its value is. */
    public Type type() {
        return type;
    }

    /** The default as the README shows it (backquotes around literal values that are not plain words). */
    public String defaultText() {
        return defaultText;
    }

    /** The default as a value the code parses (the text without its backquotes). */
    public String defaultValue() {
        return defaultText.replace("`", "");
    }

    /** What it does. */
    public String doc() {
        return doc;
    }

    /** Every system property the runner understands; any other {@code perf.*} property is a mistake. */
    public static Set<String> properties() {
        return Arrays.stream(values()).map(RunnerSetting::property).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Fails when a system property starts with {@code perf.} and is none of {@link #properties()}, naming it and
     * the known ones.
     */
    public static void rejectUnknownProperties(Iterable<String> systemPropertyNames) {
        Set<String> known = properties();
        for (String name : systemPropertyNames) {
            if (name.startsWith("perf.") && !known.contains(name)) {
                throw new IllegalArgumentException("Unknown setting -D" + name + "; known: "
                        + String.join(", ", known));
            }
        }
    }

    /** The README's settings table: setting, property, type, default, meaning. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder("| setting | property | type | default | meaning |\n|---|---|---|---|---|\n");
        for (RunnerSetting s : values()) {
            sb.append("| `").append(s.name).append("` | `").append(s.property()).append("` | ").append(s.type.word())
                    .append(" | ").append(s.defaultText).append(" | ").append(s.doc).append(" |\n");
        }
        return sb.toString();
    }
}
