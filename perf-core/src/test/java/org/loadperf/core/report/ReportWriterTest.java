package org.loadperf.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.Benchmark;
import org.loadperf.api.BenchmarkResult;
import org.loadperf.api.Metric;
import org.loadperf.api.Verdict;
import org.loadperf.core.FakeMachine;
import org.loadperf.core.PerfRunner;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.InMemoryBaselineStore;
import org.loadperf.core.store.JsonFileBaselineStore;

class ReportWriterTest {

    @TempDir
    Path dir;

    private static final String HOSTILE = "<script>alert(\"x\")</script> & 'q' | `c` _e_ {{DATA}}";

    private PerfSettings settings(Map<String, String> env) {
        return PerfSettings.of(Map.of(), env, Map.of());
    }

    private final FakeMachine machine = new FakeMachine();

    /** A benchmark whose iterations take {@code millis} on the fake clock. */
    private Benchmark sleeping(String test, long millis) {
        return machine.benchmark(test, millis);
    }

    private static JsonNode json(Path file) throws Exception {
        return ResultsJson.MAPPER.readTree(file.toFile());
    }

    @Test
    void aRunnerWritesEveryReportWhenItClosesAndSaysWhere() throws Exception {
        Path reports = dir.resolve("perf-report");
        Path stepSummary = dir.resolve("step-summary.md");
        JsonFileBaselineStore store = JsonFileBaselineStore.at(dir.resolve("performance_benchmarks.json"));
        PerfSettings s = settings(Map.of("PERF_REPORT_DIR", reports.toString(), "PERF_RUN_ID", "run-1",
                "GITHUB_STEP_SUMMARY", stepSummary.toString()));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ReportWriter writer = ReportWriter.fromSettings(s, store);
        List<BenchmarkResult> results;
        try (PerfRunner runner = machine.on(PerfRunner.builder(s)).store(store).warmupIterations(0)
                .measuredIterations(5)
                .measurementTime(java.time.Duration.ZERO)
                .reporter(writer)
                .reporter(new ConsoleReporter(new PrintStream(console, true, StandardCharsets.UTF_8))
                        .withReports(writer))
                .build()) {
            runner.run(sleeping("fast", 10));
            runner.run(sleeping("fast", 30)); // three times slower: a regression of throughput
            runner.run(sleeping(HOSTILE, 1));
            results = runner.results();
        }
        assertThat(results.get(1).hasRegression()).isTrue();
        assertThat(reports.resolve("results.json")).isRegularFile();
        assertThat(console.toString(StandardCharsets.UTF_8))
                .contains("Performance report: " + reports.resolve("index.html").toUri())
                .contains("results.json, summary.md, summary.txt, benchmark-action-bigger.json, "
                        + "benchmark-action-smaller.json");
        assertThat(Files.readString(reports.resolve("summary.txt"))).contains("Performance summary")
                .contains("2 regressions in this run:").contains("   Test: fast\n   Loader: counting\n")
                .contains("Performance report: " + reports.resolve("index.html").toUri());

        // results.json: the run's results, complete, readable back; the key run twice counts once (the newest)
        JsonNode doc = json(reports.resolve("results.json"));
        assertThat(doc.path("format").asText()).isEqualTo("loadperf-results/1");
        assertThat(doc.path("run_id").asText()).isEqualTo("run-1");
        assertThat(doc.path("results")).hasSize(2);
        BenchmarkResult back = ResultsJson.decode(doc.path("results").get(0));
        assertThat(back.key()).isEqualTo("counting_fast");
        assertThat(back.samples()).isEqualTo(results.get(1).samples());
        assertThat(back.verdicts()).isEqualTo(results.get(1).verdicts());
        assertThat(back.summaries()).isEqualTo(results.get(1).summaries());
        assertThat(doc.path("results").get(0).path("verdict").asText()).isEqualTo("REGRESSION (throughput, duration)");

        // summary.md: the guide's CI table plus verdicts; user text escaped; also appended to the step summary
        String md = Files.readString(reports.resolve("summary.md"));
        assertThat(md).contains("| Loader | Test | Throughput | Memory | Duration | Dataset Size | Verdict |")
                .containsPattern("\\| counting \\| fast \\| [0-9,]+ rows/sec \\| [0-9.]+ MB \\| [0-9.]+ s \\| 1,000 \\| "
                        + "❌ REGRESSION \\(throughput, duration\\) \\|")
                .contains("&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'q' \\| \\`c\\` \\_e\\_ {{DATA}}")
                .contains("⚠️  PERFORMANCE REGRESSION DETECTED:\n   Test: fast\n   Loader: counting\n");
        assertThat(md).doesNotContain("<script>");
        assertThat(Files.readString(stepSummary)).isEqualTo(md + "\n");

        // github-action-benchmark: throughput bigger-is-better, memory and duration smaller-is-better
        JsonNode bigger = json(reports.resolve("benchmark-action-bigger.json"));
        assertThat(bigger).hasSize(2);
        assertThat(bigger.get(0).path("name").asText()).isEqualTo("counting_fast - throughput");
        assertThat(bigger.get(0).path("unit").asText()).isEqualTo("rows/sec");
        assertThat(bigger.get(0).path("value").asDouble()).isEqualTo(results.get(1).median(Metric.THROUGHPUT));
        assertThat(bigger.get(0).path("range").asText()).startsWith("± ");
        assertThat(bigger.get(0).path("extra").asText()).contains("dataset_size: 1000 rows",
                "iterations: " + results.get(1).samples().get(Metric.THROUGHPUT).size() + " (+0 warm-up)");
        JsonNode smaller = json(reports.resolve("benchmark-action-smaller.json"));
        assertThat(smaller).hasSize(4);
        assertThat(smaller.findValuesAsText("name")).contains("counting_fast - memory", "counting_fast - duration");
        assertThat(smaller.findValuesAsText("unit")).containsOnly("MB", "s");

        // index.html: self-contained, user text escaped in the HTML and unable to leave the data block
        String html = Files.readString(reports.resolve("index.html"));
        assertThat(html).doesNotContain("<script>alert").doesNotContainPattern("(?i)(src|href)\\s*=")
                .doesNotContain("<link").doesNotContain("@import").doesNotContain("url(")
                .contains("<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; | `c` _e_ {{DATA}}</td>")
                .contains("\\u003cscript\\u003ealert(\\\"x\\\")\\u003c/script\\u003e \\u0026");
        assertThat(html.split("</script>", -1)).hasSize(3); // the data block's and the renderer's, no more
    }

