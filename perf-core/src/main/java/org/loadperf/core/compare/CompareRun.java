package org.loadperf.core.compare;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;
import org.loadperf.core.measure.TurnTaking;
import org.loadperf.core.store.JsonFileBaselineStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a two-commit comparison: the base checked out into a git worktree under {@code target/compare/}, each tree
 * built once, then rounds in which each side's command runs in a JVM (or build) of its own: by default both at once,
 * taking turns iteration by iteration ({@link org.loadperf.core.measure.TurnTaking}); with {@code --interleave runs}
 * one after the other (B H, H B, ...). Each run writes its own store file and report directory. The worktrees it made
 * are removed afterwards, also when a command fails or the process is interrupted (a shutdown hook).
 */
final class CompareRun {

    private static final Logger LOG = LoggerFactory.getLogger(CompareRun.class);
    private static final Duration GIT_TIMEOUT = Duration.ofMinutes(5);

    /** The comparison's outcome, for the reports. */
    record Outcome(String baseRef, String baseCommit, String headRef, String headCommit, boolean headDirty,
                   int rounds, String stopReason, List<RoundVerdicts.Row> rows, List<String> notes,
                   double seconds, double[] roundSeconds, String loadBefore, String loadAfter, double confidence,
                   String command, String interleave, Double measureSeconds) {
    }

