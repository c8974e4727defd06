package org.loadperf.core.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.loadperf.core.report.ReportText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.loadperf.api.Verdict;

/**
 * The reports of a two-commit comparison: the console table, {@code compare.md} (for a pull request comment or
 * {@code $GITHUB_STEP_SUMMARY}), {@code compare.json}, and a section of {@code index.html} (added to the page the
 * last run wrote, or a page of its own; a later run's page replaces it).
 */
final class CompareReport {

    static final String MARKDOWN_FILE = "compare.md";
    static final String JSON_FILE = "compare.json";
    static final String INDEX_FILE = "index.html";
    private static final String SECTION_START = "<!-- loadperf-compare -->";
    private static final String SECTION_END = "<!-- /loadperf-compare -->";
    private static final String[] HEADER = {"Benchmark", "Metric", "Base", "Head", "Change", "Bound", "MDE",
        "Verdict"};

    private CompareReport() {
    }

    /** The table, one row per benchmark and metric; change and bound are in % worse (negative: better). */
    static List<String[]> table(CompareRun.Outcome o) {
        List<String[]> rows = new ArrayList<>();
        for (RoundVerdicts.Row r : o.rows()) {
            Verdict v = r.verdict();
            rows.add(new String[] {r.key(), v.metric().displayName(), figure(v.baseline()), figure(v.current()),
                percent(v.regressionPercent(), true), percent(v.confidenceBound(), true),
                percent(v.minDetectablePercent(), false), status(r)});
        }
        return rows;
    }

    private static String status(RoundVerdicts.Row r) {
        Verdict v = r.verdict();
        if (v.isRegression() && !r.failing()) {
            return "REGRESSION (not past Holm)";
        }
        return v.status().name() + (r.decided() || v.status() != Verdict.Status.OK ? "" : " (undecided)");
    }

    static String console(CompareRun.Outcome o) {
        StringBuilder sb = new StringBuilder(title(o)).append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        rows.addAll(table(o));
        int[] w = new int[HEADER.length];
        rows.forEach(row -> {
            for (int i = 0; i < row.length; i++) {
                w[i] = Math.max(w[i], row[i].length());
            }
        });
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                boolean numeric = i >= 2 && i <= 6;
                String pad = " ".repeat(w[i] - row[i].length());
                line.append(i == 0 ? "" : "  ").append(numeric ? pad + row[i] : row[i] + pad);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        sb.append(legend(o)).append('\n');
        o.notes().forEach(n -> sb.append("note: ").append(n).append('\n'));
        return sb.toString();
    }

    private static String title(CompareRun.Outcome o) {
        return String.format(Locale.ROOT, "Compare base %s (%s) with head %s (%s%s): %d rounds in %.1f min, stopped "
                        + "at %s; load average %s -> %s", CompareRun.shortSha(o.baseCommit()), o.baseRef(),
                CompareRun.shortSha(o.headCommit()), o.headRef(), o.headDirty() ? ", uncommitted changes" : "",
                o.rounds(), o.seconds() / 60, o.stopReason(), o.loadBefore(), o.loadAfter());
    }

    private static String legend(CompareRun.Outcome o) {
        return String.format(Locale.ROOT, "Base, Head: medians of the per-round figures (one JVM per side and round; the head's "
                + "throughput and duration paired with the base's iteration by iteration). "
                + "Change: the shift paired over rounds (Hodges-Lehmann of the rounds' head-against-base changes), in "
                + "%% worse (negative: better); Bound: its %.0f%% lower bound (exact signed-rank); MDE: the "
                + "smallest change these rounds find 4 times in 5. A "
                + "REGRESSION fails the build (--fail-on-regression) when it survives Holm's correction across all "
                + "%d comparisons.", o.confidence() * 100, o.rows().size());
    }

    static String markdown(CompareRun.Outcome o) {
        StringBuilder sb = new StringBuilder("## loadperf: compare two commits\n\n").append(title(o)).append("\n\n");
        sb.append('|').append(String.join("|", HEADER)).append("|\n|");
        for (int i = 0; i < HEADER.length; i++) {
            sb.append(i >= 2 && i <= 6 ? "---:|" : "---|");
        }
        sb.append('\n');
        for (String[] row : table(o)) {
            sb.append('|').append(String.join("|", row)).append("|\n");
        }
        sb.append('\n').append(legend(o)).append("\n");
        o.notes().forEach(n -> sb.append("\n- ").append(n));
        return sb.append('\n').toString();
    }