    @Test
    void theDefaultRunnerWritesTheReportsOfItsStore() throws Exception {
        Path reports = dir.resolve("default-reports");
        Path storeFile = dir.resolve("store.json");
        PerfSettings s = settings(Map.of("PERF_REPORT_DIR", reports.toString(), "PERF_STORE", storeFile.toString()));
        try (PerfRunner runner = machine.on(PerfRunner.builder(s)).warmupIterations(0).measuredIterations(2)
                .measurementTime(java.time.Duration.ZERO).build()) {
            runner.run(sleeping("default_reporters", 1));
        }
        assertThat(storeFile).isRegularFile();
        assertThat(Files.readString(reports.resolve("index.html"))).contains(storeFile.toString())
                .contains("\"key\":\"counting_default_reporters\"");
        assertThat(json(reports.resolve("results.json")).path("store").asText()).isEqualTo(storeFile.toString());
    }

    @Test
    void runnersOfOneRunAddUpAndANewRunStartsAfresh() throws Exception {
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        BenchmarkResult a = ReportFixtures.result("t1", "redis", 100, 1000, 5, "abcdef12", ReportFixtures.at(0),
                ReportFixtures.ok());
        BenchmarkResult b = ReportFixtures.result("t1", "postgresql", 100, 2000, 6, "abcdef12", ReportFixtures.at(0),
                ReportFixtures.ok());
        new ReportWriter(dir, store, "run-1", null).runFinished(List.of(a));
        new ReportWriter(dir, store, "run-1", null).runFinished(List.of(b));
        assertThat(json(dir.resolve("results.json")).path("results").findValuesAsText("key"))
                .containsExactly("redis_t1", "postgresql_t1");
        assertThat(Files.readString(dir.resolve("summary.md"))).contains("| redis | t1 |", "| postgresql | t1 |");

        new ReportWriter(dir, store, "run-2", null).runFinished(List.of(b));
        assertThat(json(dir.resolve("results.json")).path("results").findValuesAsText("key"))
                .containsExactly("postgresql_t1");
    }

