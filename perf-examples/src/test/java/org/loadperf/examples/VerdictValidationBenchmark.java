package org.loadperf.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.loadperf.api.Metric;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.postgres.PostgresTestServer;

/**
 * Validates the verdicts as a user meets them: every run is a JVM of its own ({@link VerdictValidationChild}: a
 * {@link PerfRunner} with default settings against one JSON store). Each pair starts from a baseline run of the
 * unchanged code; against it:
 *
 * <ul>
 *   <li>Injected slowdowns of 5, 10 and 20% throughput (extra work after the body, run until the iteration took
 *       {@code 100 / (100 - x)} times the body's own time: see {@link VerdictValidationChild}), each a run of its
 *       own: a REGRESSION is a detection. A slowed run compares with a copy of the store, so that the shared
 *       history (which estimates the run-to-run noise) holds only runs of the unchanged code, as it would in CI
 *       where the slow commit is the one under test.</li>
 *   <li>A/A: the next run of the unchanged code, in the store itself; a REGRESSION is a false alarm. It is the
 *       next pair's baseline.</li>
 * </ul>
 * The paired mode ({@code compare(unchanged, slowed)} in one JVM) has runs of its own.
 * For contrast the guide's rule is evaluated on the same runs: one run against one run (the first, un-warmed
 * execution of each JVM, as the guide's pytest runs measured), REGRESSION when throughput is 5% worse. Prints a
 * table; asserts only that every run produced its verdicts (speed goals are not unit tests).
 *
 * <p>The load goes to the PostgreSQL of {@code POSTGRES_HOST}, or to an embedded one this JVM starts (as root: run
 * under {@code unshare -U}); every child gets its address.
 *
 * <p>Not part of {@code mvn verify} nor of {@code make test-performance} (tag {@code validation}, and its name
 * matches no surefire default pattern): {@code make validate-verdicts}. Pairs per scenario:
 * {@code PERF_VALIDATION_PAIRS} (default 20), paired-mode runs {@code PERF_VALIDATION_PAIRED_RUNS} (default 3: each
 * takes about a minute, 30 s of pairs per benchmark, and the whole validation stays under half an hour);
 * unchanged runs before the first pair {@code PERF_VALIDATION_SEED_RUNS} (default 0: the store starts empty, so the
 * first pairs' verdicts use the assumed run-to-run noise, as a new benchmark's do); dataset: {@code PERF_TEST_SIZE}.
 *
 * <p>Interference ({@code PERF_VALIDATION_BUSY}): {@code false} (default) runs every child on the machine as it is;
 * {@code true} runs every child under {@code busy-machine} (busy loops on every core that pause and resume at random,
 * so the machine's speed moves 2x within seconds), with a store of its own; {@code both} does the quiet and then the
 * busy validation and prints them side by side ({@code make validate-verdicts-busy}). The tool is
 * {@code BUSY_MACHINE}, else {@code /work/shared/tools/busy-machine}, else {@code ../shared/tools/busy-machine} or
 * {@code .ci/busy-machine} from the project's root.
 */
@Tag("validation")
class VerdictValidationBenchmark {

    private static final int[] SLOWDOWNS = {0, 5, 10, 20};

    /** What every child's command starts with: nothing, or the busy-machine tool (one validation at a time). */
    static List<String> wrapper = List.of();

    /** The rules counted on the same runs; the paired mode has runs of its own. */
    private static final List<String> RULES = List.of("loadperf default", "loadperf, no confirmation",
            "loadperf, no speed correction", "guide: 1 run vs 1 run, 5%");

    /** One child run's line for one benchmark. */
    record Line(String key, String status, String firstLook, boolean anyRegression, double change, double lower,
                double mde, double warmupSeconds, double[] samples, int warmups, String uncorrected,
                double speed, String changePointRegressions, int changePointNotes) {
        static Line parse(String s) {
            String[] f = s.trim().split(" ");
            double[] samples = Arrays.stream(f[9].split(",")).mapToDouble(Double::parseDouble).toArray();
            return new Line(f[1], f[2], f[3], Boolean.parseBoolean(f[4]), Double.parseDouble(f[5]),
                    Double.parseDouble(f[6]), Double.parseDouble(f[7]), Double.parseDouble(f[8]), samples,
                    Integer.parseInt(f[10]), f[11], Double.parseDouble(f[12]), f[13], Integer.parseInt(f[14]));
        }
    }

