package org.loadperf.core.measure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.loadperf.api.annotation.Api;
import org.loadperf.core.settings.PerfSettings;

/**
 * The commit a run measures: {@code git rev-parse HEAD} (first 8 hex chars) in the working directory, else
 * {@code GIT_COMMIT} or {@code GITHUB_SHA}, else {@code unknown}; dirty when {@code git status} shows changes to
 * tracked files.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public record GitInfo(String commit, boolean dirty) {

    static final GitInfo UNKNOWN = new GitInfo("unknown", false);

    private static volatile GitInfo current;

    /** The commit of the working directory, read once per JVM. */
    public static GitInfo current(PerfSettings settings) {
        GitInfo g = current;
        if (g == null) {
            g = read(settings);
            current = g;
        }
        return g;
    }

    static GitInfo read(PerfSettings settings) {
        String head = run(List.of("git", "rev-parse", "HEAD"));
        if (head != null && head.matches("[0-9a-f]{40,64}")) {
            String status = run(List.of("git", "status", "--porcelain", "--untracked-files=no"));
            return new GitInfo(head.substring(0, 8), status != null && !status.isBlank());
        }
        for (String name : List.of("GIT_COMMIT", "GITHUB_SHA")) {
            String v = settings.get(name).orElse(null);
            if (v != null && v.strip().matches("[0-9a-fA-F]{8,64}")) {
                return new GitInfo(v.strip().substring(0, 8).toLowerCase(java.util.Locale.ROOT), false);
            }
        }
        return UNKNOWN;
    }

    /**
     * The branch a run measures: CI's ({@code GITHUB_HEAD_REF} of a pull request, {@code GITHUB_REF_NAME},
     * {@code CI_COMMIT_REF_NAME}, {@code BRANCH_NAME}), else {@code git rev-parse --abbrev-ref HEAD} (none when
     * detached).
     */
    public static java.util.Optional<String> branch(PerfSettings settings) {
        for (String name : List.of("GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "BRANCH_NAME")) {
            java.util.Optional<String> v = settings.get(name).map(String::strip).filter(b -> !b.isEmpty());
            if (v.isPresent()) {
                return v;
            }
        }
        String head = run(List.of("git", "rev-parse", "--abbrev-ref", "HEAD"));
        return head == null || head.isBlank() || head.equals("HEAD") ? java.util.Optional.empty()
                : java.util.Optional.of(head.strip());
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
