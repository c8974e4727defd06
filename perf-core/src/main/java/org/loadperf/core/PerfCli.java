package org.loadperf.core;

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
import java.util.Map;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;

/**
 * Command-line operations on a baseline store ({@code performance_benchmarks.json}):
 * <pre>
 *   summary            a table of the store's benchmarks: loader, test, dataset size, throughput, memory, duration,
 *                      the last verdict and commit
 *   report [--dir D]   rebuild index.html from the store's history (default directory: PERF_REPORT_DIR,
 *                      else target/perf-report)
 *   reset [--yes]      remove every baseline and all history, after confirmation (or --yes)
 *   --store PATH       the store (default: PERF_STORE, else performance_benchmarks.json here)
 * </pre>
 * Run through Maven ({@code mvn -q -pl perf-core -am compile exec:java -Dexec.args="summary"}), from a project that
 * depends on perf-core ({@code mvn -q exec:java -Dexec.mainClass=org.loadperf.core.PerfCli
 * -Dexec.classpathScope=test -Dexec.args=summary}) or with perf-core and its dependencies on the class path
 * ({@code java -cp ... org.loadperf.core.PerfCli summary}). A store that does not exist is an error (exit 1).
 */
public final class PerfCli {

    static final String USAGE = """
            Usage: PerfCli <command> [options]
              summary           a table of the store's benchmarks (loader, test, size, figures, last verdict)
              report            rebuild index.html from the store's history
              reset             remove every baseline and all history, and the store's .lock (asks first)
            Options:
              --store PATH      the baseline store (default: PERF_STORE, else ./performance_benchmarks.json)
              --dir PATH        report: where index.html goes (default: PERF_REPORT_DIR, else target/perf-report)
              --yes, -y         reset: do not ask
            """;

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
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, PerfSettings settings) {
        String command = null;
        String store = null;
        String dir = null;
        boolean yes = false;
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
        } catch (IllegalArgumentException e) {
            err.println("PerfCli: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        JsonFileBaselineStore s = JsonFileBaselineStore.at(Path.of(store != null ? store
                : settings.get("PERF_STORE", JsonFileBaselineStore.DEFAULT_FILE_NAME)));
        try {
            if ((command.equals("summary") || command.equals("report")) && !Files.exists(s.path())) {
                err.println("PerfCli " + command + ": no baseline store at " + s.path().toAbsolutePath()
                        + " (give --store PATH or set PERF_STORE; `make test-performance` writes one)");
                return 1;
            }
            return switch (command) {
                case "summary" -> summary(s, out);
                case "report" -> report(s, dir != null ? Path.of(dir) : ReportWriter.directoryOf(settings), out);
                case "reset" -> reset(s, yes, in, out);
                default -> {
                    err.println("PerfCli: unknown command '" + command + "'");
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (RuntimeException e) {
            err.println("PerfCli " + command + ": " + e.getMessage());
            return 1;
        }
    }

    private static int summary(JsonFileBaselineStore store, PrintStream out) {
        Map<String, BenchmarkRecord> all = store.baselines();
        if (all.isEmpty()) {
            out.println("No benchmarks in " + store.path());
            return 0;
        }
        out.print(summaryTable(all.values()));
        return 0;
    }

    /** The store's benchmarks as a table, one row each: what was measured, its figures, last verdict and commit. */
    static String summaryTable(java.util.Collection<BenchmarkRecord> records) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Loader", "Test", "Dataset Size", "Throughput (rows/s)", "Memory (MB)", "Duration (s)",
            "Last verdict", "Commit"});
        for (BenchmarkRecord r : records) {
            rows.add(new String[] {r.loaderType(), r.testName(), ConsoleReporter.number(r.datasetSize()),
                ConsoleReporter.number(r.value(Metric.THROUGHPUT).orElse(Double.NaN)),
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

    private static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static int report(JsonFileBaselineStore store, Path dir, PrintStream out) {
        int count = store.baselines().size();
        Path index = ReportWriter.writeIndex(dir, store);
        out.println("Wrote " + index + " (" + count + " benchmark" + (count == 1 ? "" : "s") + " from " + store.path()
                + ")");
        return 0;
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
            } catch (JsonFileBaselineStore.CorruptStoreException e) {
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
