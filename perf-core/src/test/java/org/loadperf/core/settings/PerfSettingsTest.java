package org.loadperf.core.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.core.PerfRunner;

class PerfSettingsTest {

    @Test
    void systemPropertiesBeatEnvironmentBeatsFileBeatsDefault() {
        PerfSettings s = PerfSettings.of(
                Map.of("POSTGRES_HOST", "from-property"),
                Map.of("POSTGRES_HOST", "from-env", "REDIS_HOST", "redis-env"),
                Map.of("POSTGRES_HOST", "from-file", "REDIS_HOST", "redis-file", "POSTGRES_DB", "file-db"));
        assertThat(s.get("POSTGRES_HOST")).contains("from-property");
        assertThat(s.get("REDIS_HOST")).contains("redis-env");
        assertThat(s.get("POSTGRES_DB")).contains("file-db");
        assertThat(s.get("POSTGRES_PORT", "5432")).isEqualTo("5432");
    }

    @Test
    void perfSettingsHaveADottedPropertyForm() {
        PerfSettings s = PerfSettings.of(Map.of("perf.failOnRegression", "true", "perf.testSize", "2000"),
                Map.of("PERF_FAIL_ON_REGRESSION", "false"), Map.of());
        assertThat(s.getBoolean("PERF_FAIL_ON_REGRESSION", false)).isTrue();
        assertThat(s.testSize()).isEqualTo(2000);
        assertThat(PerfSettings.dotted("PERF_FAIL_ON_REGRESSION")).isEqualTo("perf.failOnRegression");
    }

    @Test
    void testSizeDefaultsToTheGuidesAndRejectsNonsense() {
        assertThat(PerfSettings.of(Map.of(), Map.of(), Map.of()).testSize()).isEqualTo(50_000);
        assertThat(PerfSettings.of(Map.of(), Map.of(), Map.of()).environment()).isEqualTo("local");
        assertThatThrownBy(() -> PerfSettings.of(Map.of(), Map.of("PERF_TEST_SIZE", "lots"), Map.of()).testSize())
                .hasMessageContaining("PERF_TEST_SIZE").hasMessageContaining("lots");
        assertThatThrownBy(() -> PerfSettings.of(Map.of(), Map.of("PERF_TEST_SIZE", "0"), Map.of()).testSize())
                .hasMessageContaining("PERF_TEST_SIZE must be positive");
    }

    @Test
    void aBadTestSizeFailsTheRunnerBeforeAnyBenchmark() {
        assertThatThrownBy(() -> PerfRunner.builder(PerfSettings.of(Map.of(), Map.of("PERF_TEST_SIZE", "abc"),
                Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PERF_TEST_SIZE must be an integer");
    }

    @Test
    void dotEnvSyntax(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(".env.test");
        Files.writeString(file, """
                # connection settings
                POSTGRES_HOST=localhost
                export POSTGRES_PORT=5433
                POSTGRES_PASSWORD="pa ss#word"
                REDIS_PASSWORD='single quoted'
                POSTGRES_DB=test_nozzle # trailing comment

                """);
        Map<String, String> v = PerfSettings.parseDotEnv(file);
        assertThat(v).containsEntry("POSTGRES_HOST", "localhost").containsEntry("POSTGRES_PORT", "5433")
                .containsEntry("POSTGRES_PASSWORD", "pa ss#word").containsEntry("REDIS_PASSWORD", "single quoted")
                .containsEntry("POSTGRES_DB", "test_nozzle");
    }

    @Test
    void badDotEnvLineNamesFileAndLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(".env.test");
        Files.writeString(file, "POSTGRES_HOST=localhost\nthis is not a setting\n");
        assertThatThrownBy(() -> PerfSettings.parseDotEnv(file))
                .hasMessageContaining(file + ":2").hasMessageContaining("expected KEY=value");
    }

    @Test
    void secretsAreMasked() {
        PerfSettings s = PerfSettings.of(Map.of(), Map.of("POSTGRES_PASSWORD", "hunter2"),
                Map.of("REDIS_PASSWORD", "s3cret", "POSTGRES_USER", "ford"));
        assertThat(s.toString()).doesNotContain("hunter2").doesNotContain("s3cret").contains("POSTGRES_USER=ford")
                .contains("POSTGRES_PASSWORD=***");
    }

    @Test
    void aBadLineIsNeverEchoedForItMayBeASecretOnItsOwn(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(".env.test");
        Files.writeString(file, "POSTGRES_PASSWORD=\nhunter2-on-its-own-line\nmy-pass word=x\n");
        assertThatThrownBy(() -> PerfSettings.parseDotEnv(file))
                .hasMessageContaining(file + ":2").hasMessageNotContaining("hunter2");
        Files.writeString(file, "my-key=hunter2\n");
        assertThatThrownBy(() -> PerfSettings.parseDotEnv(file))
                .hasMessageContaining(file + ":1").hasMessageContaining("'my-key' is not a valid name")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aBadValueOfASecretSettingIsNeverShown() {
        PerfSettings s = PerfSettings.of(Map.of(), Map.of("REDIS_AUTH_TOKEN", "hunter2", "PERF_TEST_SIZE", "abc"),
                Map.of());
        assertThatThrownBy(() -> s.getInt("REDIS_AUTH_TOKEN", 0)).hasMessageContaining("REDIS_AUTH_TOKEN")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> s.getBoolean("REDIS_AUTH_TOKEN", false)).hasMessageNotContaining("hunter2");
        assertThatThrownBy(s::testSize).hasMessageContaining("PERF_TEST_SIZE").hasMessageContaining("'abc'");
    }
}
