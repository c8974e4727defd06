package org.loadperf.core.measure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.Metric;
import org.loadperf.api.Verdict;
import org.loadperf.core.stats.Statistics;

/**
 * How much the rest of the machine disturbed a run's measured iterations, and whether that can explain a
 * time-based regression.
 *
 * <p>Why: on a shared machine other processes take the CPUs for seconds at a time (under
 * {@code busy-machine} the speed moves 2x within seconds), and a run measured in such a moment is slower without
 * any change of code. Each run records these figures in its store entry ({@value #EXTRAS_KEY}); the next run
 * compares its own with the baseline's. When this run's machine was noticeably slower or less available
 * ({@value #NOTICEABLE_PERCENT}% or more by any figure) a time-based REGRESSION (throughput, duration, CPU seconds)
 * is reported INCONCLUSIVE with the reason, unless its slowdown is far beyond what the interference can explain
 * (more than the square of the explained slowdown factor, times the threshold). Memory and allocations are not
 * slowed by a busy CPU and keep their verdicts.
 *
 * @param speed              median speed of the reference slices timed between the measured iterations (ops/s)
 * @param speedSpreadPercent how far the slices' speed moved within the run: 90th over 10th percentile, minus 1
 * @param cpuShare           the fraction of the time its threads were ready to run that the process got a CPU
 *                           (run / (run + run-queue wait)); 1 on a machine of its own
 * @param cpuPerWall         process CPU time over wall time (CPUs' worth the process used)
 * @param stealPercent       CPU time the hypervisor gave to other machines, % of all
 * @param loadPerCpu         the 1-minute load average per CPU at the end of the measurement
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public record Interference(double speed, double speedSpreadPercent, double cpuShare, double cpuPerWall,
                           double stealPercent, double loadPerCpu) {

    /** The key of the figures in a store entry, beside the guide's fields. */
    public static final String EXTRAS_KEY = "interference";

    /** The smallest slowdown (%) that any figure must explain before a time-based verdict is held back. */
    static final double NOTICEABLE_PERCENT = 10.0;

    /** What the interference explains and why. */
    @Api(status = Api.Status.INTERNAL, since = "0.2")
    public record Finding(double explainedPercent, String reason) {
    }

    /** The figures of the measured iterations between {@code before} and {@code after}, with their slice speeds. */
    public static Interference between(MachineSensor.Counters before, MachineSensor.Counters after,
                                       List<Double> speeds) {
        double speed = Double.NaN;
        double spread = Double.NaN;
        if (!speeds.isEmpty()) {
            double[] s = Statistics.toArray(speeds);
            java.util.Arrays.sort(s);
            speed = Statistics.median(s);
            double low = s[(int) Math.floor(0.1 * (s.length - 1))];
            double high = s[(int) Math.ceil(0.9 * (s.length - 1))];
            spread = low > 0 ? 100.0 * (high / low - 1.0) : Double.NaN;
        }
        long wall = after.wallNanos() - before.wallNanos();
        long run = after.runNanos() - before.runNanos();
        long wait = after.waitNanos() - before.waitNanos();
        double share = before.runNanos() >= 0 && after.runNanos() >= 0 && run + wait > 0
                ? (double) run / (run + wait) : Double.NaN;
        double cpuPerWall = wall > 0 && before.processCpuNanos() >= 0 && after.processCpuNanos() >= 0
                ? (double) (after.processCpuNanos() - before.processCpuNanos()) / wall : Double.NaN;
        long total = after.totalTicks() - before.totalTicks();
        double steal = before.totalTicks() >= 0 && total > 0
                ? 100.0 * (after.stealTicks() - before.stealTicks()) / total : Double.NaN;
        double load = after.loadAverage() >= 0
                ? after.loadAverage() / Runtime.getRuntime().availableProcessors() : Double.NaN;
        return new Interference(speed, spread, share, cpuPerWall, steal, load);
    }

    /** The figures as store extras (absent figures left out). */
    public Map<String, Object> toExtras() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "run_speed_ops_per_sec", speed, "%.0f");
        put(m, "speed_spread_percent", speedSpreadPercent, "%.1f");
        put(m, "cpu_share_percent", 100 * cpuShare, "%.1f");
        put(m, "cpu_per_wall", cpuPerWall, "%.3f");
        put(m, "steal_percent", stealPercent, "%.2f");
        put(m, "load_per_cpu", loadPerCpu, "%.2f");
        return m;
    }

    private static void put(Map<String, Object> m, String key, double value, String format) {
        if (Double.isFinite(value)) {
            m.put(key, Double.parseDouble(String.format(Locale.ROOT, format, value)));
        }
    }

    /** The figures a store entry recorded, if any. */
    public static Optional<Interference> fromExtras(Map<String, Object> extras) {
        if (!(extras.get(EXTRAS_KEY) instanceof Map<?, ?> m)) {
            return Optional.empty();
        }
        return Optional.of(new Interference(num(m, "run_speed_ops_per_sec"), num(m, "speed_spread_percent"),
                num(m, "cpu_share_percent") / 100, num(m, "cpu_per_wall"), num(m, "steal_percent"),
                num(m, "load_per_cpu")));
    }

    private static double num(Map<?, ?> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /**
     * Whether this run's machine ({@code current}) was noticeably slower or busier than the baseline's, and by how
     * much that alone can slow a time-based figure: the largest of the slices' slowdown against the baseline's, the
     * CPU share's drop against the baseline's (against a whole CPU without a baseline record), the speed's spread
     * within either run, and this run's steal.
     */
    public static Optional<Finding> assess(Optional<Interference> baseline, Interference current) {
        List<Finding> found = new ArrayList<>();
        Interference base = baseline.orElse(null);
        if (base != null && base.speed > 0 && current.speed > 0) {
            double slower = 100.0 * (base.speed / current.speed - 1.0);
            found.add(new Finding(slower, String.format(Locale.ROOT, "the machine ran %.0f%% slower than during "
                    + "the baseline (reference slices %s -> %s ops/s)", slower, ops(base.speed), ops(current.speed))));
        }
        if (current.cpuShare > 0) {
            double baseShare = base != null && base.cpuShare > 0 ? base.cpuShare : 1.0;
            double slower = 100.0 * (baseShare / current.cpuShare - 1.0);
            found.add(new Finding(slower, String.format(Locale.ROOT, "this process got %.0f%% of a CPU per busy "
                    + "thread%s", 100 * current.cpuShare, base != null && base.cpuShare > 0
                    ? String.format(Locale.ROOT, " (the baseline's run %.0f%%)", 100 * base.cpuShare)
                    : "")));
        }
        for (Interference run : base == null ? List.of(current) : List.of(current, base)) {
            if (run.speedSpreadPercent > 0) {
                found.add(new Finding(run.speedSpreadPercent, String.format(Locale.ROOT, "the machine's speed moved "
                        + "%.0f%% within %s", run.speedSpreadPercent, run == current ? "this run"
                        : "the baseline's run")));
            }
        }
        if (current.stealPercent > 0 && current.stealPercent < 100) {
            double slower = 100.0 * (1.0 / (1.0 - current.stealPercent / 100.0) - 1.0);
            found.add(new Finding(slower, String.format(Locale.ROOT, "the hypervisor took %.0f%% of the CPUs "
                    + "(steal)", current.stealPercent)));
        }
        return found.stream().filter(f -> f.explainedPercent() >= NOTICEABLE_PERCENT)
                .max(java.util.Comparator.comparingDouble(Finding::explainedPercent));
    }

    /** Whether {@code metric} is slowed by a busy CPU (memory and allocations are not). */
    static boolean timeBased(Metric metric) {
        return switch (metric) {
            case THROUGHPUT, DURATION, CPU_SECONDS -> true;
            case MEMORY, ALLOCATED_BYTES_PER_ROW -> false;
        };
    }

    /**
     * {@code v}, or INCONCLUSIVE with the reason when it is a time-based REGRESSION that {@code finding} can
     * explain: its slowdown factor (baseline/current throughput, current/baseline time) is at most the square of
     * the explained factor times the threshold's.
     */
    public static Verdict guard(Verdict v, Optional<Finding> finding) {
        if (finding.isEmpty() || v.status() != Verdict.Status.REGRESSION || !timeBased(v.metric())) {
            return v;
        }
        double explained = 1.0 + finding.get().explainedPercent() / 100.0;
        double slowdown = v.metric().higherIsBetter() ? v.baseline() / v.current() : v.current() / v.baseline();
        double far = explained * explained * (1.0 + v.thresholdPercent() / 100.0);
        if (slowdown > far) {
            return new Verdict(v.metric(), v.status(), v.regressionPercent(), v.baseline(), v.current(),
                    v.confidenceBound(), v.confidence(), v.thresholdPercent(), v.noisePercent(),
                    v.minDetectablePercent(), v.method(), v.message() + String.format(Locale.ROOT, "; %s, but "
                            + "a %.2fx slowdown is far beyond what that explains", finding.get().reason(), slowdown));
        }
        return new Verdict(v.metric(), Verdict.Status.INCONCLUSIVE, v.regressionPercent(), v.baseline(), v.current(),
                v.confidenceBound(), v.confidence(), v.thresholdPercent(), v.noisePercent(), v.minDetectablePercent(),
                v.method(), v.message() + String.format(Locale.ROOT, "; INCONCLUSIVE, not REGRESSION: %s, which "
                        + "alone can slow it by %.0f%% (interference, not the code)", finding.get().reason(),
                        finding.get().explainedPercent()));
    }

    private static String ops(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    /** A phrase for the run's notes. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (speed > 0) {
            parts.add("reference slices " + ops(speed) + " ops/s"
                    + (speedSpreadPercent >= 0 ? String.format(Locale.ROOT, " (moved %.0f%%)", speedSpreadPercent)
                    : ""));
        }
        if (cpuShare > 0) {
            parts.add(String.format(Locale.ROOT, "CPU share %.0f%% per busy thread", 100 * cpuShare));
        }
        if (cpuPerWall >= 0) {
            parts.add(String.format(Locale.ROOT, "%.2f CPUs used", cpuPerWall));
        }
        if (stealPercent >= 0) {
            parts.add(String.format(Locale.ROOT, "steal %.1f%%", stealPercent));
        }
        if (loadPerCpu >= 0) {
            parts.add(String.format(Locale.ROOT, "load %.2f per CPU", loadPerCpu));
        }
        return String.join(", ", parts);
    }
}
