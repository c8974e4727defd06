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
 *   summary            one line per benchmark, as the guide's snippet prints: "postgresql: 128,033 rows/sec"
 *   report [--dir D]   rebuild index.html from the store's history (default directory: PERF_REPORT_DIR,
 *                      else target/perf-report)
 *   reset [--yes]      remove every baseline and all history, after confirmation (or --yes)
 *   --store PATH       the store (default: PERF_STORE, else performance_benchmarks.json here)
 * </pre>
 * Run through Maven ({@code mvn -q -pl perf-core -am compile exec:java -Dexec.args="summary"}) or with perf-core
 * and its dependencies on the class path ({@code java -cp ... org.loadperf.core.PerfCli summary}).
 */
public final class PerfCli {

    static final String USAGE = """
            Usage: PerfCli <command> [options]
              summary           one line per benchmark: "<loader_type>: <throughput> rows/sec"
              report            rebuild index.html from the store's history
              reset             remove every baseline and all history (asks first)
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
        all.values().forEach(r -> out.println(summaryLine(r)));
        return 0;
    }

    /** The guide's line: {@code f'{loader_type}: {throughput_rows_per_sec:,.0f} rows/sec'}. */
    static String summaryLine(BenchmarkRecord r) {
        return r.loaderType() + ": " + ConsoleReporter.number(r.value(Metric.THROUGHPUT).orElse(Double.NaN))
                + " rows/sec";
    }

    private static int report(JsonFileBaselineStore store, Path dir, PrintStream out) {
        int count = store.baselines().size();
        Path index = ReportWriter.writeIndex(dir, store);
        out.println("Wrote " + index + " (" + count + " benchmark" + (count == 1 ? "" : "s") + " from " + store.path()
                + ")");
        return 0;
    }

    private static int reset(JsonFileBaselineStore store, boolean yes, InputStream in, PrintStream out) {
        if (!Files.exists(store.path())) {
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
        out.println("Removed " + store.path());
        return 0;
    }
}
