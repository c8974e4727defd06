package org.loadperf.core.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one table of runner settings: the README shows it as it is, and the property check follows it. */
class RunnerSettingTest {

    private static final String BEGIN = "<!-- runner settings: RunnerSetting.markdownTable() -->";
    private static final String END = "<!-- end of runner settings -->";

    @Test
    void theReadmeShowsTheTableOfTheCode() throws IOException {
        Path readme = root().resolve("README.md");
        String text = Files.readString(readme);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        assertThat(begin).as("README.md has the marker " + BEGIN).isNotNegative();
        assertThat(end).as("README.md has the marker " + END).isGreaterThan(begin);
        String shown = text.substring(begin + BEGIN.length(), end).strip() + "\n";
        assertThat(shown).as("README.md's settings table differs from RunnerSetting; paste this between the "
                + "markers:%n%s", RunnerSetting.markdownTable()).isEqualTo(RunnerSetting.markdownTable());
    }

    @Test
    void everySettingHasADottedPropertyAndParsesItsDefault() {
        for (RunnerSetting s : RunnerSetting.values()) {
            assertThat(s.settingName()).startsWith("PERF_");
            assertThat(s.property()).startsWith("perf.").doesNotContain("_");
            assertThat(s.doc()).isNotBlank();
            switch (s.type()) {
                case INTEGER, NUMBER, SECONDS, PERCENT -> assertThat(RunnerSettings.defaultNumber(s)).isNotNaN();
                case BOOLEAN -> assertThat(s.defaultValue()).isIn("true", "false");
                default -> assertThat(s.defaultText()).isNotBlank();
            }
        }
        assertThat(RunnerSetting.properties()).contains("perf.runId", "perf.reportDir", "perf.memoryFloorMb");
    }

    @Test
    void theRunIdPropertyIsAcceptedAndAnUnknownOneNamesTheKnownOnes() {
        RunnerSetting.rejectUnknownProperties(List.of("perf.runId", "java.version"));
        assertThatThrownBy(() -> RunnerSetting.rejectUnknownProperties(List.of("perf.runID")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown setting -Dperf.runID").hasMessageContaining("perf.runId");
    }

    @Test
    void defaultsComeFromTheTable() {
        RunnerSettings s = RunnerSettings.from(PerfSettings.of(Map.of(), Map.of(), Map.of()));
        assertThat(s.warmups()).isEqualTo(Integer.parseInt(RunnerSetting.WARMUP_ITERATIONS.defaultValue()));
        assertThat(s.iterations()).isEqualTo(Integer.parseInt(RunnerSetting.ITERATIONS.defaultValue()));
        assertThat(s.confidence()).isEqualTo(RunnerSettings.defaultNumber(RunnerSetting.CONFIDENCE));
        assertThat(s.pairedSeconds()).isEqualTo(RunnerSettings.defaultNumber(RunnerSetting.PAIRED_SECONDS));
        assertThat(s.memoryFloorMb()).isEqualTo(RunnerSettings.defaultNumber(RunnerSetting.MEMORY_FLOOR_MB));
        assertThat(s.noiseWindow()).isEqualTo(Integer.parseInt(RunnerSetting.NOISE_WINDOW.defaultValue()));
    }

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("README.md"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no README.md above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
