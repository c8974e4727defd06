package org.loadperf.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BaselineStore;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Reporter;
import org.loadperf.api.Thresholds;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.settings.RunnerSetting;
import org.loadperf.core.settings.RunnerSettings;
import org.loadperf.core.store.BaselineFileLock;
import org.loadperf.core.verdict.BaselineComparison;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the reports of a run into one directory when the runner closes ({@link #runFinished}):
 * <ul>
 *   <li>{@value #RESULTS_FILE}: every result of the run, complete (samples, statistics, verdicts);</li>
 *   <li>{@value #SUMMARY_TEXT_FILE}: the console's end-of-run summary (table, regression blocks, report
 *       location) for the whole run, for a build to print once at its end;</li>
 *   <li>{@value #SUMMARY_FILE}: the guide's CI table in Markdown, with verdicts and regression blocks; also
 *       appended to {@code $GITHUB_STEP_SUMMARY} when that is set (only the closing runner's results, so that
 *       several runners never repeat each other);</li>
 *   <li>{@value #INDEX_FILE}: one self-contained HTML page with charts of the store's history and the
 *       cross-loader comparisons (see {@code HtmlReport});</li>
 *   <li>{@code benchmark-action-bigger.json} / {@code benchmark-action-smaller.json}: the results for
 *       github-action-benchmark's {@code customBiggerIsBetter} / {@code customSmallerIsBetter} tools.</li>
 * </ul>
 *
 * <p>The directory is {@code PERF_REPORT_DIR} ({@code -Dperf.reportDir}), default {@value #DEFAULT_DIRECTORY}
 * under the working directory. A run is every runner with the same {@code PERF_RUN_ID} (default: every runner of
 * this JVM, e.g. all test classes of one module): each runner that closes merges its results into the run's
 * files, so that the reports always show the whole run; a new run id starts them afresh. Writers of one
 * directory take turns through a lock file, and every file is replaced atomically.
 *
 * <p>Like every reporter it never throws: a failure is logged and reported by {@link #outcome()}.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
public final class ReportWriter implements Reporter {

    /** Where reports go unless {@code PERF_REPORT_DIR} says otherwise (relative to the working directory). */
    public static final String DEFAULT_DIRECTORY = "target/perf-report";
    /** The results of the run. */
    public static final String RESULTS_FILE = "results.json";
    /** The Markdown summary. */
    public static final String SUMMARY_FILE = "summary.md";
    /** The HTML report. */
    public static final String INDEX_FILE = "index.html";
    /** The console's summary of the whole run: table, regression blocks, where the reports are. */
    public static final String SUMMARY_TEXT_FILE = "summary.txt";

    private static final Logger LOG = LoggerFactory.getLogger(ReportWriter.class);
    private static final String JVM_RUN_ID = "jvm-" + ProcessHandle.current().pid() + "-" + Instant.now();

    private final Path directory;
    private final BaselineStore store;
    private final String runId;
    private final Path stepSummary;
    private final BaselineComparison comparison;
    private final Thresholds thresholds;
    private volatile Outcome outcome;

    ReportWriter(Path directory, BaselineStore store, String runId, Path stepSummary, BaselineComparison comparison,
                 Thresholds thresholds) {
        this.directory = Objects.requireNonNull(directory, "directory is null").toAbsolutePath().normalize();
        this.store = Objects.requireNonNull(store, "store is null");
        this.runId = Objects.requireNonNull(runId, "runId is null");
        this.stepSummary = stepSummary;
        this.comparison = Objects.requireNonNull(comparison, "comparison is null");
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds is null");
    }

    /**
     * A writer configured by {@code settings}: {@code PERF_REPORT_DIR}, {@code PERF_RUN_ID},
     * {@code GITHUB_STEP_SUMMARY}; charts the history of {@code store}.
     */
    public static ReportWriter fromSettings(PerfSettings settings, BaselineStore store) {
        RunnerSettings runner = RunnerSettings.from(settings);
        return fromSettings(settings, store, BaselineComparison.of(runner, runner.compared()),
                runner.thresholds());
    }

    /** As {@link #fromSettings(PerfSettings, BaselineStore)}, marking history as {@code comparison} judges it. */
    public static ReportWriter fromSettings(PerfSettings settings, BaselineStore store, BaselineComparison comparison,
                                            Thresholds thresholds) {
        return new ReportWriter(directoryOf(settings), store, settings.get(RunnerSetting.RUN_ID, JVM_RUN_ID),
                settings.get("GITHUB_STEP_SUMMARY").map(Path::of).orElse(null), comparison, thresholds);
    }

    /** A writer into {@code directory} charting the history of {@code store}; no step summary; default verdicts. */
    public static ReportWriter to(Path directory, BaselineStore store) {
        RunnerSettings runner = RunnerSettings.from(PerfSettings.of(Map.of(), Map.of(), Map.of()));
        return new ReportWriter(directory, store, JVM_RUN_ID, null,
                BaselineComparison.of(runner, runner.compared()), runner.thresholds());
    }

    /** The report directory {@code settings} name. */
    public static Path directoryOf(PerfSettings settings) {
        return Path.of(settings.get(RunnerSetting.REPORT_DIR, DEFAULT_DIRECTORY)).toAbsolutePath().normalize();
    }

    /** Where the reports go. */
    public Path directory() {
        return directory;
    }

    /** What the last {@link #runFinished} did; empty before, or when the runner ran nothing. */
    public Optional<Outcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    @Override
    public void runFinished(List<BenchmarkResult> results) {
        if (results.isEmpty()) {
            return;
        }
        try {
            outcome = new Outcome(directory, write(results), null);
        } catch (RuntimeException e) {
            LOG.warn("Could not write the performance reports to {}: {}", directory, e.toString());
            outcome = new Outcome(directory, List.of(), e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /**
     * Writes the reports of {@code results} (merged with those of the same run already there) and returns the
     * files written.
     */
    @SuppressWarnings("try")
    List<Path> write(List<BenchmarkResult> results) {
        List<Path> written = new ArrayList<>();
        Path resultsFile = directory.resolve(RESULTS_FILE);
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the report directory " + directory + ": " + e, e);
        }
        try (BaselineFileLock ignored = BaselineFileLock.acquire(resultsFile)) {
            List<BenchmarkResult> run = merge(previousResults(resultsFile), results);
            written.add(replace(resultsFile, ResultsJson.toJson(ResultsJson.document(runId, store.location(), run))));
            written.add(replace(directory.resolve(SUMMARY_FILE), MarkdownSummary.render("Performance results", run)));
            written.add(replace(directory.resolve(SUMMARY_TEXT_FILE), textSummary(run)));
            written.add(replace(directory.resolve(INDEX_FILE), HtmlReport.render(store, run, comparison, thresholds)));
            written.add(replace(directory.resolve(BenchmarkActionExport.BIGGER_FILE),
                    ResultsJson.toJson(BenchmarkActionExport.bigger(run, comparison.compared()))));
            written.add(replace(directory.resolve(BenchmarkActionExport.SMALLER_FILE),
                    ResultsJson.toJson(BenchmarkActionExport.smaller(run, comparison.compared()))));
        }
        if (stepSummary != null) {
            try {
                Files.writeString(stepSummary,
                        MarkdownSummary.render("Performance results", merge(List.of(), results)) + "\n",
                        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot append to GITHUB_STEP_SUMMARY " + stepSummary + ": " + e, e);
            }
        }
        return written;
    }

    /** What the console prints at the end, for the whole run (a build prints it once after all its modules). */
    private String textSummary(List<BenchmarkResult> run) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8);
        out.print(VerdictText.runSummary(run));
        out.println();
        out.println("Performance report: " + directory.resolve(INDEX_FILE).toUri());
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** {@code index.html} alone, from {@code store}, judged as {@code settings} say (the command line's report). */
    public static Path writeIndex(Path directory, BaselineStore store, PerfSettings settings) {
        RunnerSettings runner = RunnerSettings.from(settings);
        return replace(directory.toAbsolutePath().normalize().resolve(INDEX_FILE), HtmlReport.render(store,
                List.of(), BaselineComparison.of(runner, runner.compared()), runner.thresholds()));
    }

    private List<BenchmarkResult> previousResults(Path file) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            JsonNode root = ResultsJson.MAPPER.readTree(file.toFile());
            if (!runId.equals(root.path("run_id").asText(null))) {
                return List.of(); // another run's: this run starts afresh
            }
            List<BenchmarkResult> previous = new ArrayList<>();
            for (JsonNode r : (ArrayNode) root.path("results")) {
                previous.add(ResultsJson.decode(r));
            }
            return previous;
        } catch (IOException | RuntimeException e) {
            LOG.warn("Replacing {}, which could not be read ({}); results of earlier runners of this run are lost",
                    file, e.toString());
            return List.of();
        }
    }

    private static List<BenchmarkResult> merge(List<BenchmarkResult> previous, List<BenchmarkResult> current) {
        Map<String, BenchmarkResult> byKey = new LinkedHashMap<>();
        previous.forEach(r -> byKey.put(r.key(), r));
        current.forEach(r -> byKey.put(r.key(), r)); // a benchmark run again in this run: its newest result counts
        return List.copyOf(byKey.values());
    }

    /** Replaces {@code file} with {@code content} atomically (temp file beside it, then rename). */
    static Path replace(Path file, String content) {
        Path dir = file.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            tmp.toFile().setReadable(true, false);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            if (tmp != null) {
                tmp.toFile().delete();
            }
            throw new UncheckedIOException("Cannot write " + file + ": " + e, e);
        }
    }

    /**
     * What a {@link #runFinished} did.
     *
     * @param directory the report directory
     * @param files     the files written (empty on failure)
     * @param error     why nothing was written, or null
     */
    @Api(status = Api.Status.EXPERIMENTAL, since = "0.1")
    public record Outcome(Path directory, List<Path> files, String error) {

        /** Copies the list. */
        public Outcome {
            files = List.copyOf(files);
        }

        /** One line for a person: where the report is, or why there is none. */
        public String describe() {
            if (error != null) {
                return "Performance reports could not be written to " + directory + ": " + error;
            }
            return "Performance report: " + directory.resolve(INDEX_FILE).toUri() + System.lineSeparator()
                    + "  also in " + directory + ": " + String.join(", ", files.stream()
                    .filter(f -> !f.getFileName().toString().equals(INDEX_FILE))
                    .map(f -> f.getFileName().toString()).toList());
        }
    }
}
