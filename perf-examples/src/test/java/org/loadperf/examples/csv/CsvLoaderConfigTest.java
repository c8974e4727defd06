package org.loadperf.examples.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;

class CsvLoaderConfigTest {

    @Test
    void defaults() {
        CsvLoaderConfig c = CsvLoaderConfig.from(LoaderConfig.of(Map.of("directory", "/tmp/csv")));
        assertThat(c).isEqualTo(new CsvLoaderConfig(Path.of("/tmp/csv"), ',', true, 10_000, ""));
    }

    @Test
    void fullExplicitMapping() {
        CsvLoaderConfig c = CsvLoaderConfig.from(LoaderConfig.of(Map.of("directory", "/data/out", "delimiter", ";",
                "header", "false", "batch_size", "2500", "null_value", "NULL")));
        assertThat(c).isEqualTo(new CsvLoaderConfig(Path.of("/data/out"), ';', false, 2_500, "NULL"));
    }

    @Test
    void everyProblemIsNamedByKey() {
        assertThatThrownBy(() -> CsvLoaderConfig.from(LoaderConfig.of(Map.of("delimiter", ",", "batch_size", 0,
                "colour", "red"))))
                .isInstanceOf(LoaderException.class)
                .hasMessageStartingWith("Invalid CsvLoader configuration: ")
                .hasMessageContaining("unknown key 'colour'")
                .hasMessageContaining("'directory' is required")
                .hasMessageContaining("'batch_size': must be between 1 and 10000000, got 0");
        assertThatThrownBy(() -> CsvLoaderConfig.from(LoaderConfig.of(Map.of("directory", "d", "delimiter", ";;"))))
                .hasMessageContaining("'delimiter': must be one ASCII character");
        assertThatThrownBy(() -> CsvLoaderConfig.from(LoaderConfig.of(Map.of("directory", "d", "delimiter", "\""))))
                .hasMessageContaining("'delimiter'");
        assertThatThrownBy(() -> CsvLoaderConfig.from(LoaderConfig.of(Map.of("directory", "d", "null_value", "a,b"))))
                .hasMessageContaining("'null_value': must not contain the delimiter");
    }
}
