package org.loadperf.core.measure;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.loadperf.api.annotation.Api;

/**
 * What the runner reads from the machine besides the benchmark: cumulative counters of how much CPU this process
 * got and how busy the machine was, and the speed of a slice of the reference workload. The runner reads the
 * counters before and after its measured iterations ({@link Interference#between}); tests substitute a sensor of
 * fixed figures so that no verdict they assert depends on the machine they run on.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public interface MachineSensor {

    /**
     * Cumulative counters at one moment; a counter the platform does not offer is -1.
     *
     * @param wallNanos        the runner's clock
     * @param processCpuNanos  CPU time of the whole process ({@code OperatingSystemMXBean})
     * @param runNanos         time the process's threads ran on a CPU ({@code /proc/self/task/{@literal *}/schedstat})
     * @param waitNanos        time they were ready to run but waited for a CPU (same source)
     * @param stealTicks       ticks the hypervisor gave this machine's CPUs to others ({@code /proc/stat})
     * @param totalTicks       all ticks of the machine's CPUs (same source)
     * @param loadAverage      the 1-minute load average
     */
    @Api(status = Api.Status.INTERNAL, since = "0.2")
    record Counters(long wallNanos, long processCpuNanos, long runNanos, long waitNanos, long stealTicks,
                    long totalTicks, double loadAverage) {
    }

    Counters read();

    /** Times one slice of the reference workload; reference operations per second. */
    double sliceSpeed();

    /** This machine, read through the JVM and Linux's {@code /proc} (counters absent elsewhere are -1). */
    static MachineSensor system(java.util.function.LongSupplier clock) {
        return new SystemSensor(clock);
    }

    /** The sensor of the machine, with {@code clock} as its wall clock. */
    @Api(status = Api.Status.INTERNAL, since = "0.2")
    final class SystemSensor implements MachineSensor {
        private static final com.sun.management.OperatingSystemMXBean OS =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private static final Path TASKS = Path.of("/proc/self/task");
        private static final Path STAT = Path.of("/proc/stat");
        private final java.util.function.LongSupplier clock;

        SystemSensor(java.util.function.LongSupplier clock) {
            this.clock = clock;
        }

        @Override
        public Counters read() {
            long[] sched = schedstat();
            long[] ticks = stat();
            return new Counters(clock.getAsLong(), OS.getProcessCpuTime(), sched[0], sched[1], ticks[0], ticks[1],
                    OS.getSystemLoadAverage());
        }

        @Override
        public double sliceSpeed() {
            return MachineCalibration.slice();
        }

        /** Run and wait nanoseconds summed over the process's threads; -1, -1 without schedstat. */
        private static long[] schedstat() {
            long run = 0;
            long wait = 0;
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
                for (Path task : tasks) {
                    try {
                        String[] f = Files.readString(task.resolve("schedstat")).trim().split("\\s+");
                        run += Long.parseLong(f[0]);
                        wait += Long.parseLong(f[1]);
                    } catch (IOException | RuntimeException ended) {
                        // a thread that ended between the listing and the read: its time is no longer counted
                    }
                }
            } catch (IOException | RuntimeException e) {
                return new long[] {-1, -1};
            }
            return new long[] {run, wait};
        }

        /** Steal and total ticks of all CPUs; -1, -1 without {@code /proc/stat}. */
        private static long[] stat() {
            try {
                List<String> lines = Files.readAllLines(STAT);
                String[] f = lines.get(0).trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                    total += Long.parseLong(f[i]);
                }
                return new long[] {f.length > 8 ? Long.parseLong(f[8]) : 0, total};
            } catch (IOException | RuntimeException e) {
                return new long[] {-1, -1};
            }
        }
    }
}
