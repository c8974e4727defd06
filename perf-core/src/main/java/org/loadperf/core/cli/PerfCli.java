package org.loadperf.core.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;
import org.loadperf.core.report.ReportWriter;
import org.loadperf.core.report.VerdictText;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.settings.RunnerSetting;
import org.loadperf.core.store.BaselineFileLock;
import org.loadperf.core.store.BaselineStores;
import org.loadperf.core.store.CorruptStoreException;
import org.loadperf.core.store.JsonFileBaselineStore;
import org.loadperf.core.store.PostgresBaselineStore;
import org.loadperf.core.verdict.ChangePoint;
import org.loadperf.core.verdict.ChangePoints;

/**
 * Command-line operations on a baseline store ({@code performance_benchmarks.json}):
 * <pre>
 *   summary            a table of the store's benchmarks: loader, test, dataset size, throughput, memory, duration,
 *                      the last verdict and commit
 *   report [--dir D]   rebuild index.html from the store's history (default directory: PERF_REPORT_DIR,
 *                      else target/perf-report)
 *   reset [--yes]      remove every baseline and all history, after confirmation (or --yes)
 *   changes [--test T] [--loader L]
 *                      the change points (sustained shifts) in each benchmark's history, per metric: the commit
 *                      where each began, its date, size and p-value (see {@link ChangePoints})
 *   export --file F    write the store's baselines and history to F in the guide's format
 *   import --file F    record every run of F (a performance_benchmarks.json) in the store
 *   compare --base REF two commits measured in alternating JVM rounds ({@link org.loadperf.core.compare})
 *   --store PATH       the store (default: PERF_STORE, else performance_benchmarks.json here); a PostgreSQL URL
 *                      (jdbc:postgresql://host:port/db?user=...) names a {@link PostgresBaselineStore}
 * </pre>
 * Run through Maven ({@code mvn -q -pl perf-core -am compile exec:java -Dexec.args="summary"}), from a project that
 * depends on perf-core ({@code mvn -q test-compile exec:java -Dexec.mainClass=org.loadperf.core.cli.PerfCli
 * -Dexec.classpathScope=test -Dexec.args=summary}) or with perf-core and its dependencies on the class path
 * ({@code java -cp ... org.loadperf.core.cli.PerfCli summary}). A store that does not exist is an error (exit 1).
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public final class PerfCli {

    static final String USAGE = """
            Usage: PerfCli <command> [options]
              summary           a table of the store's benchmarks (loader, test, size, figures, last verdict)
              report            rebuild index.html from the store's history
              reset             remove every baseline and all history, and the store's .lock (asks first)
              changes           sustained shifts in each benchmark's history: commit where each began,
                                date, size, p-value
              export            write the store to --file in the guide's performance_benchmarks.json format
              import            record every run of --file (a performance_benchmarks.json) in the store
              compare           base and head commits measured in alternating rounds (compare --help)
            Options:
              --store PATH      the baseline store (default: PERF_STORE, else ./performance_benchmarks.json)
              --dir PATH        report: where index.html goes (default: PERF_REPORT_DIR, else target/perf-report)
              --yes, -y         reset: do not ask
              --file PATH       export: the file to write; import: the file to read
              --test NAME       changes: only benchmarks of this test name
              --loader TYPE     changes: only benchmarks of this loader type
            """;

    /** The commands of {@link #USAGE} that work on a store ({@code compare} is handled on its own). */
    static final List<String> COMMANDS = List.of("summary", "report", "reset", "changes", "export", "import");

    private PerfCli() {
    }

    /** Runs the command of {@code args} and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err, PerfSettings.load()));
    }

    /**
     * Runs the command of {@code args}.
     *
     * @return the exit status: 0 done, 1 failed or not confirmed, 2 bad usage
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, PerfSettings settings) {
        if (args.length > 0 && args[0].equals("compare")) {
            return org.loadperf.core.compare.CompareCommand.run(List.of(args).subList(1, args.length), out, err,
                    settings);
        }
        String command = null;
        String store = null;
        String dir = null;
        String test = null;
        String loader = null;
        boolean yes = false;
        String file = null;
        List<String> rest = new ArrayList<>(List.of(args));
        try {
            while (!rest.isEmpty()) {
                String a = rest.remove(0);
                if (a.equals("--store") || a.equals("--dir")) {
                    if (rest.isEmpty()) {
                        throw new IllegalArgumentException(a + " needs a path");
                    }
                    if (a.equals("--store")) {
                        store = rest.remove(0);
                    } else {
                        dir = rest.remove(0);
                    }
                } else if (a.equals("--test") || a.equals("--loader")) {
                    if (rest.isEmpty() || rest.get(0).startsWith("-")) {
                        throw new IllegalArgumentException(a + " needs a " + (a.equals("--test") ? "test name"
                                : "loader type"));
                    }
                    if (a.equals("--test")) {
                        test = rest.remove(0);
                    } else {
                        loader = rest.remove(0);
                    }
                } else if (a.equals("--file")) {
                    if (rest.isEmpty()) {
                        throw new IllegalArgumentException(a + " needs a path");
                    }
                    file = rest.remove(0);
                } else if (a.startsWith("--file=")) {
                    file = a.substring("--file=".length());
                } else if (a.startsWith("--test=")) {
                    test = a.substring("--test=".length());
                } else if (a.startsWith("--loader=")) {
                    loader = a.substring("--loader=".length());
                } else if (a.startsWith("--store=")) {
                    store = a.substring("--store=".length());
                } else if (a.startsWith("--dir=")) {
                    dir = a.substring("--dir=".length());
                } else if (a.equals("--yes") || a.equals("-y")) {
                    yes = true;
                } else if (a.equals("--help") || a.equals("-h") || a.equals("help")) {
                    out.print(USAGE);
                    return 0;
                } else if (a.startsWith("-")) {
                    throw new IllegalArgumentException("unknown option '" + a + "'");
                } else if (command == null) {
                    command = a;
                } else {
                    throw new IllegalArgumentException("unexpected argument '" + a + "'");
                }
            }
            if (command == null) {
                throw new IllegalArgumentException("no command given");
            }
            if (!COMMANDS.contains(command)) {
                throw new IllegalArgumentException("unknown command '" + command + "'");
            }
        } catch (IllegalArgumentException e) {
            err.println("PerfCli: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        String spec = store != null ? store
                : settings.get(RunnerSetting.STORE, JsonFileBaselineStore.DEFAULT_FILE_NAME);
        if ((command.equals("export") || command.equals("import")) && file == null) {
            err.println("PerfCli " + command + ": --file PATH is required");
            err.print(USAGE);
            return 2;
        }
        try {
            org.loadperf.api.BaselineStore s = BaselineStores.open(spec, settings);
            // only import (which fills it) and reset (which removes it) have work to do without a store
            if (s instanceof JsonFileBaselineStore json && !command.equals("import") && !command.equals("reset")
                    && !Files.exists(json.path())) {
                err.println("PerfCli " + command + ": no baseline store at " + json.path().toAbsolutePath()
                        + " (give --store PATH or set PERF_STORE; the first run of a benchmark writes one)");
                return 1;
            }
            return switch (command) {
                case "export" -> StoreCommands.export(s, Path.of(file), out);
                case "import" -> StoreCommands.importFile(s, Path.of(file), out);
                case "summary" -> StoreCommands.summary(s, out);
                case "report" -> StoreCommands.report(s, dir != null ? Path.of(dir)
                        : ReportWriter.directoryOf(settings), out, settings);
                case "changes" -> StoreCommands.changes(s, test, loader, out, err);
                // A file store asks first; a shared PostgreSQL store wants --yes (a CI job cannot answer a prompt).
                case "reset" -> s instanceof JsonFileBaselineStore json ? reset(json, yes, in, out)
                        : StoreCommands.reset(s, yes, out);
                default -> throw new IllegalStateException("command '" + command + "' is listed but not run");
            };
        } catch (RuntimeException e) {
            err.println("PerfCli " + command + ": " + e.getMessage());
            return 1;
        }
    }

    /** The store's benchmarks as a table, one row each: what was measured, its figures, last verdict and commit. */
    static String summaryTable(java.util.Collection<BenchmarkRecord> records) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Loader", "Test", "Dataset Size", "Throughput (rows/s)", "Memory (MB)", "Duration (s)",
            "Last verdict", "Commit"});
        for (BenchmarkRecord r : records) {
            rows.add(new String[] {r.loaderType(), r.testName(), VerdictText.number(r.datasetSize()),
                VerdictText.number(r.value(Metric.THROUGHPUT).orElse(Double.NaN)),
                fixed(r.value(Metric.MEMORY).orElse(Double.NaN), 1), fixed(r.value(Metric.DURATION).orElse(Double.NaN), 3),
                String.valueOf(r.extras().getOrDefault("verdict", "-")),
                shortCommit(String.valueOf(r.gitCommit()))});
        }
        int[] width = new int[rows.get(0).length];
        rows.forEach(row -> {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        });
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                boolean numeric = i >= 2 && i <= 5;
                String cell = numeric ? " ".repeat(width[i] - row[i].length()) + row[i]
                        : row[i] + " ".repeat(width[i] - row[i].length());
                line.append(i == 0 ? "" : "  ").append(cell);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    private static String shortCommit(String commit) {
        return commit.length() > 8 ? commit.substring(0, 8) : commit;
    }

    /** As the console's summary writes it: {@code decimals} places, or three significant digits where those hide
     * the figure (a loader holding 0.0027 MB is not "0.0"). */
    private static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "-" : VerdictText.small(v, "%." + decimals + "f");
    }

    /** The metrics {@code changes} searches, where the history has them. */
    static final List<Metric> SEARCHED = List.of(Metric.THROUGHPUT, Metric.DURATION, Metric.MEMORY,
            Metric.ALLOCATED_BYTES_PER_ROW);

    /** One line per change point of every searched metric (or why there are none) in runs comparable to {@code last}. */
    static List<String> changeLines(List<BenchmarkRecord> history, BenchmarkRecord last) {
        List<String> lines = new ArrayList<>();
        org.loadperf.api.Thresholds thresholds = org.loadperf.api.Thresholds.defaults();
        for (Metric m : SEARCHED) {
            if (last.value(m).isEmpty()) {
                continue;
            }
            List<BenchmarkRecord> runs = ChangePoints.comparable(m, history, last.datasetSize(), last.fingerprint());
            if (runs.size() < 2 * ChangePoints.MIN_SEGMENT) {
                lines.add(String.format(Locale.ROOT, "%s: %d comparable run%s, too few to search (%d needed)",
                        m.displayName(), runs.size(), runs.size() == 1 ? "" : "s", 2 * ChangePoints.MIN_SEGMENT));
                continue;
            }
            List<ChangePoint> found = ChangePoints.find(m, runs);
            if (found.isEmpty()) {
                lines.add(String.format(Locale.ROOT, "%s: no change point in %d runs", m.displayName(), runs.size()));
            }
            for (ChangePoint c : found) {
                String verdict = !c.isWorse() ? ""
                        : c.explainedByMachine() ? String.format(Locale.ROOT, "; the machine ran %.1f%% slower too",
                        -c.speedChange())
                        : c.regressionPercent() > thresholds.of(m).percent()
                        ? String.format(Locale.ROOT, "; beyond the %.0f%% threshold", thresholds.of(m).percent())
                        : "";
                lines.add(String.format(Locale.ROOT, "%s: %s, %s: %s -> %s %s%s", m.displayName(), c.describe(),
                        c.timestamp(), figure(c.meanBefore()), figure(c.meanAfter()), m.unit(), verdict));
            }
        }
        return lines;
    }

    private static String figure(double v) {
        return Math.abs(v) >= 1000 ? VerdictText.number(v) : String.format(Locale.ROOT, "%.4g", v);
    }

    private static int reset(JsonFileBaselineStore store, boolean yes, InputStream in, PrintStream out) {
        Path lock = BaselineFileLock.lockFileOf(store.path());
        if (!Files.exists(store.path())) {
            deleteLock(lock);
            out.println("Nothing to reset: " + store.path() + " does not exist");
            return 0;
        }
        if (!yes) {
            String what;
            try {
                int n = store.baselines().size();
                what = "the baselines and history of " + n + " benchmark" + (n == 1 ? "" : "s");
            } catch (CorruptStoreException e) {
                what = "a store that cannot be read (" + e.getMessage() + ")";
            }
            out.print("Remove " + what + " in " + store.path() + "? [y/N] ");
            out.flush();
            String answer;
            try {
                answer = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the answer: " + e.getMessage(), e);
            }
            if (answer == null || !List.of("y", "yes").contains(answer.strip().toLowerCase(Locale.ROOT))) {
                out.println();
                out.println("Not reset (answer y, or pass --yes).");
                return 1;
            }
        }
        store.reset();
        deleteLock(lock);
        out.println("Removed " + store.path());
        return 0;
    }

    /** Removes the store's sidecar lock file: reset leaves nothing of the store behind. */
    private static void deleteLock(Path lock) {
        try {
            Files.deleteIfExists(lock);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove " + lock + ": " + e, e);
        }
    }
}