    static ObjectNode json(CompareRun.Outcome o) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("base_ref", o.baseRef());
        root.put("base_commit", o.baseCommit());
        root.put("head_ref", o.headRef());
        root.put("head_commit", o.headCommit());
        root.put("head_dirty", o.headDirty());
        root.put("rounds", o.rounds());
        root.put("stopped", o.stopReason());
        root.put("seconds", o.seconds());
        ArrayNode rs = root.putArray("round_seconds");
        for (double s : o.roundSeconds()) {
            rs.add(s);
        }
        root.put("load_average_before", o.loadBefore());
        root.put("load_average_after", o.loadAfter());
        root.put("confidence", o.confidence());
        root.put("command", o.command());
        root.put("interleave", o.interleave());
        if (o.measureSeconds() != null) {
            root.put("measure_seconds", o.measureSeconds());
        }
        root.put("regression", o.rows().stream().anyMatch(RoundVerdicts.Row::failing));
        ArrayNode list = root.putArray("comparisons");
        for (RoundVerdicts.Row r : o.rows()) {
            Verdict v = r.verdict();
            ObjectNode n = list.addObject();
            n.put("key", r.key());
            n.put("metric", v.metric().key());
            n.put("status", v.status().name());
            n.put("fails_build", r.failing());
            n.put("decided", r.decided());
            ReportText.number(n, "base", v.baseline());
            ReportText.number(n, "head", v.current());
            ReportText.number(n, "regression_percent", v.regressionPercent());
            ReportText.number(n, "lower_bound_percent", v.confidenceBound());
            ReportText.number(n, "threshold_percent", v.thresholdPercent());
            ReportText.number(n, "min_detectable_percent", v.minDetectablePercent());
            n.put("message", v.message());
            ArrayNode b = n.putArray("base_rounds");
            r.base().forEach(b::add);
            ArrayNode h = n.putArray("head_rounds");
            r.head().forEach(h::add);
        }
        ArrayNode notes = root.putArray("notes");
        o.notes().forEach(notes::add);
        return root;
    }

    /** Writes compare.md, compare.json and the index.html section into {@code dir}; the files written. */
    static List<Path> write(CompareRun.Outcome o, Path dir) {
        try {
            Files.createDirectories(dir);
            Path md = replace(dir.resolve(MARKDOWN_FILE), markdown(o));
            Path json = replace(dir.resolve(JSON_FILE), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(json(o)) + "\n");
            Path index = dir.resolve(INDEX_FILE);
            String page = Files.exists(index) ? Files.readString(index, StandardCharsets.UTF_8)
                    : "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>loadperf compare</title></head>"
                    + "<body>\n</body></html>\n";
            return List.of(md, json, replace(index, withSection(page, htmlSection(o))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the comparison's reports to " + dir + ": " + e.getMessage(),
                    e);
        }
    }

    /** {@code page} with the comparison's section in place of an earlier one, else just before {@code </body>}. */
    static String withSection(String page, String section) {
        int s = page.indexOf(SECTION_START);
        int e = page.indexOf(SECTION_END);
        if (s >= 0 && e > s) {
            return page.substring(0, s) + section + page.substring(e + SECTION_END.length());
        }
        int body = page.lastIndexOf("</body>");
        return body < 0 ? page + section : page.substring(0, body) + section + "\n" + page.substring(body);
    }

    static String htmlSection(CompareRun.Outcome o) {
        StringBuilder sb = new StringBuilder(SECTION_START).append("\n<section id=\"compare\"><h2>Compare two commits"
                + "</h2>\n<p>").append(ReportText.html(title(o))).append("</p>\n<table><thead><tr>");
        for (String h : HEADER) {
            sb.append("<th>").append(h).append("</th>");
        }
        sb.append("</tr></thead><tbody>\n");
        for (String[] row : table(o)) {
            sb.append("<tr>");
            for (String c : row) {
                sb.append("<td>").append(ReportText.html(c)).append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</tbody></table>\n<p>").append(ReportText.html(legend(o))).append("</p>\n");
        o.notes().forEach(n -> sb.append("<p>").append(ReportText.html(n)).append("</p>\n"));
        return sb.append("</section>\n").append(SECTION_END).toString();
    }

    private static Path replace(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }



    static String figure(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Math.abs(v) >= 1000 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.4g", v);
    }

    private static String percent(double v, boolean signed) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (Double.isInfinite(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, signed ? "%+.1f%%" : "%.1f%%", v);
    }
}
