package org.loadperf.api;

import org.loadperf.api.annotation.Api;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every public type of perf-api says how stable it is. */
class ApiStabilityTest {

    @Test
    void everyPublicTypeCarriesApiAnnotation() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(Api.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names;
        try (Stream<Path> files = Files.walk(classes)) {
            names = files.filter(p -> p.toString().endsWith(".class"))
                    .map(p -> classes.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", ""))
                    .toList();
        }
        assertThat(names).contains("org.loadperf.api.Benchmark", "org.loadperf.api.loader.LoaderProvider");
        for (String name : names) {
            Class<?> type = Class.forName(name);
            if (Modifier.isPublic(type.getModifiers()) && !type.isAnonymousClass()) {
                assertThat(type.isAnnotationPresent(Api.class)).as("%s has @Api", name).isTrue();
            }
        }
    }
}
