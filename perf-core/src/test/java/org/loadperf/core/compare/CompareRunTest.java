package org.loadperf.core.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.core.settings.PerfSettings;

/**
 * The comparison end to end on a real git repository of two commits and a fake suite: a shell script that writes a
 * store file (the guide's format) from the {@code speed} file of the tree it runs in. Every round's two runs share
 * the round's "machine" factor, as a real machine's drift hits both; nothing here depends on timing.
 */
class CompareRunTest {

    @TempDir
    Path dir;
    Path repo;
    Path suite;

    private static final String SUITE = """
            #!/bin/bash
            set -e
            speed=$(cat speed)
            if [ "$speed" = fail ]; then echo "the suite failed" >&2; exit 3; fi
            if [ -n "$SLOWER_BY" ]; then speed=$(( speed * (100 - SLOWER_BY) / 100 )); fi
            round=${PERF_RUN_ID##*-}
            machine=$(( 80 + (round * 37) % 41 ))
            tp=$(( speed * machine ))
            echo "$PERF_COMPARE_SIDE round $round groups $GROUPS measure ${PERF_MEASURE_SECONDS:-unset}" >> "$PERF_STORE.seen"
            if [ -n "$PERF_COMPARE_TURNS" ] && [ -f "$PERF_COMPARE_TURNS/turns.properties" ]; then
              # both sides of the round are running now: each waits (60 s at most) to see the other's mark
              touch "$PERF_COMPARE_TURNS/$PERF_COMPARE_SIDE.started"
              other=base; [ "$PERF_COMPARE_SIDE" = base ] && other=head
              for i in $(seq 600); do [ -f "$PERF_COMPARE_TURNS/$other.started" ] && break; sleep 0.1; done
              [ -f "$PERF_COMPARE_TURNS/$other.started" ] && echo "ran alongside the $other" >> "$PERF_STORE.seen"
            fi
            cat > "$PERF_STORE" <<JSON
            {"fake_load": {"test_name": "load", "loader_type": "fake", "throughput_rows_per_sec": $tp,
              "memory_mb": 50.0, "duration_seconds": $(awk "BEGIN{print 1000000/$tp}"), "dataset_size": 1000,
              "timestamp": "2026-01-01T00:00:00Z", "git_commit": "unknown", "environment": "local"}}
            JSON
            """;

    @BeforeEach
    void repository() throws Exception {
        repo = Files.createDirectory(dir.resolve("project"));
        suite = dir.resolve("suite.sh");
        Files.writeString(suite, SUITE);
        git("init", "-q");
        commit("1000", "base: fast");
        commit("800", "head: 20% slower");
    }

    private void commit(String speed, String message) throws Exception {
        Files.writeString(repo.resolve("speed"), speed);
        git("add", "speed");
        git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", message);
    }

    private String git(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", repo.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("git %s: %s", args, out).isZero();
        return out;
    }

    private record Run(int code, String out, String err) {
    }

