package org.loadperf.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.loadperf.api.annotation.Api;

/**
 * The shape of the project, checked on the compiled classes of every module (the JDK's jdeps reads what each class
 * refers to, so a fully qualified name counts as much as an import): the modules' packages form no cycle, loader
 * modules build on perf-api alone, and every public type of perf-api and perf-core says how stable it is.
 */
class ArchitectureTest {

    private static final List<String> MODULES = List.of("perf-api", "perf-core", "perf-loader-postgres",
            "perf-loader-redis", "perf-loader-delta", "perf-examples");
    private static final Pattern EDGE =
            Pattern.compile("^\\s+(org\\.loadperf[\\w.]*)\\s+->\\s+(org\\.loadperf[\\w.]*)\\s");

    @Test
    void noModuleHasAPackageCycle() {
        for (String module : MODULES) {
            Map<String, Set<String>> graph = packageGraph(classes(module));
            assertThat(cycle(graph)).as("a package cycle in %s (main classes): %s", module, graph).isEmpty();
        }
    }

    @Test
    void loaderModulesBuildOnPerfApiAlone() {
        for (String module : List.of("perf-loader-postgres", "perf-loader-redis", "perf-loader-delta")) {
            Map<String, Set<String>> graph = packageGraph(classes(module));
            assertThat(graph).as("%s has main classes", module).isNotEmpty();
            graph.forEach((from, to) -> assertThat(to).as("%s (%s) refers to perf-core", from, module)
                    .noneMatch(p -> p.startsWith("org.loadperf.core")));
        }
    }

    @Test
    void everyPublicTypeOfPerfApiAndPerfCoreCarriesApi() throws IOException, ClassNotFoundException {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (String module : List.of("perf-api", "perf-core")) {
            Path root = classes(module);
            List<Path> files;
            try (Stream<Path> s = Files.walk(root)) {
                files = s.filter(p -> p.toString().endsWith(".class") && !p.endsWith("package-info.class")).toList();
            }
            for (Path file : files) {
                String name = root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, getClass().getClassLoader());
                if (isPublicSurface(type)) {
                    checked++;
                    if (!type.isAnnotationPresent(Api.class)) {
                        missing.add(name);
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(30);
        assertThat(missing).as("public types without @Api(status, since)").isEmpty();
    }

    /** Public, and reachable from outside: a public member of a public type, not anonymous or synthetic. */
    private static boolean isPublicSurface(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
            if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isSynthetic() || t.isLocalClass()) {
                return false;
            }
        }
        return true;
    }

    private static Path classes(String module) {
        Path dir = ReadmeSnippetsTest.root().resolve(module).resolve("target/classes");
        assertThat(dir).as("compiled classes of %s (build the module first)", module).isDirectory();
        return dir;
    }

    /** Package -> the other org.loadperf packages its classes refer to, as jdeps sees the class files. */
    static Map<String, Set<String>> packageGraph(Path classes) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(
                () -> new IllegalStateException("this JDK has no jdeps tool"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", classes.toString());
        assertThat(status).as("jdeps on %s: %s", classes, err).isZero();
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().split("\\R")) {
            Matcher m = EDGE.matcher(line);
            if (m.find() && !m.group(1).equals(m.group(2))) {
                graph.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
            }
        }
        return graph;
    }

    /** One cycle of {@code graph} (its packages in order), or empty. */
    static List<String> cycle(Map<String, Set<String>> graph) {
        Map<String, Integer> state = new TreeMap<>(); // 1: on the current path, 2: done (keys in graph order)
        for (String start : graph.keySet()) {
            List<String> path = new ArrayList<>();
            if (visit(start, graph, state, path)) {
                return path;
            }
        }
        return List.of();
    }

    private static boolean visit(String node, Map<String, Set<String>> graph, Map<String, Integer> state,
                                 List<String> path) {
        Integer s = state.get(node);
        if (s != null) {
            if (s == 1) {
                path.subList(0, path.indexOf(node)).clear();
                path.add(node);
                return true;
            }
            return false;
        }
        state.put(node, 1);
        path.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (visit(next, graph, state, path)) {
                return true;
            }
        }
        path.remove(path.size() - 1);
        state.put(node, 2);
        return false;
    }

    @Test
    void theCycleSearchFindsACycleAndNoneInALayeredGraph() {
        List<String> found = cycle(new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d",
                Set.of("a"))));
        assertThat(found).containsExactly("a", "b", "c", "a");
        assertThat(cycle(Map.of("a", Set.of("b", "c"), "b", Set.of("c"), "c", Set.of()))).isEmpty();
    }
}
