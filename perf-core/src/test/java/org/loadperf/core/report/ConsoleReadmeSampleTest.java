package org.loadperf.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Verdict;

/**
 * The README's Quick start shows what a first run prints; this test prints a result of the same shape through
 * {@link ConsoleReporter} and compares the two line by line, figures and column widths aside, so that the README
 * keeps showing what the console prints.
 */
class ConsoleReadmeSampleTest {

    private static final String BEFORE = "Between Maven's lines it prints";

    @Test
    void theQuickStartsConsoleSampleIsWhatTheReporterPrints() throws IOException {
        List<String> shown = readmeSample();
        Benchmark benchmark = Benchmark.builder("my_table_loading_performance", "postgresql").datasetSize(50_000)
                .body(ctx -> 50_000).build();
        List<Verdict> none = Arrays.stream(new Metric[] {Metric.THROUGHPUT, Metric.MEMORY, Metric.DURATION,
            Metric.ALLOCATED_BYTES_PER_ROW}).map(m -> ReportFixtures.verdict(m, Verdict.Status.NO_BASELINE,
                Double.NaN, 1)).toList();
        BenchmarkResult result = ReportFixtures.result("my_table_loading_performance", "postgresql", 50_000,
                333_861, 1.6, "19ad97e8", ReportFixtures.at(0), none);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleReporter console = new ConsoleReporter(new PrintStream(bytes, true, StandardCharsets.UTF_8), false,
                System::nanoTime, null);
        console.benchmarkStarted(benchmark, 1, 5);
        console.benchmarkFinished(result);
        console.runFinished(List.of(result));
        List<String> printed = bytes.toString(StandardCharsets.UTF_8).lines().toList();

        // the README's lines up to where the reports are (this reporter writes none)
        List<String> sample = shown.subList(0, shown.indexOf("") + 1 + shown.subList(shown.indexOf("") + 1,
                shown.size()).indexOf(""));
        assertThat(printed.stream().map(ConsoleReadmeSampleTest::shape).toList())
                .as("README.md's Quick start console sample against ConsoleReporter's output:%n%s",
                        String.join("\n", printed))
                .isEqualTo(sample.stream().map(ConsoleReadmeSampleTest::shape).toList());
        assertThat(shown.get(sample.size() + 1)).startsWith("Performance report: file://");
    }

    /** A line without its figures, column padding and rule length. */
    static String shape(String line) {
        return line.replaceAll("\\d[\\d,.]*", "#").replaceAll("-{3,}", "---").replaceAll(" +", " ").strip();
    }

    /** The fenced block after the Quick start's "Between Maven's lines it prints". */
    static List<String> readmeSample() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null
                && !(Files.exists(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("perf-core")))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("the project root above " + Path.of("").toAbsolutePath()).isNotNull();
        List<String> readme = Files.readAllLines(dir.resolve("README.md"));
        int at = 0;
        while (at < readme.size() && !readme.get(at).contains(BEFORE)) {
            at++;
        }
        assertThat(at).as("README.md says '" + BEFORE + "'").isLessThan(readme.size());
        while (!readme.get(at).startsWith("```")) {
            at++;
        }
        int end = at + 1;
        while (!readme.get(end).startsWith("```")) {
            end++;
        }
        return readme.subList(at + 1, end);
    }
}