    private Run compare(String... args) {
        List<String> all = new ArrayList<>(List.of("--repo", repo.toString(), "--build", "test -f speed",
                "--command", "bash " + suite, "--groups", "fake", "--rounds-max", "12"));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CompareCommand.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), PerfSettings.of(Map.of(), Map.of(), Map.of()));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private JsonNode json() throws IOException {
        return new ObjectMapper().readTree(repo.resolve("target/perf-report/compare.json").toFile());
    }

    private void assertWorktreesRemoved() throws Exception {
        assertThat(repo.resolve("target/compare/base")).doesNotExist();
        assertThat(repo.resolve("target/compare/head")).doesNotExist();
        assertThat(git("worktree", "list").strip().lines()).hasSize(1);
    }

    @Test
    void aSlowerHeadIsARegressionThatFailsTheBuild() throws Exception {
        Run run = compare("--base", "HEAD~1", "--head", "HEAD", "--fail-on-regression");
        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.err()).contains("the head regressed").contains("fake_load");
        assertThat(run.out()).contains("round 1/12 (b h)").contains("round 2/12 (h b)")
                .contains("REGRESSION").contains("+20.0%");
        JsonNode json = json();
        assertThat(json.get("regression").asBoolean()).isTrue();
        JsonNode throughput = json.get("comparisons").get(0);
        assertThat(throughput.get("key").asText()).isEqualTo("fake_load");
        assertThat(throughput.get("status").asText()).isEqualTo("REGRESSION");
        assertThat(throughput.get("fails_build").asBoolean()).isTrue();
        // Each side wrote its own store file per round, in the order B H, H B, ...
        assertThat(Files.readString(repo.resolve("target/compare/stores/base-01.json.seen")))
                .contains("base round 1 groups fake measure 3.0");
        assertThat(repo.resolve("target/compare/stores/head-02.json")).exists();
        assertThat(Files.readString(repo.resolve("target/perf-report/compare.md"))).contains("|fake_load|throughput|");
        assertThat(Files.readString(repo.resolve("target/perf-report/index.html"))).contains("<section id=\"compare\">");
        assertWorktreesRemoved();
    }

    @Test
    void bothSidesOfARoundRunAtOnceWithTheirTurnsOrOneAfterTheOther() throws Exception {
        Run run = compare("--base", "HEAD~1", "--head", "HEAD", "--rounds-max", "7");
        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("both at once, taking turns");
        assertThat(Files.readString(repo.resolve("target/compare/stores/base-01.json.seen")))
                .contains("ran alongside the head");
        assertThat(Files.readString(repo.resolve("target/compare/stores/head-07.json.seen")))
                .contains("ran alongside the base");
        assertThat(json().get("comparisons").get(0).get("status").asText()).isEqualTo("REGRESSION");
        assertThat(json().get("interleave").asText()).isEqualTo("iterations");
        assertThat(json().get("measure_seconds").asDouble()).isEqualTo(3.0);

        Run sequential = compare("--base", "HEAD~1", "--head", "HEAD", "--rounds-max", "7", "--interleave", "runs",
                "--measure-seconds", "5s");
        assertThat(sequential.code()).as(sequential.out() + sequential.err()).isZero();
        assertThat(sequential.out()).contains("round 1/7 (b h): base ").doesNotContain("taking turns");
        assertThat(Files.readString(repo.resolve("target/compare/stores/base-01.json.seen")))
                .doesNotContain("alongside").contains("measure 5.0");
        assertThat(json().get("comparisons").get(0).get("status").asText()).isEqualTo("REGRESSION");
        assertThat(compare("--base", "HEAD", "--interleave", "threads").err()).contains("--interleave must be");
    }

    @Test
    void theSameCommitIsOkAndStopsOnceDecided() throws Exception {
        Run run = compare("--base", "HEAD");
        assertThat(run.code()).as(run.out() + run.err()).isZero();
        JsonNode json = json();
        assertThat(json.get("regression").asBoolean()).isFalse();
        assertThat(json.get("rounds").asInt()).isEqualTo(CompareOptions.DEFAULT_ROUNDS_MIN);
        assertThat(json.get("stopped").asText()).startsWith("every verdict decided");
        json.get("comparisons").forEach(c -> assertThat(c.get("status").asText()).isEqualTo("OK"));
        assertWorktreesRemoved();
    }

    @Test
    void theHeadEnvironmentReachesTheHeadOnly() throws Exception {
        Run run = compare("--base", "HEAD", "--head-env", "SLOWER_BY=10");
        assertThat(run.code()).as(run.out() + run.err()).isZero(); // reported, not failing: no --fail-on-regression
        JsonNode throughput = json().get("comparisons").get(0);
        assertThat(throughput.get("status").asText()).isEqualTo("REGRESSION");
        assertThat(throughput.get("regression_percent").asDouble()).isBetween(9.0, 11.0);
    }

    @Test
    void aFailingBaseStopsTheComparisonAndRemovesTheWorktree() throws Exception {
        commit("fail", "a commit whose suite fails");
        commit("1000", "head");
        Run run = compare("--base", "HEAD~1", "--head", "HEAD");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("the base's run of round 1 failed with exit code 3").contains("base-01.log")
                .contains("the suite failed");
        assertWorktreesRemoved();
        assertThat(repo.resolve("target/perf-report/compare.json")).doesNotExist();
    }

    @Test
    void aLeftoverWorktreeOfAKilledComparisonIsReplaced() throws Exception {
        git("worktree", "add", "--detach", "-q", repo.resolve("target/compare/base").toString(), "HEAD~1");
        Run run = compare("--base", "HEAD", "--rounds-max", "7");
        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertWorktreesRemoved();
    }

    @Test
    void anUnknownBaseIsNamedBeforeAnyWork() throws Exception {
        Run run = compare("--base", "no-such-branch");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("no commit 'no-such-branch'");
        assertThat(repo.resolve("target/compare/base")).doesNotExist();
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOption() {
        assertThat(compare("--base", "HEAD", "--rounds-max", "0").err()).contains("--rounds-max must be a whole number");
        assertThat(compare("--base", "HEAD", "--time-budget", "soon").err()).contains("--time-budget must be");
        assertThat(compare("--base", "HEAD", "--rounds-min", "9", "--rounds-max", "8").code()).isEqualTo(2);
        assertThat(compare("--head", "HEAD").err()).contains("--base <git ref> is required");
    }
}