    @Test
    void aRunnerThatRanNothingWritesNothing() {
        ReportWriter w = ReportWriter.to(dir.resolve("r"), new InMemoryBaselineStore());
        w.runFinished(List.of());
        assertThat(dir.resolve("r")).doesNotExist();
        assertThat(w.outcome()).isEmpty();
    }

    @Test
    void theReportDirectoryIsASetting() {
        assertThat(ReportWriter.directoryOf(settings(Map.of())))
                .isEqualTo(Path.of("target/perf-report").toAbsolutePath());
        assertThat(ReportWriter.directoryOf(settings(Map.of("PERF_REPORT_DIR", dir.toString())))).isEqualTo(dir);
        assertThat(ReportWriter.directoryOf(PerfSettings.of(Map.of("perf.reportDir", "x/y"), Map.of(), Map.of())))
                .isEqualTo(Path.of("x/y").toAbsolutePath());
    }

    @Test
    void htmlMarksRegressionsAndComparesLoadersOfOneTest() {
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        for (int day = 0; day < 3; day++) {
            store.record(ReportFixtures.result("cmp", "redis", 100, 1000, 5, "c" + day + "000000",
                    ReportFixtures.at(day), List.of()).toRecord(), true);
        }
        BenchmarkResult now = ReportFixtures.result("cmp", "redis", 100, 700, 5, "c3000000", ReportFixtures.at(3),
                List.of(ReportFixtures.verdict(Metric.THROUGHPUT, Verdict.Status.REGRESSION, 1000, 700)));
        store.record(now.toRecord(), true);
        store.record(ReportFixtures.result("cmp", "postgresql", 100, 3000, 9, "c3000000", ReportFixtures.at(3),
                List.of()).toRecord(), true);
        store.record(ReportFixtures.result("alone", "postgresql", 100, 3000, 9, "c3000000", ReportFixtures.at(3),
                List.of()).toRecord(), true);
        String html = HtmlReport.render(store, List.of(now));
        String data = html.substring(html.indexOf("id=\"perf-data\">"), html.indexOf("</script>"));
        // this run's point carries its verdict; earlier points were steady, so carry none
        assertThat(data.split("\"mark\":\"REGRESSION\"", -1)).hasSize(2);
        assertThat(data).contains("this run against its baseline: throughput REGRESSION");
        // one comparison: the test measured by two loaders; "alone" has one loader
        assertThat(data).containsPattern("\"comparisons\":\\[\\{\"test\":\"cmp\",\"size\":100,\"loaders\":\\[");
        assertThat(data.indexOf("\"test\":\"alone\",\"size\":100,\"loaders\"")).isEqualTo(-1);
    }

    @Test
    void sameCommitRunsAreToldApartAndMarkersPointTheWayTheFigureMoved() {
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        store.record(ReportFixtures.result("twice", "redis", 100, 1000, 5, "abc12345", ReportFixtures.at(0),
                List.of()).toRecord(), true);
        BenchmarkResult now = ReportFixtures.result("twice", "redis", 100, 1500, 4, "abc12345", ReportFixtures.at(1),
                List.of(ReportFixtures.verdict(Metric.THROUGHPUT, Verdict.Status.IMPROVED, 1000, 1500),
                        ReportFixtures.verdict(Metric.MEMORY, Verdict.Status.IMPROVED, 5, 4)));
        store.record(now.toRecord(), true);
        String html = HtmlReport.render(store, List.of(now));
        String data = html.substring(html.indexOf("id=\"perf-data\">"), html.indexOf("</script>"));
        // one commit measured twice: each run labelled with its number and time
        assertThat(data).containsPattern("\"label\":\"abc12345 #1 \\d\\d:\\d\\d\"")
                .containsPattern("\"label\":\"abc12345 #2 \\d\\d:\\d\\d\"");
        // more throughput is up, less memory is down, both improvements
        assertThat(data).containsPattern(
                "\"throughput_rows_per_sec\":\\{[^}]*\"mark\":\"IMPROVED\"[^}]*\"up\":true");
        assertThat(data).containsPattern("\"memory_mb\":\\{[^}]*\"mark\":\"IMPROVED\"[^}]*\"up\":false");
        // and the page draws the marker by that direction
        assertThat(html).contains("p.m.up ?");
    }
}
