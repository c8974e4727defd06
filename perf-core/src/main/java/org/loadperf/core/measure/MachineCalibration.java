package org.loadperf.core.measure;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.loadperf.api.annotation.Api;

/**
 * How fast this machine runs a short, fixed reference workload (CPU and memory: fill, sort and hash an array,
 * build strings, fill a hash map), in reference operations per second: {@code calibration_ops_per_sec} in a run's
 * fingerprint. Timed once per JVM (cached; about 50-100 ms on a 2-core machine) as the best of three rounds, since
 * the best round is the one least disturbed by other processes.
 *
 * <p>When a baseline comes from another machine, throughput is compared after scaling the baseline by the ratio of
 * the two machines' calibrations (see {@link #normalisation(Map, Map)}).
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class MachineCalibration {

    /** The fingerprint key. */
    public static final String KEY = "calibration_ops_per_sec";

    /** Reference operations per round: one operation is one array element filled, sorted and hashed. */
    static final int OPERATIONS = 200_000;

    private static volatile double cached = Double.NaN;
    private static volatile long sink;

    private MachineCalibration() {
    }

    /** This JVM's calibration, timed on first use. */
    public static double opsPerSecond() {
        double c = cached;
        if (Double.isNaN(c)) {
            synchronized (MachineCalibration.class) {
                c = cached;
                if (Double.isNaN(c)) {
                    c = measure(3);
                    cached = c;
                }
            }
        }
        return c;
    }

    /**
     * The fingerprint key of a run's own speed: the median of {@link #slice()}s timed between its measured
     * iterations, in reference operations per second. Unlike {@link #KEY} (the best of three rounds, once per JVM:
     * the machine at its fastest), it is how fast the machine was while this run measured, slowed by whatever
     * else shared it; see {@code verdict.SpeedAdjustment}.
     */
    public static final String RUN_SPEED_KEY = "run_speed_ops_per_sec";

    /** Reference operations per slice: about 5 ms on a 2-core machine. */
    static final int SLICE_OPERATIONS = 50_000;

    /** Times one slice of the reference workload ({@value #SLICE_OPERATIONS} operations); operations per second. */
    static double slice() {
        long t0 = System.nanoTime();
        workload(SLICE_OPERATIONS);
        return SLICE_OPERATIONS / ((System.nanoTime() - t0) / 1e9);
    }

    /** Times {@code rounds} rounds of the reference workload (after one untimed round) and returns the best. */
    static double measure(int rounds) {
        workload(OPERATIONS / 4);
        long best = Long.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            workload(OPERATIONS);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return OPERATIONS / (best / 1e9);
    }

    /** The reference workload: {@code n} operations of fixed CPU and memory work; deterministic. */
    static long workload(int n) {
        long[] a = new long[n];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < n; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            a[i] = x >>> 11;
        }
        Arrays.sort(a);
        Map<Long, Long> counts = new HashMap<>();
        for (int i = 0; i < n; i += 8) {
            counts.merge(a[i] % 4099, 1L, Long::sum);
        }
        long acc = 0;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i += 16) {
            sb.setLength(0);
            sb.append("user_").append(i % 1000).append("_description_").append(a[i]);
            acc += sb.toString().hashCode();
        }
        long result = acc + counts.size() + a[n / 2];
        sink = result;
        return result;
    }

    /**
     * The factor that scales a baseline's throughput to the current machine: current calibration / baseline
     * calibration. NaN when either fingerprint has no valid calibration.
     */
    public static double normalisation(Map<String, String> baseline, Map<String, String> current) {
        double b = parse(baseline.get(KEY));
        double c = parse(current.get(KEY));
        return b > 0 && c > 0 ? c / b : Double.NaN;
    }

    /** The number under {@code key} in a fingerprint; NaN when absent or not a number. */
    public static double number(Map<String, String> fingerprint, String key) {
        return parse(fingerprint.get(key));
    }

    private static double parse(String v) {
        if (v == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
