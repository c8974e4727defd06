package org.loadperf.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.core.dataset.PerfDatasets;

class LoadersTest {

    @Test
    void findsALoaderDefinedInTheTests() throws Exception {
        assertThat(Loaders.available()).contains("counting");
        try (BufferAllocator allocator = new RootAllocator();
             Loader loader = Loaders.create("counting", LoaderConfig.of(Map.of("batch_size", "500")));
             ArrowReader data = PerfDatasets.performance(allocator, 1234, 500)) {
            assertThat(loader.loadTable(data, "t", LoadMode.APPEND).rowsLoaded()).isEqualTo(1234);
        }
    }

    @Test
    void unknownTypeNamesTheAvailableOnes() {
        assertThatThrownBy(() -> Loaders.create("mongodb", LoaderConfig.empty()))
                .isInstanceOf(LoaderException.class)
                .hasMessageContaining("No loader of type 'mongodb'").hasMessageContaining("available: ")
                .hasMessageContaining("counting");
    }

    @Test
    void badConfigurationNamesTheKeyButNotTheSecret() {
        assertThatThrownBy(() -> Loaders.create("counting",
                LoaderConfig.of(Map.of("batch_size", "lots", "password", "hunter2", "colour", "red"))))
                .isInstanceOf(LoaderException.class)
                .hasMessageContaining("'batch_size'").hasMessageContaining("unknown key 'colour'")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aTypoInAServiceFileIsNamedWhenItsLoaderIsAskedFor(@TempDir Path dir) throws Exception {
        Path services = dir.resolve("META-INF/services/org.loadperf.api.loader.LoaderProvider");
        Files.createDirectories(services.getParent());
        Files.writeString(services, "org.example.csv.CsvLoaderProvidr\n");
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader withTypo = new URLClassLoader(new URL[] {dir.toUri().toURL()}, previous)) {
            Thread.currentThread().setContextClassLoader(withTypo);
            assertThat(Loaders.available()).contains("counting"); // the others still load
            assertThatThrownBy(() -> Loaders.create("csv", LoaderConfig.empty()))
                    .isInstanceOf(LoaderException.class)
                    .hasMessageContaining("No loader of type 'csv'")
                    .hasMessageContaining("org.example.csv.CsvLoaderProvidr");
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }
}