    /** Thrown when the comparison cannot go on: a bad ref, a failed build or run; the message says what and where. */
    static final class CompareException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CompareException(String message) {
            super(message);
        }
    }

    private final CompareOptions options;
    private final RoundVerdicts judge;
    private final PrintStream out;
    private final LongSupplier clock;
    private final Path repo;
    private final Path work;
    private final List<Path> worktrees = new ArrayList<>();
    private final List<Process> running = new java.util.concurrent.CopyOnWriteArrayList<>();
    private boolean cleaned;

    CompareRun(CompareOptions options, RoundVerdicts judge, PrintStream out, LongSupplier clock) {
        this.options = options;
        this.judge = judge;
        this.out = out;
        this.clock = clock;
        Path start = options.repo() != null ? options.repo() : Path.of("").toAbsolutePath();
        if (!Files.isDirectory(start)) {
            throw new CompareException("--repo " + start + " is not a directory");
        }
        this.repo = Path.of(git(start, "rev-parse", "--show-toplevel").strip()).toAbsolutePath().normalize();
        this.work = repo.resolve("target").resolve("compare");
    }

    Path repo() {
        return repo;
    }

    Path work() {
        return work;
    }

    /** Runs the comparison; the worktrees are gone when it returns or throws. */
    Outcome run() {
        String baseCommit = commit(options.base());
        String headCommit = options.headIsWorktree() ? commit("HEAD") : commit(options.head());
        boolean dirty = options.headIsWorktree() && !git(repo, "status", "--porcelain", "--untracked-files=no")
                .isBlank();
        Thread hook = new Thread(this::cleanUp, "loadperf-compare-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return compare(baseCommit, headCommit, dirty);
        } finally {
            cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs (and finds nothing left to do)
            }
        }
    }

    private Outcome compare(String baseCommit, String headCommit, boolean dirty) {
        long t0 = clock.getAsLong();
        String loadBefore = loadAverage();
        Path stores = work.resolve("stores");
        Path logs = work.resolve("logs");
        deleteTree(stores);
        deleteTree(logs);
        Path baseTree = checkout("base", baseCommit);
        Path headTree = options.headIsWorktree() ? repo : checkout("head", headCommit);
        Side base = new Side("base", baseTree, Map.of());
        Side head = new Side("head", headTree, options.headEnv());
        out.printf(Locale.ROOT, "compare: base %s (%s) in %s, head %s (%s)%s%n", shortSha(baseCommit), options.base(),
                repo.relativize(baseTree), shortSha(headCommit), options.head(), dirty ? " with uncommitted changes"
                        : "");
        if (!options.build().equals("none")) {
            for (Side s : List.of(base, head)) {
                long b0 = clock.getAsLong();
                int code = exec(s, options.build(), logs.resolve(s.name + "-build.log"), null, 0);
                if (code != 0) {
                    throw new CompareException("building the " + s.name + " (" + s.tree + ") failed with exit code "
                            + code + ": `" + options.build() + "`; its output: " + logs.resolve(s.name + "-build.log")
                            + tail(logs.resolve(s.name + "-build.log")));
                }
                out.printf(Locale.ROOT, "compare: %s built in %.0f s%n", s.name, seconds(b0));
            }
        }
        List<RoundVerdicts.Round> rounds = new ArrayList<>();
        List<Double> roundSeconds = new ArrayList<>();
        List<RoundVerdicts.Row> rows = List.of();
        List<String> notes = new ArrayList<>();
        String stop = "the cap of " + options.roundsMax() + " rounds";
        for (int r = 1; r <= options.roundsMax(); r++) {
            long r0 = clock.getAsLong();
            // B H, then H B: each side goes first as often as second, so a warming machine favours neither.
            List<Side> order = r % 2 == 1 ? List.of(base, head) : List.of(head, base);
            Map<String, BenchmarkRecord> b = null;
            Map<String, BenchmarkRecord> h = null;
            StringBuilder times = new StringBuilder();
            if (options.interleavesIterations()) {
                Map<String, Map<String, BenchmarkRecord>> both = runBoth(order, r, stores, logs);
                b = both.get(base.name);
                h = both.get(head.name);
                times.append(String.format(Locale.ROOT, "both at once, taking turns, %.0f s", seconds(r0)));
            } else {
                for (Side s : order) {
                    long s0 = clock.getAsLong();
                    Map<String, BenchmarkRecord> records = runSide(s, r, stores, logs);
                    times.append(String.format(Locale.ROOT, "%s%s %.0f s", times.length() == 0 ? "" : ", ", s.name,
                            seconds(s0)));
                    if (s == base) {
                        b = records;
                    } else {
                        h = records;
                    }
                }
            }
            rounds.add(new RoundVerdicts.Round(b, h));
            roundSeconds.add(seconds(r0));
            notes = new ArrayList<>();
            rows = judge.judge(rounds, notes);
            long decided = rows.stream().filter(RoundVerdicts.Row::decided).count();
            out.printf(Locale.ROOT, "round %d/%d (%s): %s; %d of %d verdicts decided%s%n", r, options.roundsMax(),
                    order.get(0).name.charAt(0) + " " + order.get(1).name.charAt(0), times, decided, rows.size(),
                    headline(rows));
            if (r >= options.roundsMin() && RoundVerdicts.allDecided(rows)) {
                stop = "every verdict decided after " + r + " rounds";
                break;
            }
            if (options.timeBudget() != null && r < options.roundsMax()) {
                double elapsed = seconds(t0);
                double next = roundSeconds.stream().mapToDouble(Double::doubleValue).max().orElse(0);
                if (elapsed + next > options.timeBudget().toMillis() / 1000.0) {
                    stop = String.format(Locale.ROOT, "the time budget (%s): %.0f s spent, a round takes up to %.0f s",
                            options.timeBudget(), elapsed, next);
                    break;
                }
            }
        }
        return new Outcome(options.base(), baseCommit, options.head(), headCommit, dirty, rounds.size(), stop, rows,
                notes, seconds(t0), roundSeconds.stream().mapToDouble(Double::doubleValue).toArray(), loadBefore,
                loadAverage(), judge.confidence(), options.commandLine(), options.interleave(),
                options.measureSeconds());
    }

    /** The largest throughput change so far, in a few words for the progress line. */
    private static String headline(List<RoundVerdicts.Row> rows) {
        return rows.stream().filter(r -> r.metric() == Metric.THROUGHPUT
                        && !Double.isNaN(r.verdict().regressionPercent()))
                .max(Comparator.comparingDouble(r -> Math.abs(r.verdict().regressionPercent())))
                .map(r -> String.format(Locale.ROOT, "; largest throughput change %s %+.1f%% (%s)", r.key(),
                        r.verdict().regressionPercent(), r.verdict().status()))
                .orElse("");
    }

    private record Side(String name, Path tree, Map<String, String> env) {
    }

    private Map<String, BenchmarkRecord> runSide(Side s, int round, Path stores, Path logs) {
        Path store = storeOf(s, round, stores);
        Path log = logOf(s, round, logs);
        int code = exec(s, options.commandLine(), log, store, round);
        return records(s, round, code, store, log);
    }

    /**
     * Both sides' commands of a round at once, taking turns iteration by iteration through a directory of their own
     * ({@link TurnTaking}); a side is marked ended as soon as its process exits, so the other never waits for it.
     * When one side fails, the other is stopped and the comparison fails naming the first.
     */
    private Map<String, Map<String, BenchmarkRecord>> runBoth(List<Side> order, int round, Path stores, Path logs) {
        Path turns = work.resolve("turns").resolve(String.format(Locale.ROOT, "round-%02d", round));
        deleteTree(turns);
        TurnTaking.prepare(turns, options.runTimeout());
        Map<Side, Process> started = new LinkedHashMap<>();
        try {
            for (Side s : order) {
                started.put(s, start(s, options.commandLine(), logOf(s, round, logs), storeOf(s, round, stores),
                        round, Map.of("PERF_COMPARE_TURNS", turns.toString())));
            }
            long deadline = clock.getAsLong() + options.runTimeout().toNanos();
            Map<Side, Integer> codes = new LinkedHashMap<>();
            while (codes.size() < started.size()) {
                for (Map.Entry<Side, Process> e : started.entrySet()) {
                    Side s = e.getKey();
                    if (!codes.containsKey(s) && e.getValue().waitFor(50, TimeUnit.MILLISECONDS)) {
                        codes.put(s, e.getValue().exitValue());
                        TurnTaking.ended(turns, s.name);
                        if (codes.get(s) != 0) {
                            // the other side's records would be compared with nothing: fail now, naming this one
                            return Map.of(s.name, records(s, round, codes.get(s), storeOf(s, round, stores),
                                    logOf(s, round, logs)));
                        }
                    }
                }
                if (codes.size() < started.size() && clock.getAsLong() - deadline > 0) {
                    Side late = started.keySet().stream().filter(s -> !codes.containsKey(s)).findFirst().orElseThrow();
                    throw new CompareException("`" + options.commandLine() + "` (" + late.name + ") took longer than "
                            + "--run-timeout " + options.runTimeout() + " and was stopped; its output: "
                            + logOf(late, round, logs));
                }
            }
            Map<String, Map<String, BenchmarkRecord>> out = new LinkedHashMap<>();
            for (Side s : order) {
                out.put(s.name, records(s, round, codes.get(s), storeOf(s, round, stores), logOf(s, round, logs)));
            }
            return out;
        } catch (IOException e) {
            throw new CompareException("cannot run `" + options.commandLine() + "`: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompareException("interrupted while `" + options.commandLine() + "` ran (round " + round + ")");
        } finally {
            started.values().forEach(p -> {
                if (p.isAlive()) {
                    destroy(p);
                }
                running.remove(p);
            });
        }
    }

    private static Path storeOf(Side s, int round, Path stores) {
        return stores.resolve(String.format(Locale.ROOT, "%s-%02d", s.name, round) + ".json");
    }

    private static Path logOf(Side s, int round, Path logs) {
        return logs.resolve(String.format(Locale.ROOT, "%s-%02d", s.name, round) + ".log");
    }

    /** The records a side's run of {@code round} wrote, or a CompareException saying why there are none. */
    private Map<String, BenchmarkRecord> records(Side s, int round, int code, Path store, Path log) {
        if (code != 0) {
            throw new CompareException("the " + s.name + "'s run of round " + round + " failed with exit code " + code
                    + ": `" + options.commandLine() + "` in " + s.tree + "; its output: " + log + tail(log));
        }
        if (!Files.isRegularFile(store)) {
            throw new CompareException("the " + s.name + "'s run of round " + round + " wrote no store file at "
                    + store + " (the command must write its results to $PERF_STORE); its output: " + log + tail(log));
        }
        Map<String, BenchmarkRecord> records = JsonFileBaselineStore.at(store).baselines();
        if (records.isEmpty()) {
            throw new CompareException("the " + s.name + "'s run of round " + round + " recorded no benchmark in "
                    + store + " (do the groups '" + options.groups() + "' select any suite?); its output: " + log
                    + tail(log));
        }
        return records;
    }

    /** Runs {@code command} in the side's tree with the side's store and report directory; its exit code. */
    private int exec(Side s, String command, Path log, Path store, int round) {
        try {
            Process p = start(s, command, log, store, round, Map.of());
            try {
                if (!p.waitFor(options.runTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    destroy(p);
                    throw new CompareException("`" + command + "` (" + s.name + ") took longer than --run-timeout "
                            + options.runTimeout() + " and was stopped; its output: " + log);
                }
                return p.exitValue();
            } finally {
                running.remove(p);
            }
        } catch (IOException e) {
            throw new CompareException("cannot run `" + command + "` in " + s.tree + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompareException("interrupted while `" + command + "` ran (" + s.name + ")");
        }
    }

    /** Starts {@code command} in the side's tree with the side's store, report directory and {@code extraEnv}. */
    private Process start(Side s, String command, Path log, Path store, int round, Map<String, String> extraEnv)
            throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(s.tree.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("PERF_COMPARE_SIDE", s.name);
        env.put("GROUPS", options.groups());
        env.put("PERF_FAIL_ON_REGRESSION", "false"); // each run has a fresh store: nothing to regress against
        env.put("PERF_REPORT_DIR", work.resolve("reports").resolve(s.name).toString());
        env.remove("PERF_COMPARE_TURNS");
        if (options.measureSeconds() != null) {
            env.put("PERF_MEASURE_SECONDS", Double.toString(options.measureSeconds()));
        }
        if (store != null) {
            Files.createDirectories(store.getParent());
            env.put("PERF_STORE", store.toString());
            env.put("PERF_RUN_ID", "compare-" + s.name + "-" + round);
        }
        env.putAll(extraEnv);
        env.putAll(s.env);
        Process p = pb.start();
        running.add(p);
        return p;
    }

    private Path checkout(String name, String commit) {
        Path dir = work.resolve(name);
        removeWorktree(dir); // a leftover of a comparison that was killed
        worktrees.add(dir);
        git(repo, "worktree", "add", "--detach", "--quiet", dir.toString(), commit);
        return dir;
    }

    /** Stops a running command and removes the worktrees this comparison added; safe to call twice. */
    synchronized void cleanUp() {
        if (cleaned) {
            return;
        }
        cleaned = true;
        running.forEach(CompareRun::destroy);
        for (Path dir : worktrees) {
            removeWorktree(dir);
        }
    }

    private void removeWorktree(Path dir) {
        if (Files.exists(dir)) {
            try {
                git(repo, "worktree", "remove", "--force", "--force", dir.toString());
            } catch (CompareException e) {
                LOG.debug("git worktree remove {} failed ({}); deleting it", dir, e.getMessage());
            }
            deleteTree(dir);
        }
        try {
            git(repo, "worktree", "prune");
        } catch (CompareException e) {
            LOG.warn("git worktree prune failed: {}", e.getMessage());
        }
    }

    private static void destroy(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String commit(String ref) {
        try {
            return git(repo, "rev-parse", "--verify", "--quiet", ref + "^{commit}").strip();
        } catch (CompareException e) {
            throw new CompareException("no commit '" + ref + "' in " + repo + " (give a branch, tag or commit)");
        }
    }

    /** Runs git in {@code dir}; its standard output, or a CompareException with its error output. */
    static String git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        try {
            Path err = Files.createTempFile("loadperf-git", ".err");
            try {
                Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                byte[] stdout = p.getInputStream().readAllBytes();
                if (!p.waitFor(GIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new CompareException("`git " + String.join(" ", args) + "` took longer than " + GIT_TIMEOUT);
                }
                if (p.exitValue() != 0) {
                    throw new CompareException("`git " + String.join(" ", args) + "` in " + dir + " failed: "
                            + Files.readString(err).strip());
                }
                return new String(stdout, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new CompareException("cannot run git in " + dir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompareException("interrupted while running git " + String.join(" ", args));
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
            List<String> last = lines.subList(Math.max(0, lines.size() - 15), lines.size());
            return last.isEmpty() ? "" : "; last lines:" + System.lineSeparator() + String.join(System.lineSeparator(),
                    last);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The 1-, 5- and 15-minute load averages (Linux), or "unknown". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private double seconds(long since) {
        return (clock.getAsLong() - since) / 1e9;
    }

    static String shortSha(String commit) {
        return commit.length() > 8 ? commit.substring(0, 8) : commit;
    }
}
