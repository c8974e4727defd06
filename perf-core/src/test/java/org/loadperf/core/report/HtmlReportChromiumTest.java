package org.loadperf.core.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Thresholds;
import org.loadperf.api.Verdict;
import org.loadperf.core.store.JsonFileBaselineStore;

/**
 * Opens {@code index.html} in a real headless Chromium: the page must render every chart with no script error,
 * and a screenshot is kept in {@code target/perf-report-test/screenshot.png} for a person to look at. Skipped when
 * Chromium is not installed ({@code apt-get install -y chromium}; CI installs it).
 */
class HtmlReportChromiumTest {

    private static final Path CHROMIUM = Path.of(System.getProperty("chromium.path", "/usr/bin/chromium"));
    private static final Path OUT = Path.of("target", "perf-report-test").toAbsolutePath();
    private static final String HOSTILE = "<img src=x onerror=alert(1)> \"</script><script>boom()</script>";

    @TempDir
    static Path profiles;

    private static Path page;
    private static int benchmarks;
    private static int comparisons;

    @BeforeAll
    static void writeReport() throws IOException {
        // a store with history: three loaders over eight commits on two tests, a drop at the end for postgresql
        JsonFileBaselineStore store = JsonFileBaselineStore.at(OUT.resolve("performance_benchmarks.json"));
        store.reset();
        List<BenchmarkResult> current = new ArrayList<>();
        String[] loaders = {"postgresql", "redis", "delta_lake"};
        double[] speed = {120_000, 210_000, 60_000};
        double[] memory = {35, 18, 140};
        for (int day = 0; day < 8; day++) {
            String commit = String.format("%08x", 0x3c9e8d42 + day * 7919);
            for (int l = 0; l < loaders.length; l++) {
                for (String test : List.of("throughput_comparison", "memory_usage_comparison")) {
                    double wobble = 1 + 0.03 * Math.sin(day * 1.7 + l);
                    double tp = speed[l] * wobble * (day == 7 && l == 0 ? 0.8 : 1.0);
                    double mem = memory[l] * (2 - wobble) * (day == 7 && l == 0 ? 1.3 : 1.0);
                    List<Verdict> verdicts = day == 7 && l == 0
                            ? List.of(ReportFixtures.verdict(Metric.THROUGHPUT, Verdict.Status.REGRESSION,
                                    speed[l], tp), ReportFixtures.verdict(Metric.MEMORY, Verdict.Status.REGRESSION,
                                    memory[l], mem))
                            : ReportFixtures.ok();
                    BenchmarkResult r = ReportFixtures.result(test, loaders[l], 10_000, tp, mem, commit,
                            ReportFixtures.at(day), verdicts);
                    store.record(r.toRecord(), true);
                    if (day == 7) {
                        current.add(r);
                    }
                }
            }
        }
        BenchmarkResult hostile = ReportFixtures.result(HOSTILE, "csv", 2_000, 900_000, 3, "0badf00d",
                ReportFixtures.at(7), ReportFixtures.ok());
        store.record(hostile.toRecord(), true);
        current.add(hostile);
        benchmarks = 3 * 2 + 1;
        comparisons = 2;
        page = OUT.resolve("index.html");
        Files.createDirectories(OUT);
        Files.writeString(page, HtmlReport.render(store, current, ReportFixtures.comparison(), Thresholds.defaults()));
    }

    private static Result chromium(String... args) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "Chromium not found at " + CHROMIUM
                + ": install it (apt-get install -y chromium) or set -Dchromium.path to run the HTML report test");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(profiles, "profile")));
        cmd.addAll(List.of(args));
        cmd.add(page.toUri().toString());
        Path stdout = Files.createTempFile(profiles, "out", ".txt");
        Path stderr = Files.createTempFile(profiles, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("Chromium did not finish within 90 s: " + cmd);
        }
        return new Result(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    private record Result(int exit, String out, String err) {
    }

    /**
     * Per benchmark: throughput, memory and one per other compared metric (allocation by default; duration is not
     * charted); per cross-loader test: throughput, memory needed and allocation per row (these records have no
     * stored bytes, so that chart is left out).
     */
    private static int expectedCharts() {
        long extras = ReportFixtures.comparison().compared().stream()
                .filter(m -> m != Metric.THROUGHPUT && m != Metric.MEMORY && m != Metric.DURATION).count();
        return (int) (benchmarks * (2 + extras)) + 3 * comparisons;
    }

    @Test
    void rendersEveryChartWithTheScriptAndShowsNamesAsText() throws Exception {
        Result r = chromium("--dump-dom", "--virtual-time-budget=5000");
        assertThat(r.exit()).as(r.err()).isZero();
        String dom = r.out();
        Matcher marker = Pattern.compile("<p id=\"perf-rendered\" data-charts=\"(\\d+)\">").matcher(dom);
        assertThat(marker.find()).as("the renderer's marker element (script failed?)\n" + r.err()).isTrue();
        int charts = Integer.parseInt(marker.group(1));
        assertThat(charts).isEqualTo(expectedCharts());
        assertThat(dom.split("<svg class=\"chart\"", -1)).hasSize(charts + 1);
        assertThat(dom.split("class=\"card benchmark\"", -1)).hasSize(benchmarks + 1);
        // the drop of postgresql is marked on both of its tests, throughput and memory
        assertThat(dom.split("data-mark=\"REGRESSION\"", -1)).hasSize(4 + 1);
        // the hostile name is text, in the table and in its card, never markup
        assertThat(dom).doesNotContain("<img src=\"x\"").doesNotContain("<script>boom()")
                .contains("&lt;img src=x onerror=alert(1)&gt; \"&lt;/script&gt;&lt;script&gt;boom()&lt;/script&gt;");
    }

    @Test
    void screenshotWithoutScriptErrors() throws Exception {
        Path shot = OUT.resolve("screenshot.png");
        Files.deleteIfExists(shot);
        Result r = chromium("--screenshot=" + shot, "--window-size=1280,2000", "--hide-scrollbars",
                "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("Uncaught").contains("loadperf-report: rendered " + expectedCharts()
                + " charts");
        assertThat(shot).isRegularFile();
        assertThat(Files.size(shot)).isGreaterThan(20_000);
    }
}
