package org.loadperf.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The validation of the memory verdicts ({@code make validate-memory}): per trial, one baseline JVM of the buffered
 * CSV load ({@link MemoryValidationChild}, variant {@code base}) on a fresh store, then one candidate JVM per scenario
 * on a copy of that store (the thresholds are the candidate's): unchanged code (A/A, at the strictest allocation
 * threshold used below), a loader that keeps every
 * batch, one whose buffers are 50% larger, one that allocates 10% more per row and one 2% more. Prints how often
 * each was found (a memory or allocation REGRESSION, or LEAK) and the A/A false alarms. Asserts nothing about the
 * counts: they are measurements, published in docs/verdict-validation.md.
 */
@Tag("validation")
class MemoryVerdictValidationBenchmark {

    /** A scenario: the candidate's variant and the allocation threshold both JVMs run with. */
    record Scenario(String name, String variant, String allocationThreshold) {
    }

    static final List<Scenario> SCENARIOS = List.of(
            // the strictest allocation threshold below; memory's verdict does not depend on it
            new Scenario("A/A (allocation threshold 1%)", "base", "1"),
            new Scenario("keeps every batch", "keep", "10"),
            new Scenario("buffers 50% larger", "buffers50", "10"),
            new Scenario("10% more allocation per row (threshold 5%)", "alloc10", "5"),
            new Scenario("2% more allocation per row (threshold 1%)", "alloc2", "1"));

    @TempDir
    Path work;

    @Test
    void memoryVerdicts() throws Exception {
        int trials = Integer.parseInt(System.getenv().getOrDefault("PERF_MEMORY_VALIDATION_RUNS", "20"));
        Map<Scenario, int[]> found = new LinkedHashMap<>();
        Map<Scenario, List<String>> seen = new LinkedHashMap<>();
        SCENARIOS.forEach(s -> {
            found.put(s, new int[1]);
            seen.put(s, new ArrayList<>());
        });
        long t0 = System.nanoTime();
        for (int trial = 1; trial <= trials; trial++) {
            // thresholds are applied by the candidate's verdict, so one baseline JVM serves every scenario
            Path baseline = work.resolve("t" + trial + ".json");
            child("base", baseline, "10");
            for (Scenario s : SCENARIOS) {
                Path store = work.resolve("t" + trial + "-" + s.variant() + "-" + s.allocationThreshold() + ".json");
                Files.copy(baseline, store);
                String line = child(s.variant(), store, s.allocationThreshold());
                seen.get(s).add(line);
                if (line.contains("=REGRESSION") || line.contains("=LEAK")) {
                    found.get(s)[0]++;
                }
            }
        }
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "%nMemory verdict validation: %d trials, %.0f s%n| scenario | found (REGRESSION or LEAK) |%n|---|---|%n",
                trials, (System.nanoTime() - t0) / 1e9));
        for (Scenario s : SCENARIOS) {
            table.append(String.format(Locale.ROOT, "| %s | %d/%d |%n", s.name(), found.get(s)[0], trials));
        }
        seen.forEach((s, lines) -> {
            table.append(s.name()).append(":\n");
            lines.forEach(l -> table.append("  ").append(l).append('\n'));
        });
        System.out.print(table);
        assertThat(found).hasSize(SCENARIOS.size());
    }

    private String child(String variant, Path store, String allocationThreshold)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
        cmd.add("-Xmx1g");
        cmd.add("-Dperf.thresholdAllocation=" + allocationThreshold);
        cmd.add("-cp");
        cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        cmd.add(MemoryValidationChild.class.getName());
        cmd.add(variant);
        cmd.add(store.toString());
        cmd.add(work.resolve("csv-" + variant).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PERF_LOG_LEVEL", "WARN");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException("memory validation child failed (" + rc + "): " + out);
        }
        for (String l : out.split("\n")) {
            if (l.startsWith("MEMVAL ")) {
                return l.strip();
            }
        }
        throw new IllegalStateException("memory validation child printed no verdict: " + out);
    }
}