    /** One child run. */
    record Run(Map<String, Line> lines, double wallSeconds) {
    }

    /** Counts per rule and scenario. */
    static final class Tally {
        int runs;
        int regressions;
        int anyMetric;
        int inconclusive;
        double seconds;
    }

    @Test
    void falseAlarmsAndDetections() throws Exception {
        PerfSettings settings = PerfSettings.load();
        int rows = settings.testSize();
        int pairs = settings.getInt("PERF_VALIDATION_PAIRS", 20);
        int pairedRuns = settings.getInt("PERF_VALIDATION_PAIRED_RUNS", 3);
        int seedRuns = settings.getInt("PERF_VALIDATION_SEED_RUNS", 0);
        String busy = settings.get("PERF_VALIDATION_BUSY", "false").strip();
        List<String> machines = switch (busy) {
            case "false" -> List.of("");
            case "true" -> List.of(" [busy]");
            case "both" -> List.of("", " [busy]");
            default -> throw new IllegalArgumentException("Setting PERF_VALIDATION_BUSY must be false, true or both, "
                    + "got '" + busy + "'");
        };
        Path busyMachine = machines.contains(" [busy]") ? busyMachine() : null;
        PostgresTestServer pg = PostgresTestServer.shared();
        List<String> server = List.of("-DPOSTGRES_HOST=" + pg.host(), "-DPOSTGRES_PORT=" + pg.port(),
                "-DPOSTGRES_DB=" + pg.database(), "-DPOSTGRES_USER=" + pg.user());
        Path dir = Files.createTempDirectory("verdict-validation");
        Path store = dir.resolve("performance_benchmarks.json");
        System.out.printf(Locale.ROOT, "%nVerdict validation: %,d rows, %d pairs per scenario, store %s, "
                + "PostgreSQL %s:%d%s, %d seed runs%n", rows, pairs, store, pg.host(), pg.port(),
                pg.embedded() ? " (embedded)" : "", seedRuns);

        // The guide's single run: one JVM, one un-warmed iteration, no confirmation.
        List<Double> guideCost = new ArrayList<>();
        Path guideStore = dir.resolve("guide.json");
        for (int i = 0; i < 3; i++) {
            guideCost.add(child(guideStore, 0, with(server, "-Dperf.warmupIterations=0", "-Dperf.warmupSeconds=0",
                    "-Dperf.iterations=1", "-Dperf.measureSeconds=0", "-Dperf.confirm=false")).wallSeconds());
        }
        double guideSeconds = median(guideCost.stream().mapToDouble(Double::doubleValue).toArray());

        Map<String, Tally> tallies = new LinkedHashMap<>();
        for (int slowdown : SLOWDOWNS) {
            for (String machine : machines) {
                for (String rule : with(RULES, "paired mode (1 JVM, interleaved)")) {
                    for (String key : List.of(VerdictValidationChild.CPU_KEY, VerdictValidationChild.LOAD_KEY)) {
                        tallies.put(rule + machine + "|" + key + "|" + slowdown, new Tally());
                    }
                }
            }
        }
        StringBuilder noise = new StringBuilder();
        for (String machine : machines) {
            wrapper = machine.isEmpty() ? List.of() : List.of(busyMachine.toString(), "--");
            System.out.printf(Locale.ROOT, "%nValidation%s%s%n", machine.isEmpty() ? " on the machine as it is"
                    : machine, machine.isEmpty() ? "" : " under " + busyMachine);
            Path where = Files.createDirectories(dir.resolve(machine.isEmpty() ? "quiet" : "busy"));
            noise.append(validate(tallies, machine, where, server, rows, pairs, pairedRuns, seedRuns, guideSeconds));
        }
        wrapper = List.of();
        String table = table(tallies, guideSeconds) + noise;
        System.out.println(table);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "verdict-validation.txt"), String.format(Locale.ROOT,
                "%s, %s %s, java %s, %s cpus, %,d rows, %d pairs, load average at the end %.1f%s%n",
                java.time.OffsetDateTime.now(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), rows, pairs,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                busyMachine == null ? "" : ", [busy]: every child under " + busyMachine) + table);
        assertThat(tallies).isNotEmpty();
    }

    /** The busy-machine tool: see the class comment. */
    static Path busyMachine() {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("BUSY_MACHINE");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        candidates.add(Path.of("/work/shared/tools/busy-machine"));
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.exists(root.resolve(".ci"))) {
            root = root.getParent();
        }
        if (root != null) {
            candidates.add(root.resolve("../shared/tools/busy-machine").normalize());
            candidates.add(root.resolve(".ci/busy-machine"));
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElseThrow(() ->
                new IllegalStateException("PERF_VALIDATION_BUSY: no busy-machine tool found; tried " + candidates
                        + " (set BUSY_MACHINE)"));
    }

    /** One validation (quiet, or every child under busy-machine) into {@code tallies}; returns its noise lines. */
    private static String validate(Map<String, Tally> tallies, String machine, Path dir, List<String> server, int rows,
                                   int pairs, int pairedRuns, int seedRuns, double guideSeconds) throws Exception {
        Path store = dir.resolve("performance_benchmarks.json");
        // Every baseline run serves its pair of every scenario: the slowed runs compare with a copy of the store
        // (so that the history holds only runs of unchanged code, as in CI where the slow commit is the one under
        // test), then the next unchanged run compares with it in the store itself (A/A) and becomes the next
        // pair's baseline. Half the JVMs of a baseline per comparison, and the later scenarios of a pair meet a
        // baseline half a minute old, as real baselines are older still.
        // Seed runs: a store that already holds history, so that even the first pairs' verdicts use a measured
        // run-to-run noise rather than the assumed one.
        Run base = child(store, 0, server);
        List<Run> unchanged = new ArrayList<>(List.of(base));
        for (int i = 0; i < seedRuns; i++) {
            base = child(store, 0, server);
            unchanged.add(base);
        }
        for (int i = 0; i < pairs; i++) {
            for (int slowdown : SLOWDOWNS) {
                if (slowdown == 0) {
                    continue;
                }
                Path whatIf = dir.resolve("what-if.json");
                Files.copy(store, whatIf, StandardCopyOption.REPLACE_EXISTING);
                count(tallies, machine, base, child(whatIf, slowdown, server), slowdown, i, rows, guideSeconds);
            }
            Run next = child(store, 0, server);
            count(tallies, machine, base, next, 0, i, rows, guideSeconds);
            base = next;
            unchanged.add(base);
        }
        String noise = runToRunNoise(unchanged).replace("unchanged runs,", "unchanged runs" + machine + ",");
        // Scenarios in turn, so that the machine's slow and fast quarters of an hour meet all of them alike.
        for (int i = 0; i < pairedRuns; i++) {
            for (int slowdown : SLOWDOWNS) {
                Run run = child(store, slowdown, server, "paired");
                for (Line c : run.lines().values()) {
                    tally(tallies, "paired mode (1 JVM, interleaved)" + machine + "|" + c.key() + "|"
                            + slowdown, run.wallSeconds(), c.status(), c.anyRegression());
                    System.out.printf(Locale.ROOT, "  %3d%% paired %2d %-30s %-12s change %6.1f%% bound %6.1f%%, "
                            + "%d pairs%n", slowdown, i + 1, c.key(), c.status(), c.change(), c.lower(),
                            c.samples().length);
                }
            }
        }
        return noise;
    }

    /** Counts the verdicts of {@code cur} against {@code base} under every rule, and prints them. */
    private static void count(Map<String, Tally> tallies, String machine, Run base, Run cur, int slowdown, int pair,
                              int rows, double guideSeconds) {
        for (String key : cur.lines().keySet()) {
            Line b = base.lines().get(key);
            Line c = cur.lines().get(key);
            String what = key + "|" + slowdown;
            tally(tallies, RULES.get(0) + machine + "|" + what, cur.wallSeconds(), c.status(), c.anyRegression());
            tally(tallies, RULES.get(1) + machine + "|" + what, cur.wallSeconds(), c.firstLook(), false);
            tally(tallies, RULES.get(2) + machine + "|" + what, cur.wallSeconds(), c.uncorrected(), false);
            double guideChange = Metric.THROUGHPUT.regressionPercent(rows / b.warmupSeconds(),
                    rows / c.warmupSeconds());
            tally(tallies, RULES.get(3) + machine + "|" + what, guideSeconds, guideChange > 5 ? "REGRESSION" : "OK",
                    guideChange > 5);
            System.out.printf(Locale.ROOT, machine + "  %3d%% run %2d %-30s %-12s (first %-12s, uncorrected %-12s) "
                            + "change %6.1f%% bound %6.1f%%  guide %6.1f%%  median %,.0f rows/s, %d warm-ups, "
                            + "machine speed %,.0f -> %,.0f%n", slowdown, pair + 1, key, c.status(),
                    c.firstLook(), c.uncorrected(), c.change(), c.lower(), guideChange, median(c.samples()),
                    c.warmups(), b.speed(), c.speed());
        }
    }

    /**
     * How much the unchanged runs' figures (median throughput) differed from one run to the next: the root mean
     * square of the successive differences of their logs, in %, as is and after a least-squares fit on the runs'
     * machine speeds (the slope through the origin, as {@code SpeedAdjustment} fits it): the noise every verdict
     * between separate JVMs has to see through.
     */
    static String runToRunNoise(List<Run> runs) {
        StringBuilder sb = new StringBuilder();
        for (String key : runs.get(0).lines().keySet()) {
            double sxy = 0;
            double sxx = 0;
            double syy = 0;
            int n = runs.size() - 1;
            for (int i = 1; i <= n; i++) {
                Line a = runs.get(i - 1).lines().get(key);
                Line b = runs.get(i).lines().get(key);
                double dy = Math.log(median(b.samples()) / median(a.samples()));
                double dx = Math.log(b.speed() / a.speed());
                sxy += dx * dy;
                sxx += dx * dx;
                syy += dy * dy;
            }
            double beta = sxx > 0 ? sxy / sxx : Double.NaN;
            sb.append(String.format(Locale.ROOT, "run-to-run noise of the %d unchanged runs, %s: %.1f%%, after a "
                    + "fit on the machine's speed %.1f%% (beta %.2f)%n", runs.size(), key,
                    n > 0 ? 100 * Math.sqrt(syy / n) : Double.NaN,
                    n > 1 && sxx > 0 ? 100 * Math.sqrt(Math.max(0, syy - beta * sxy) / (n - 1)) : Double.NaN, beta));
        }
        return sb.toString();
    }

    private static List<String> with(List<String> base, String... more) {
        List<String> out = new ArrayList<>(base);
        out.addAll(List.of(more));
        return out;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void tally(Map<String, Tally> tallies, String key, double seconds, String status, boolean any) {
        Tally t = tallies.computeIfAbsent(key, k -> new Tally());
        t.runs++;
        t.regressions += "REGRESSION".equals(status) ? 1 : 0;
        t.inconclusive += "INCONCLUSIVE".equals(status) ? 1 : 0;
        t.anyMetric += any ? 1 : 0;
        t.seconds += seconds;
    }

    static String table(Map<String, Tally> tallies, double guideSeconds) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%nrule                                            | benchmark                       | injected | false alarms"
                        + " | detections | inconclusive | any-metric REGRESSION | s per verdict | cost x guide%n"));
        tallies.forEach((k, t) -> {
            String[] p = k.split("\\|");
            int slowdown = Integer.parseInt(p[2]);
            String reg = t.regressions + "/" + t.runs;
            double per = t.seconds / t.runs;
            sb.append(String.format(Locale.ROOT, "%-47s | %-31s | %7s%% | %12s | %10s | %12s | %21s | %13.2f | %12.1f%n",
                    p[0], p[1], slowdown, slowdown == 0 ? reg : "", slowdown == 0 ? "" : reg,
                    t.inconclusive + "/" + t.runs, t.anyMetric + "/" + t.runs, per, per / guideSeconds));
        });
        sb.append(String.format(Locale.ROOT, "guide's single run (JVM + 1 un-warmed iteration of both benchmarks): "
                + "%.2f s%n", guideSeconds));
        return sb.toString();
    }

    static Run child(Path store, int slowdown, List<String> props)
            throws IOException, InterruptedException {
        return child(store, slowdown, props, null);
    }

    private static Run child(Path store, int slowdown, List<String> props, String mode)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
        cmd.add("-Xmx1g");
        cmd.add("-Dperf.store=" + store);
        cmd.addAll(props);
        cmd.add("-cp");
        cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        cmd.add(VerdictValidationChild.class.getName());
        if (mode != null) {
            cmd.add(mode);
        }
        cmd.add(Integer.toString(slowdown));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        double wall = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException("validation child failed (" + rc + "): " + out);
        }
        Map<String, Line> lines = new LinkedHashMap<>();
        for (String l : out.split("\n")) {
            if (l.startsWith("VALIDATION ")) {
                Line line = Line.parse(l);
                lines.put(line.key(), line);
            }
        }
        if (lines.size() != 2) {
            throw new IllegalStateException("validation child printed no verdicts: " + out);
        }
        return new Run(lines, wall);
    }
}
