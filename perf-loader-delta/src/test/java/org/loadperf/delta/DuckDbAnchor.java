package org.loadperf.delta;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * DuckDB writing the same rows as snappy Parquet on one thread, timed inside DuckDB's process: the anchor of the
 * large Delta loads. Runs {@code @duckdb/node-api} (installed from the npm registry into {@code target/} on first use)
 * with node; without node or npm, or when the install fails, {@link #rowsPerSecond} says why instead.
 */
final class DuckDbAnchor {

    static final String PACKAGE = "@duckdb/node-api@1.5.6-r.1";
    private static final Path HOME = Paths.get("target", "duckdb-anchor").toAbsolutePath();

    private DuckDbAnchor() {
    }

    /** The result: the median rows/s of the runs, or why there is none. */
    record Result(Optional<Double> rowsPerSecond, String note) {
    }

    /** Writes {@code rows} (uncompressed Parquet as DuckDB's input) and times {@code runs} snappy writes of them. */
    static Result rowsPerSecond(ArrowReader rows, int runs) {
        try {
            Optional<String> missing = install();
            if (missing.isPresent()) {
                return new Result(Optional.empty(), missing.get());
            }
            Path dir = DeltaTables.freshDir("duckdb-anchor");
            Path in = dir.resolve("in");
            Path out = dir.resolve("out");
            Files.createDirectories(in);
            Files.createDirectories(out);
            try {
                PlainParquetWriter.write(rows, in, "UNCOMPRESSED", Long.MAX_VALUE);
                Path script = HOME.resolve("duckdb-anchor.mjs");
                try (InputStream s = DuckDbAnchor.class.getResourceAsStream("/duckdb-anchor.mjs")) {
                    Files.write(script, s.readAllBytes());
                }
                String output = run(List.of("node", script.toString(), in + "/*.parquet", out.toString(),
                        String.valueOf(runs)), 10);
                Matcher m = Pattern.compile("\"rows\":(\\d+),\"seconds\":\\[([^\\]]*)]").matcher(output);
                if (!m.find()) {
                    return new Result(Optional.empty(), "DuckDB anchor failed: " + output.strip());
                }
                long n = Long.parseLong(m.group(1));
                double[] s = Arrays.stream(m.group(2).split(",")).mapToDouble(Double::parseDouble).sorted().toArray();
                return new Result(Optional.of(n / s[s.length / 2]), "DuckDB " + PACKAGE + ", threads=1, snappy, median"
                        + " of " + s.length + " COPY ... TO parquet");
            } finally {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException | RuntimeException e) {
            return new Result(Optional.empty(), "DuckDB anchor failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(Optional.empty(), "DuckDB anchor interrupted");
        }
    }

    /** Installs the package under target/ once; the reason when it cannot. */
    private static Optional<String> install() throws IOException, InterruptedException {
        if (Files.isDirectory(HOME.resolve("node_modules").resolve("@duckdb").resolve("node-api"))) {
            return Optional.empty();
        }
        for (String tool : List.of("node", "npm")) {
            if (!onPath(tool)) {
                return Optional.of("no DuckDB anchor: " + tool + " is not on the PATH");
            }
        }
        Files.createDirectories(HOME);
        String out = run(List.of("npm", "install", "--prefix", HOME.toString(), "--no-audit", "--no-fund",
                "--no-save", PACKAGE), 5);
        if (!Files.isDirectory(HOME.resolve("node_modules").resolve("@duckdb").resolve("node-api"))) {
            return Optional.of("no DuckDB anchor: npm install " + PACKAGE + " failed: " + out.strip());
        }
        return Optional.empty();
    }

    private static String run(List<String> command, int minutes) throws IOException, InterruptedException {
        // Output to a file, so that a hung process is given up after the wait, not read from forever.
        Path log = Files.createTempFile(HOME, "run-", ".log");
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command)).directory(HOME.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                return command.get(0) + " did not finish in " + minutes + " min";
            }
            return Files.readString(log, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(java.io.File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Paths.get(d, program)));
    }
}
