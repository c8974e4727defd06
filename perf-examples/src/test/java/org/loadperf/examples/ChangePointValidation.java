package org.loadperf.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.postgres.PostgresTestServer;

/**
 * Validates the change-point verdicts on real histories: every run is a JVM of its own
 * ({@link VerdictValidationChild}, the CPU workload and the PostgreSQL load with default settings), recorded into one
 * store as a user's runs are.
 * <ul>
 *   <li>False alarms: {@code PERF_VALIDATION_HISTORY} (40) runs of unchanged code, each judged against the history
 *       before it; a REGRESSION (carried by a change point, or by the one-run verdict) is a false alarm.</li>
 *   <li>Detection: at {@code PERF_VALIDATION_SHIFT_TRIALS} (5) points of that history (spread over its second half,
 *       so that at least 20 unchanged runs precede the shift), a copy of the store goes on with
 *       {@code PERF_VALIDATION_SHIFT_RUNS} (5) runs slowed by {@code PERF_VALIDATION_SHIFT} (10) percent, injected
 *       into the real runs as {@link VerdictValidationChild} does; found when a throughput REGRESSION appears within
 *       those runs, counted by what carried it.</li>
 * </ul>
 * {@code PERF_VALIDATION_BUSY} as in {@link VerdictValidationBenchmark}. Prints a table and writes it to
 * {@code target/changepoint-validation.txt}; asserts only that every run produced its verdicts.
 * {@code make validate-changepoints}.
 */
@Tag("validation")
class ChangePointValidation {

    /** Counts for one benchmark under one machine state. */
    static final class Tally {
        int unchanged;
        int falseAlarms;
        int falseChangePoints;
        int changePointNotes;
        int trials;
        int foundByChangePoint;
        int foundByOneRun;
        int found;
        final List<Integer> runsToFind = new ArrayList<>();
    }

