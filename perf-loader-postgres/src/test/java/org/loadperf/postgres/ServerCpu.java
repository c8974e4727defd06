package org.loadperf.postgres;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * The CPU time (user + system) of every PostgreSQL process on this machine, from {@code /proc/<pid>/stat}: the
 * server's own view of a load without {@code pg_stat_statements} (which needs a restart to load). Read before and
 * after a load, the difference is the work the server did for it (and anything else it did meanwhile).
 */
final class ServerCpu {

    /** Linux's USER_HZ, the unit of the stat file's times: 100 on every architecture Linux supports today. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ServerCpu() {
    }

    /** Seconds of CPU used so far by the processes named {@code postgres}; empty when none is visible here. */
    static OptionalDouble seconds() {
        long ticks = 0;
        int seen = 0;
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                String stat;
                try {
                    stat = Files.readString(p.resolve("stat"));
                } catch (IOException | RuntimeException e) {
                    continue; // the process ended meanwhile
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (open < 0 || close < open || !stat.substring(open + 1, close).startsWith("postgres")) {
                    continue;
                }
                String[] rest = stat.substring(close + 2).split(" ");
                ticks += Long.parseLong(rest[11]) + Long.parseLong(rest[12]); // utime, stime (fields 14 and 15)
                seen++;
            }
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty(); // no /proc: not Linux
        }
        return seen == 0 ? OptionalDouble.empty() : OptionalDouble.of(ticks / TICKS_PER_SECOND);
    }
}
