package org.loadperf.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every Java and XML snippet of the README is the text of a file the build compiles and runs: the line before its
 * fence names the file, {@code <!-- snippet: PATH -->} (all of it) or {@code <!-- snippet: PATH#NAME -->} (the
 * lines between {@code // region NAME} or {@code <!-- region NAME -->} and the matching {@code endregion},
 * without region markers, de-indented), and this test fails when the two differ.
 */
class ReadmeSnippetsTest {

    private static final Pattern FENCE = Pattern.compile("^```(\\w*)\\s*$");
    private static final Pattern MARKER = Pattern.compile("^<!-- snippet: ([^#\\s]+)(?:#([\\w-]+))? -->\\s*$");
    private static final Pattern REGION = Pattern.compile("^\\s*(?://|<!--)\\s*region\\s+([\\w-]+)\\b.*$");
    private static final Pattern END = Pattern.compile("^\\s*(?://|<!--)\\s*endregion\\b.*$");

    /** A fenced block of the README: its language, where it starts, the file it names (or null), its text. */
    record Snippet(String language, int line, String source, String region, List<String> text) {
    }

    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null
                && !(Files.exists(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("perf-examples")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no project root (README.md beside perf-examples) above "
                    + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static List<Snippet> snippets(List<String> readme) {
        List<Snippet> out = new ArrayList<>();
        for (int i = 0; i < readme.size(); i++) {
            Matcher open = FENCE.matcher(readme.get(i));
            if (!open.matches()) {
                continue;
            }
            Matcher marker = i > 0 ? MARKER.matcher(readme.get(i - 1)) : null;
            boolean marked = marker != null && marker.matches();
            List<String> text = new ArrayList<>();
            int j = i + 1;
            while (j < readme.size() && !readme.get(j).startsWith("```")) {
                text.add(readme.get(j++));
            }
            out.add(new Snippet(open.group(1), i + 2, marked ? marker.group(1) : null, marked ? marker.group(2) : null,
                    text));
            i = j;
        }
        return out;
    }

    /** The text a marker names: the whole file, or one region of it without markers, de-indented. */
    static List<String> sourceText(List<String> file, String region, String what) {
        List<String> lines = file;
        if (region != null) {
            int start = -1;
            for (int i = 0; i < file.size() && start < 0; i++) {
                Matcher m = REGION.matcher(file.get(i));
                if (m.matches() && m.group(1).equals(region)) {
                    start = i + 1;
                }
            }
            if (start < 0) {
                throw new AssertionError(what + ": no region '" + region + "'");
            }
            lines = new ArrayList<>();
            int depth = 1;
            for (int i = start; depth > 0; i++) {
                if (i == file.size()) {
                    throw new AssertionError(what + ": region '" + region + "' has no endregion");
                }
                String l = file.get(i);
                if (REGION.matcher(l).matches()) {
                    depth++;
                } else if (END.matcher(l).matches()) {
                    depth--;
                } else {
                    lines.add(l);
                }
            }
            int indent = lines.stream().filter(l -> !l.isBlank())
                    .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
            lines = lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList();
        }
        return lines.stream().map(String::stripTrailing).toList();
    }

    /** Fails, naming the first line that differs, when {@code snippet} is not the text its marker names. */
    static void check(Snippet snippet, List<String> source) {
        List<String> shown = snippet.text().stream().map(String::stripTrailing).toList();
        String where = "README.md line " + snippet.line() + " (" + snippet.source()
                + (snippet.region() == null ? "" : "#" + snippet.region()) + ")";
        for (int i = 0; i < Math.max(shown.size(), source.size()); i++) {
            String a = i < shown.size() ? shown.get(i) : "<end of snippet>";
            String b = i < source.size() ? source.get(i) : "<end of file text>";
            if (!a.equals(b)) {
                throw new AssertionError(where + " differs from its file at snippet line " + (i + 1)
                        + ":\n  README: " + a + "\n  file:   " + b
                        + "\nCopy the file's text into the README (or change both).");
            }
        }
    }

    @Test
    void everyJavaAndXmlSnippetIsTheTextOfABuiltFile() throws IOException {
        Path root = root();
        List<Snippet> all = snippets(Files.readAllLines(root.resolve("README.md")));
        List<String> unmarked = all.stream().filter(s -> s.source() == null)
                .filter(s -> s.language().equals("java") || s.language().equals("xml"))
                .map(s -> "README.md line " + s.line()).toList();
        assertThat(unmarked).as("Java/XML snippets without a <!-- snippet: PATH[#REGION] --> line before them")
                .isEmpty();
        List<Snippet> marked = all.stream().filter(s -> s.source() != null).toList();
        assertThat(marked).as("marked snippets").hasSizeGreaterThanOrEqualTo(8);
        for (Snippet s : marked) {
            Path file = root.resolve(s.source());
            assertThat(file).as("README.md line " + s.line() + " names a file").isRegularFile();
            check(s, sourceText(Files.readAllLines(file), s.region(), s.source()));
        }
    }

    @Test
    void theDownstreamPomUsesThisBuildsVersions() throws IOException {
        Path root = root();
        String parent = Files.readString(root.resolve("pom.xml"));
        String downstream = Files.readString(root.resolve("perf-examples/downstream/pom.xml"));
        for (String property : List.of("junit.version", "slf4j.version")) {
            Matcher m = Pattern.compile("<" + Pattern.quote(property) + ">([^<]+)<").matcher(parent);
            assertThat(m.find()).as(property + " in pom.xml").isTrue();
            assertThat(downstream).as("the Quick start's " + property).contains("<version>" + m.group(1) + "</version>");
        }
        for (String plugin : List.of("maven-compiler-plugin", "maven-surefire-plugin")) {
            Pattern p = Pattern.compile("<artifactId>" + plugin + "</artifactId>\\s*<version>([^<]+)<");
            Matcher built = p.matcher(parent);
            assertThat(built.find()).as(plugin + " in pom.xml").isTrue();
            Matcher shown = p.matcher(downstream);
            int found = 0;
            while (shown.find()) {
                assertThat(shown.group(1)).as("the Quick start's " + plugin).isEqualTo(built.group(1));
                found++;
            }
            assertThat(found).as("the Quick start names " + plugin + " with its version").isPositive();
        }
        Matcher version = Pattern.compile("<artifactId>loadperf-parent</artifactId>\\s*<version>([^<]+)<")
                .matcher(parent);
        assertThat(version.find()).isTrue();
        assertThat(downstream.split("<groupId>org.loadperf</groupId>", -1)).hasSize(4);
        assertThat(downstream.split("<version>" + Pattern.quote(version.group(1)) + "</version>", -1)).hasSize(4);
    }

    @Test
    void aChangedLineIsReportedWithBothTexts() {
        List<String> file = List.of("package x;", "class A {", "    // region demo", "    int a = 1;",
                "    // region inner", "    int b = 2;", "    // endregion", "    // endregion", "}");
        List<String> region = sourceText(file, "demo", "A.java");
        assertThat(region).containsExactly("int a = 1;", "int b = 2;");
        check(new Snippet("java", 10, "A.java", "demo", List.of("int a = 1;", "int b = 2;")), region);
        assertThatThrownBy(() -> check(new Snippet("java", 10, "A.java", "demo", List.of("int a = 1;",
                "int b = 3;")), region))
                .hasMessageContaining("README.md line 10 (A.java#demo) differs from its file at snippet line 2")
                .hasMessageContaining("README: int b = 3;").hasMessageContaining("file:   int b = 2;");
        assertThatThrownBy(() -> check(new Snippet("java", 10, "A.java", "demo", List.of("int a = 1;")), region))
                .hasMessageContaining("README: <end of snippet>");
        assertThatThrownBy(() -> sourceText(file, "missing", "A.java")).hasMessageContaining("no region 'missing'");
    }
}