    @Test
    void changePointsOnRealHistories() throws Exception {
        PerfSettings settings = PerfSettings.load();
        int rows = settings.testSize();
        int history = settings.getInt("PERF_VALIDATION_HISTORY", 40);
        int trials = settings.getInt("PERF_VALIDATION_SHIFT_TRIALS", 5);
        int shiftRuns = settings.getInt("PERF_VALIDATION_SHIFT_RUNS", 5);
        int shift = settings.getInt("PERF_VALIDATION_SHIFT", 10);
        String busy = settings.get("PERF_VALIDATION_BUSY", "false").strip();
        List<String> machines = switch (busy) {
            case "false" -> List.of("as-is");
            case "true" -> List.of("busy");
            case "both" -> List.of("as-is", "busy");
            default -> throw new IllegalArgumentException("Setting PERF_VALIDATION_BUSY must be false, true or both, "
                    + "got '" + busy + "'");
        };
        if (history < 2 || trials < 1 || trials > history || shiftRuns < 1 || shift < 0 || shift >= 100) {
            throw new IllegalArgumentException("PERF_VALIDATION_HISTORY (>= 2), PERF_VALIDATION_SHIFT_TRIALS (1.."
                    + "history), PERF_VALIDATION_SHIFT_RUNS (>= 1), PERF_VALIDATION_SHIFT (0..99): got " + history
                    + ", " + trials + ", " + shiftRuns + ", " + shift);
        }
        Path busyMachine = machines.contains("busy") ? VerdictValidationBenchmark.busyMachine() : null;
        PostgresTestServer pg = PostgresTestServer.shared();
        List<String> server = List.of("-DPOSTGRES_HOST=" + pg.host(), "-DPOSTGRES_PORT=" + pg.port(),
                "-DPOSTGRES_DB=" + pg.database(), "-DPOSTGRES_USER=" + pg.user());
        Path dir = Files.createTempDirectory("changepoint-validation");
        System.out.printf(Locale.ROOT, "%nChange-point validation: %,d rows, %d unchanged runs, %d trials of %d runs "
                + "slowed %d%%, PostgreSQL %s:%d%s, in %s%n", rows, history, trials, shiftRuns, shift, pg.host(),
                pg.port(), pg.embedded() ? " (embedded)" : "", dir);
        Map<String, Tally> tallies = new LinkedHashMap<>();
        List<Double> seconds = new ArrayList<>();
        for (String machine : machines) {
            VerdictValidationBenchmark.wrapper = machine.equals("busy")
                    ? List.of(busyMachine.toString(), "--") : List.of();
            Path where = Files.createDirectories(dir.resolve(machine));
            validate(tallies, machine, where, server, history, trials, shiftRuns, shift, seconds);
        }
        VerdictValidationBenchmark.wrapper = List.of();
        double perRun = seconds.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        String table = table(tallies, history, trials, shiftRuns, shift, perRun);
        System.out.println(table);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "changepoint-validation.txt"), String.format(Locale.ROOT,
                "%s, %s %s, java %s, %s cpus, %,d rows, load average at the end %.1f%s%n",
                java.time.OffsetDateTime.now(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), rows,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                busyMachine == null ? "" : ", busy: every child under " + busyMachine) + table);
        assertThat(tallies).isNotEmpty();
        assertThat(tallies.values()).allSatisfy(t -> assertThat(t.unchanged).isEqualTo(history));
    }

    /** The history of unchanged runs, then the shifted continuations from its snapshots, into {@code tallies}. */
    private static void validate(Map<String, Tally> tallies, String machine, Path dir, List<String> server,
                                 int history, int trials, int shiftRuns, int shift, List<Double> seconds)
            throws Exception {
        Path store = dir.resolve("history.json");
        List<Integer> starts = trialStarts(history, trials);
        List<Path> snapshots = new ArrayList<>();
        for (int i = 1; i <= history; i++) {
            VerdictValidationBenchmark.Run run = VerdictValidationBenchmark.child(store, 0, server);
            seconds.add(run.wallSeconds());
            for (VerdictValidationBenchmark.Line l : run.lines().values()) {
                Tally t = tallies.computeIfAbsent(machine + "|" + l.key(), k -> new Tally());
                t.unchanged++;
                boolean carried = !"-".equals(l.changePointRegressions());
                t.falseAlarms += l.anyRegression() ? 1 : 0;
                t.falseChangePoints += carried ? 1 : 0;
                t.changePointNotes += l.changePointNotes();
                System.out.printf(Locale.ROOT, "  %s unchanged %2d %-30s %-12s change %6.1f%%%s%s%n", machine, i,
                        l.key(), l.status(), l.change(), l.anyRegression() ? "  REGRESSION in some metric" : "",
                        carried ? "  (change point: " + l.changePointRegressions() + ")" : "");
            }
            if (starts.contains(i)) {
                Path snapshot = dir.resolve("after-" + i + ".json");
                Files.copy(store, snapshot, StandardCopyOption.REPLACE_EXISTING);
                snapshots.add(snapshot);
            }
        }
        for (int s = 0; s < snapshots.size(); s++) {
            Path trial = dir.resolve("trial-" + starts.get(s) + ".json");
            Files.copy(snapshots.get(s), trial, StandardCopyOption.REPLACE_EXISTING);
            Map<String, Integer> foundAt = new LinkedHashMap<>();
            Map<String, String> how = new LinkedHashMap<>();
            for (int r = 1; r <= shiftRuns; r++) {
                VerdictValidationBenchmark.Run run = VerdictValidationBenchmark.child(trial, shift, server);
                seconds.add(run.wallSeconds());
                for (VerdictValidationBenchmark.Line l : run.lines().values()) {
                    boolean byChangePoint = l.changePointRegressions().contains("throughput");
                    if (!foundAt.containsKey(l.key()) && "REGRESSION".equals(l.status())) {
                        foundAt.put(l.key(), r);
                        how.put(l.key(), byChangePoint ? "change point" : "one run");
                    }
                    System.out.printf(Locale.ROOT, "  %s shifted after run %2d, run %d %-30s %-12s change %6.1f%%%s%n",
                            machine, starts.get(s), r, l.key(), l.status(), l.change(),
                            byChangePoint ? "  (change point)" : "");
                }
            }
            for (String key : List.of(VerdictValidationChild.CPU_KEY, VerdictValidationChild.LOAD_KEY)) {
                Tally t = tallies.computeIfAbsent(machine + "|" + key, k -> new Tally());
                t.trials++;
                if (foundAt.containsKey(key)) {
                    t.found++;
                    t.runsToFind.add(foundAt.get(key));
                    if (how.get(key).equals("change point")) {
                        t.foundByChangePoint++;
                    } else {
                        t.foundByOneRun++;
                    }
                }
            }
        }
    }

    /** The runs after which a trial's shift begins: spread evenly over the history's second half, ending at it. */
    static List<Integer> trialStarts(int history, int trials) {
        List<Integer> starts = new ArrayList<>();
        int first = Math.max(1, history - history / 2);
        for (int t = 0; t < trials; t++) {
            int at = trials == 1 ? history : first + (int) Math.round((double) (history - first) * t / (trials - 1));
            if (!starts.contains(at)) {
                starts.add(at);
            }
        }
        return starts;
    }

    static String table(Map<String, Tally> tallies, int history, int trials, int shiftRuns, int shift,
                        double secondsPerRun) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%nmachine | benchmark                      "
                + "| unchanged runs | false REGRESSION (any metric) | of them by a change point | change points "
                + "noted | %d%% shift: found within %d runs | by change point | by one run | runs to find%n",
                shift, shiftRuns));
        tallies.forEach((k, t) -> {
            String[] p = k.split("\\|");
            sb.append(String.format(Locale.ROOT, "%-7s | %-30s | %14d | %29s | %25d | %19d | %32s | %15d | %10d | "
                            + "%s%n", p[0], p[1], t.unchanged, t.falseAlarms + "/" + t.unchanged,
                    t.falseChangePoints, t.changePointNotes, t.found + "/" + t.trials, t.foundByChangePoint,
                    t.foundByOneRun, t.runsToFind));
        });
        sb.append(String.format(Locale.ROOT, "a run (JVM, both benchmarks): %.1f s on average%n", secondsPerRun));
        return sb.toString();
    }
}
