package org.loadperf.core.report;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Reporter;
import org.loadperf.api.Verdict;

/**
 * Prints to the console what a person wants to see while a run goes and when it ends.
 *
 * <ul>
 *   <li>While it runs: a line when a benchmark starts, then progress (which benchmark, iteration i of n, the last
 *       iteration's time, elapsed time). On a terminal this is one live line rewritten in place with carriage
 *       returns, at most every {@value #LIVE_INTERVAL_MILLIS} ms. Without a terminal (CI, surefire, a pipe) it is a
 *       plain line every {@value #PLAIN_INTERVAL_SECONDS} s per benchmark, so a log never fills up with
 *       progress; short benchmarks print none. A benchmark busy for that long without ending an iteration (a
 *       setup, one long iteration) still says so: a daemon timer checks once a second.</li>
 *   <li>When a benchmark ends: its figures and verdict, and the guide's {@code PERFORMANCE REGRESSION DETECTED}
 *       block for every regressed metric (as the guide shows it, at the test that regressed).</li>
 *   <li>When the runner closes: one summary table (loader, test, throughput, memory, duration, dataset size,
 *       verdict), every regression block of the run again under it, and where the reports were written.</li>
 * </ul>
 *
 * <p>The one place of the library, beside the command line ({@code PerfCli}), that writes to {@code System.out}.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public final class ConsoleReporter implements Reporter {

    /** Smallest time between two updates of the live line. */
    static final long LIVE_INTERVAL_MILLIS = 200;
    /** Smallest time between two plain progress lines of one benchmark. */
    static final long PLAIN_INTERVAL_SECONDS = 10;

    private final PrintStream out;
    private final boolean live;
    private final LongSupplier nanoClock;
    private final ReportWriter reports;

    private final boolean ticking;
    private long lastProgress;
    private int liveWidth;
    /** The benchmark running now (null between benchmarks), when it started and what it last did. */
    private Benchmark running;
    private long runningSince;
    private String lastDone;
    private ScheduledFuture<?> ticker;

    /** One daemon thread for every reporter's once-a-second progress check. */
    private static final class Timer {
        static final ScheduledExecutorService EXECUTOR = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "loadperf-progress");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A reporter printing to {@code System.out}: a live progress line when the JVM has a terminal
     * ({@code System.console() != null} and {@code TERM} is not {@code dumb}), plain lines otherwise.
     */
    public ConsoleReporter() {
        this(System.out, isInteractiveTerminal(), System::nanoTime, null, true);
    }

    /** A reporter printing plain lines to {@code out} (no live line). */
    public ConsoleReporter(PrintStream out) {
        this(out, false, System::nanoTime, null, true);
    }

    /** A reporter on {@code nanoClock} without the timer (tests call {@link #tick()} themselves). */
    ConsoleReporter(PrintStream out, boolean live, LongSupplier nanoClock, ReportWriter reports) {
        this(out, live, nanoClock, reports, false);
    }

    private ConsoleReporter(PrintStream out, boolean live, LongSupplier nanoClock, ReportWriter reports,
                            boolean ticking) {
        this.out = Objects.requireNonNull(out, "out is null");
        this.live = live;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock is null");
        this.reports = reports;
        this.ticking = ticking;
    }

    /**
     * This reporter, also saying at the end where {@code reports} wrote its files (or why it could not). Register
     * {@code reports} with the runner before this reporter, so that it has written them when this one prints.
     */
    public ConsoleReporter withReports(ReportWriter reports) {
        return new ConsoleReporter(out, live, nanoClock, Objects.requireNonNull(reports, "reports is null"), ticking);
    }

    /** Whether this reporter rewrites one live progress line. */
    public boolean isLive() {
        return live;
    }

    /** Whether this JVM writes to a terminal that understands carriage returns. */
    static boolean isInteractiveTerminal() {
        String term = System.getenv("TERM");
        return System.console() != null && term != null && !term.isBlank() && !"dumb".equals(term);
    }

    @Override
    public synchronized void benchmarkStarted(Benchmark benchmark, int warmups, int iterations) {
        clearLiveLine();
        // the runner measures memory in `iterations` iterations of their own, then times at least as many
        out.printf(Locale.ROOT, "▶ %s: %,d rows, at least %d warm-up + %d memory + %d timed iterations%n",
                benchmark.key(), benchmark.datasetSize(), warmups, iterations, iterations);
        out.flush();
        lastProgress = nanoClock.getAsLong();
        running = benchmark;
        runningSince = lastProgress;
        lastDone = "setup";
        if (ticking && ticker == null) {
            ticker = Timer.EXECUTOR.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * Says that the running benchmark is still busy when no progress was shown for an interval (a setup or one
     * iteration longer than that); called once a second by the timer.
     */
    synchronized void tick() {
        if (running == null) {
            return;
        }
        long now = nanoClock.getAsLong();
        String text = String.format(Locale.ROOT, "  %s: running (%s), elapsed %.0f s", running.key(), lastDone,
                (now - runningSince) / 1e9);
        progress(text, now, 1_000_000_000L);
    }

    /** Shows {@code text} when the last progress line is old enough: live (rewritten in place) or a plain line. */
    private void progress(String text, long now, long liveIntervalNanos) {
        if (live) {
            if (now - lastProgress >= liveIntervalNanos) {
                showLive(text);
                lastProgress = now;
            }
        } else if (now - lastProgress >= PLAIN_INTERVAL_SECONDS * 1_000_000_000L) {
            out.println(text);
            out.flush();
            lastProgress = now;
        }
    }

    private void showLive(String text) {
        String padded = text.length() < liveWidth ? text + " ".repeat(liveWidth - text.length()) : text;
        out.print("\r" + padded);
        out.flush();
        liveWidth = text.length();
    }

    @Override
    public synchronized void iterationFinished(Benchmark benchmark, int index, int total, boolean warmup,
                                               double seconds, double elapsed) {
        long now = nanoClock.getAsLong();
        String text = String.format(Locale.ROOT, "  %s: %s %d/%d took %.2f s, elapsed %.1f s", benchmark.key(),
                warmup ? "warm-up" : "iteration", index, total, seconds, elapsed);
        lastDone = "after " + (warmup ? "warm-up" : "iteration") + " " + index + "/" + total;
        progress(text, now, LIVE_INTERVAL_MILLIS * 1_000_000L);
    }

    private void clearLiveLine() {
        if (liveWidth > 0) {
            out.print("\r" + " ".repeat(liveWidth) + "\r");
            liveWidth = 0;
        }
    }

    @Override
    public synchronized void benchmarkFinished(BenchmarkResult result) {
        running = null;
        clearLiveLine();
        out.printf(Locale.ROOT, "  %s: %s rows/s (±%.1f%%), %s MB, %s B/row allocated, %s s, %,d rows: %s%n",
                result.key(), VerdictText.number(result.median(Metric.THROUGHPUT)),
                result.summary(Metric.THROUGHPUT).noisePercent(), VerdictText.small(result.median(Metric.MEMORY), "%.1f"),
                VerdictText.number(result.median(Metric.ALLOCATED_BYTES_PER_ROW)),
                VerdictText.small(result.median(Metric.DURATION), "%.3f"),
                result.datasetSize(),
                VerdictText.verdictSummary(result));
        for (Verdict v : result.verdicts()) {
            if (v.status() == Verdict.Status.INCONCLUSIVE || v.status() == Verdict.Status.IMPROVED
                    || v.status() == Verdict.Status.LEAK) {
                out.println("    " + v.status() + ": " + v.message());
            }
        }
        result.notes().forEach(n -> out.println("    note: " + n));
        for (Verdict v : result.regressions()) {
            out.print(VerdictText.regressionBlock(result, v));
        }
        out.flush();
    }

    @Override
    public synchronized void runFinished(List<BenchmarkResult> results) {
        running = null;
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
        clearLiveLine();
        out.print(VerdictText.runSummary(results));
        if (reports != null) {
            reports.outcome().ifPresent(o -> out.println(System.lineSeparator() + o.describe()));
        }
        out.flush();
    }
}
