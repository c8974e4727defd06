package org.loadperf.delta;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Loads in child JVMs: one killed midway, one with a heap far smaller than the data. */
class DeltaProcessTest {

    private static Process child(List<String> jvmArgs, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ChildLoad.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    @Test
    void aLoadKilledMidwayLeavesTheTableReadableAtItsPreviousVersion() throws Exception {
        Path table = DeltaTables.freshDir("crash");
        Process first = child(List.of(), table.toString(), "1000", "500", "0", "optimize_after_write=false");
        assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isZero();
        assertThat(DeltaTables.version(table)).isZero();
        int filesBefore = DeltaTables.dataFiles(table).size();

        // 40 batches, 200 ms apart, each rolled into its own file: kill once several files are on disk.
        Process second = child(List.of(), table.toString(), "40000", "1000", "200", "max_rows_per_file=1000",
                "optimize_after_write=false");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(second.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("BATCH 10")) {
                // Wait until ten batches were handed to the writers.
            }
            assertThat(line).isEqualTo("BATCH 10");
            second.destroyForcibly();
            assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(DeltaTables.dataFiles(table).size()).as("the killed load had written files")
                .isGreaterThan(filesBefore);
        assertThat(DeltaTables.version(table)).isZero();
        assertThat(DeltaTables.rows(table)).hasSize(1000);
    }

    @Test
    void memoryIsBoundedByTheBatchNotTheTable() throws Exception {
        Path table = DeltaTables.freshDir("memory");
        // 600,000 rows are about 60 MB of Arrow data and far more as Java objects; the heap is 48 MB.
        Process p = child(List.of("-Xmx48m", "-XX:MaxDirectMemorySize=64m"), table.toString(), "600000", "10000",
                "0", "optimize_after_write=false", "target_file_size=8MB");
        StringBuilder output = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                output.append(line).append('\n');
            }
        }
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("child output:%n%s", output).isZero();
        assertThat(output.toString()).contains("BATCH 60").contains("DONE");
        assertThat(DeltaTables.rows(table)).hasSize(600_000);
    }
}
