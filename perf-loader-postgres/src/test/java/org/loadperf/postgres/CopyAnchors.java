package org.loadperf.postgres;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.core.dataset.PerfDatasets;
import org.loadperf.core.settings.PerfSettings;

/**
 * The same-run anchors of the PostgreSQL suite, both loading the loader's rows into the same server:
 * {@code psql \copy} from a CSV file (what a user would do by hand), and the server's own
 * {@code COPY ... FROM '<file>' (FORMAT binary)} of a file it wrote itself with {@code COPY ... TO} (the physical
 * limit of one connection: no client, no network, no parsing of text). Each is skipped with a printed reason where it
 * cannot run (no psql on the PATH; a server that cannot see this machine's files or may not read server files).
 */
final class CopyAnchors implements AutoCloseable {

    /** One anchor's timed runs: rows/s and WAL bytes per run. */
    static final class Runs {
        final List<Double> rowsPerSecond = new ArrayList<>();
        final List<Double> walBytes = new ArrayList<>();
        /** The server's CPU seconds per run, where its processes are visible here ({@link ServerCpu}). */
        final List<Double> serverCpuSeconds = new ArrayList<>();
        final String skipped;

        Runs(String skipped) {
            this.skipped = skipped;
        }

        Optional<Double> median() {
            return rowsPerSecond.isEmpty() ? Optional.empty() : Optional.of(median(rowsPerSecond));
        }

        static double median(List<Double> values) {
            List<Double> v = new ArrayList<>(values);
            v.sort(Double::compare);
            int n = v.size();
            return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
        }
    }

    private final PostgresTestServer server;
    private final long rows;
    private final String psqlTable;
    private final String fileTable;
    private final Path csv;
    private final Path dir;
    private final Path binary;
    private final Optional<Path> psql;
    /** Why an anchor cannot run here, or null. */
    String psqlSkipped;
    String fileSkipped;

    /** Writes the CSV file and the server's binary file of {@code rows} rows; creates the two anchor tables. */
    CopyAnchors(PostgresTestServer server, long rows, Supplier<Loader> loaders, List<String> tablesToDrop)
            throws Exception {
        this.server = server;
        this.rows = rows;
        this.psqlTable = PostgresTestServer.uniqueName("perf_psql_anchor");
        this.fileTable = PostgresTestServer.uniqueName("perf_file_anchor");
        tablesToDrop.add(psqlTable);
        tablesToDrop.add(fileTable);
        this.psql = onPath("psql");
        this.csv = Files.createTempFile("loadperf-anchor", ".csv");
        // The server writes and reads the binary file itself, as its own OS user: the directory must let it in.
        this.dir = Files.createTempDirectory("loadperf-anchor");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        this.binary = dir.resolve("rows.bin");
        try (BufferAllocator allocator = new RootAllocator();
             ArrowReader source = PerfDatasets.performance(allocator, rows, PerfDatasets.DEFAULT_BATCH_SIZE);
             Loader loader = loaders.get()) {
            writeCsv(source, csv);
            for (String t : List.of(psqlTable, fileTable)) {
                try (VectorSchemaRoot empty = VectorSchemaRoot.create(PerfDatasets.performanceSchema(), allocator)) {
                    empty.setRowCount(0);
                    loader.loadBatch(empty, t, LoadMode.APPEND);
                }
            }
        }
        if (psql.isEmpty()) {
            psqlSkipped = "psql not on PATH";
            fileSkipped = "needs psql's rows to write the binary file; psql not on PATH";
            return;
        }
        runPsql(); // also fills psqlTable, the source of the binary file
        try {
            exec("COPY " + TablePlan.quote(psqlTable) + " TO '" + binary + "' (FORMAT binary)");
            if (!Files.exists(binary)) {
                fileSkipped = "the server does not share this machine's file system (its COPY TO wrote no " + binary
                        + " here)";
            }
        } catch (SQLException e) {
            fileSkipped = "the server cannot write or read server-side files (" + e.getMessage().strip()
                    + "): needs superuser or pg_write_server_files/pg_read_server_files";
        }
    }

    /** One round: psql \copy, then the server's binary COPY from the file; each timed and recorded. */
    void round(Runs psqlRuns, Runs fileRuns) throws Exception {
        if (psqlSkipped == null) {
            double[] r = runPsql();
            psqlRuns.rowsPerSecond.add(r[0]);
            psqlRuns.walBytes.add(r[1]);
        }
        if (fileSkipped == null) {
            exec("TRUNCATE TABLE " + TablePlan.quote(fileTable));
            try (Connection c = server.connect(); Statement st = c.createStatement()) {
                long wal0 = walLsn(st);
                java.util.OptionalDouble cpu0 = ServerCpu.seconds();
                long t0 = System.nanoTime();
                st.execute("COPY " + TablePlan.quote(fileTable) + " FROM '" + binary + "' (FORMAT binary)");
                double seconds = (System.nanoTime() - t0) / 1e9;
                java.util.OptionalDouble cpu1 = ServerCpu.seconds();
                if (cpu0.isPresent() && cpu1.isPresent()) {
                    fileRuns.serverCpuSeconds.add(cpu1.getAsDouble() - cpu0.getAsDouble());
                }
                fileRuns.walBytes.add((double) (walLsn(st) - wal0));
                fileRuns.rowsPerSecond.add(rows / seconds);
            }
            check(fileTable);
        }
    }

    Runs newPsqlRuns() {
        return new Runs(psqlSkipped);
    }

    Runs newFileRuns() {
        return new Runs(fileSkipped);
    }

    /** {@code pg_current_wal_insert_lsn()} as a byte position. */
    static long walLsn(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private double[] runPsql() throws Exception {
        exec("TRUNCATE TABLE " + TablePlan.quote(psqlTable));
        ProcessBuilder pb = new ProcessBuilder(psql.orElseThrow().toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "-h", server.host(), "-p", String.valueOf(server.port()), "-U", server.user(),
                "-d", server.database(), "-c", "\\copy " + TablePlan.quote(psqlTable) + " FROM '" + csv
                + "' WITH (FORMAT csv)");
        PerfSettings.load().get("POSTGRES_PASSWORD").filter(p -> !p.isEmpty())
                .ifPresent(p -> pb.environment().put("PGPASSWORD", p));
        pb.redirectErrorStream(true);
        long wal0;
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            wal0 = walLsn(st);
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) {
            throw new IllegalStateException("psql \\copy failed (exit " + rc + "): " + out);
        }
        long wal1;
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            wal1 = walLsn(st);
        }
        check(psqlTable);
        return new double[] {rows / seconds, wal1 - wal0};
    }

    private void check(String table) throws SQLException {
        try (Connection c = server.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + TablePlan.quote(table))) {
            rs.next();
            if (rs.getLong(1) != rows) {
                throw new IllegalStateException("anchor table " + table + " holds " + rs.getLong(1) + " rows, not "
                        + rows);
            }
        }
    }

    private void exec(String sql) throws SQLException {
        try (Connection c = server.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** "psql \copy: 612,345 rows/s (median of 4); loader/psql 1.23" or the reason it was skipped. */
    static String ratioLine(String name, Runs runs, double loader) {
        return runs.median().map(m -> String.format("%s: %,.0f rows/s (median of %d); loader/anchor ratio %.2f",
                name, m, runs.rowsPerSecond.size(), loader / m)).orElse(name + ": skipped, " + runs.skipped);
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(csv);
        Files.deleteIfExists(binary);
        Files.deleteIfExists(dir);
    }

    static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(d, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Writes the reader's rows as CSV in the table's column order (PostgreSQL's CSV quoting). */
    static void writeCsv(ArrowReader source, Path csv) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            StringBuilder line = new StringBuilder();
            while (source.loadNextBatch()) {
                VectorSchemaRoot root = source.getVectorSchemaRoot();
                List<FieldVector> vectors = root.getFieldVectors();
                for (int i = 0; i < root.getRowCount(); i++) {
                    line.setLength(0);
                    for (int c = 0; c < vectors.size(); c++) {
                        if (c > 0) {
                            line.append(',');
                        }
                        FieldVector v = vectors.get(c);
                        if (v.isNull(i)) {
                            continue;
                        }
                        if (v instanceof BigIntVector x) {
                            line.append(x.get(i));
                        } else if (v instanceof Float8Vector x) {
                            line.append(x.get(i));
                        } else if (v instanceof BitVector x) {
                            line.append(x.get(i) != 0 ? 't' : 'f');
                        } else if (v instanceof TimeStampVector x) {
                            long micros = x.get(i);
                            line.append(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                                    Math.floorMod(micros, 1_000_000L) * 1000L));
                        } else if (v instanceof VarCharVector x) {
                            String s = new String(x.get(i), StandardCharsets.UTF_8);
                            line.append('"').append(s.replace("\"", "\"\"")).append('"');
                        } else {
                            throw new IllegalStateException("unexpected column " + v.getField());
                        }
                    }
                    w.write(line.append('\n').toString());
                }
            }
        }
    }
}
