package org.loadperf.core.verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;
import org.loadperf.api.Verdict;
import org.loadperf.core.measure.MachineCalibration;
import org.loadperf.core.stats.Statistics;

/**
 * A correction for how fast the machine itself was during two runs, learned from the benchmark's own history.
 *
 * <p>Why: on a shared machine the same code, run a minute later in another JVM, is often 10% slower because
 * something else took the CPUs or the memory bandwidth, not because of the code. Every run times short slices of a
 * fixed reference workload between its measured iterations ({@link MachineCalibration#slice()}) and records their
 * median as {@value MachineCalibration#RUN_SPEED_KEY} in its fingerprint. On this project's 2-core machine the
 * figures of separate runs followed that speed with a correlation of about 0.7 (the CPU workload and the PostgreSQL
 * load of the verdict validation, 14 JVMs each), so part of the run-to-run noise can be taken out.
 *
 * <p>Method: over the runs that estimate the run-to-run noise ({@link RunToRunNoise#comparable}), the successive
 * differences of the log figures {@code dy} and of the log run speeds {@code dx}; the sensitivity {@code beta} is
 * the least-squares slope of {@code dy} on {@code dx} through the origin (1: the figure moves with the machine, 0: it
 * does not care). The residual run-to-run noise is the root mean square of {@code dy - beta * dx}, one degree of
 * freedom fewer. The correction is used only where it clearly pays: {@code beta} of the sign the metric must have
 * (throughput rises with speed, times fall; memory is never corrected) and the residual variance at most
 * {@value #MAX_VARIANCE_RATIO} of the uncorrected one. The current samples are then scaled by
 * {@code (baseline speed / current speed)^beta}, what they would have been on the machine as fast as during the
 * baseline's run, and compared with the residual noise.
 *
 * @param sensitivity        beta
 * @param factor             the factor the current samples are multiplied by
 * @param speedChangePercent how much slower (positive) the machine was during this run than during the baseline's
 * @param rawNoise           the run-to-run noise (%) without the correction
 * @param noise              the run-to-run noise after it
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public record SpeedAdjustment(double sensitivity, double factor, double speedChangePercent, double rawNoise,
                       RunToRunNoise noise) {

    /** The largest residual / uncorrected variance ratio at which the correction is used. */
    static final double MAX_VARIANCE_RATIO = 0.8;

    /**
     * The correction for comparing a run at {@code currentSpeed} with {@code baseline}, if the history shows that
     * {@code metric} follows the machine's speed.
     */
    public static Optional<SpeedAdjustment> estimate(Metric metric, List<BenchmarkRecord> history, long datasetSize,
                                              Map<String, String> fingerprint, int window, int minRuns,
                                              BenchmarkRecord baseline, double currentSpeed) {
        int expectedSign = expectedSign(metric);
        double baselineSpeed = MachineCalibration.number(baseline.fingerprint(), MachineCalibration.RUN_SPEED_KEY);
        if (expectedSign == 0 || !(baselineSpeed > 0) || !(currentSpeed > 0)) {
            return Optional.empty();
        }
        List<double[]> points = new ArrayList<>();
        for (BenchmarkRecord r : RunToRunNoise.comparable(metric, history, datasetSize, fingerprint, window)) {
            double speed = MachineCalibration.number(r.fingerprint(), MachineCalibration.RUN_SPEED_KEY);
            if (speed > 0) {
                points.add(new double[] {Math.log(speed), Math.log(r.value(metric).getAsDouble())});
            }
        }
        int n = points.size() - 1;
        if (points.size() < minRuns || n < 3) {
            return Optional.empty();
        }
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 1; i <= n; i++) {
            double dx = points.get(i)[0] - points.get(i - 1)[0];
            double dy = points.get(i)[1] - points.get(i - 1)[1];
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0) {
            return Optional.empty();
        }
        double beta = sxy / sxx;
        double rawVariance = syy / n;
        double residualVariance = Math.max(0, syy - beta * sxy) / (n - 1);
        if (Math.signum(beta) != expectedSign || residualVariance > MAX_VARIANCE_RATIO * rawVariance) {
            return Optional.empty();
        }
        double factor = Math.pow(baselineSpeed / currentSpeed, beta);
        RunToRunNoise residual = new RunToRunNoise(100.0 * Math.sqrt(residualVariance), n + 1, true, 1);
        return Optional.of(new SpeedAdjustment(beta, factor, 100.0 * (baselineSpeed / currentSpeed - 1.0),
                100.0 * Math.sqrt(rawVariance), residual));
    }

    /**
     * {@code values} (one per run of {@code runs}, oldest first) as they would have been at the runs' median machine
     * speed, when the runs show that {@code metric} follows the speed (the slope of the log figures on the log speeds,
     * of the metric's sign, taking away at least a fifth of their variance); else empty. Why: the change-point search
     * sees a machine that drifts by 20% over an hour as well as a change in the code, and the drift hides a 10% shift
     * (measured: docs/verdict-validation.md, 2026-11-30).
     */
    public static Optional<double[]> atMedianSpeed(Metric metric, List<BenchmarkRecord> runs, double[] values) {
        int expectedSign = expectedSign(metric);
        if (expectedSign == 0 || runs.size() != values.length || runs.size() < 6) {
            return Optional.empty();
        }
        double[] speeds = new double[runs.size()];
        List<double[]> points = new ArrayList<>(runs.size());
        for (int i = 0; i < speeds.length; i++) {
            speeds[i] = MachineCalibration.number(runs.get(i).fingerprint(), MachineCalibration.RUN_SPEED_KEY);
            if (!(speeds[i] > 0) || !(values[i] > 0)) {
                return Optional.empty();
            }
            points.add(new double[] {Math.log(speeds[i]), Math.log(values[i])});
        }
        // levels, not successive differences: over a history the machine's drift is large against the noise of
        // its timed speed, so the slope is not flattened by that noise (differences flattened it to about 0.7)
        double mx = 0;
        double my = 0;
        for (double[] p : points) {
            mx += p[0] / points.size();
            my += p[1] / points.size();
        }
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (double[] p : points) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
            syy += (p[1] - my) * (p[1] - my);
        }
        if (sxx == 0) {
            return Optional.empty();
        }
        double beta = sxy / sxx;
        if (Math.signum(beta) != expectedSign || syy - beta * sxy > MAX_VARIANCE_RATIO * syy) {
            return Optional.empty();
        }
        double median = Statistics.median(speeds.clone());
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i] * Math.pow(median / speeds[i], beta);
        }
        return Optional.of(out);
    }

    /** The sign a metric's slope on the machine's speed must have: throughput rises with it, times fall; 0: never. */
    private static int expectedSign(Metric metric) {
        return switch (metric) {
            case THROUGHPUT -> 1;
            case DURATION, CPU_SECONDS -> -1;
            case MEMORY, ALLOCATED_BYTES_PER_ROW -> 0;
        };
    }

    /**
     * The verdict of a corrected comparison, given what the uncorrected one said: a correction may explain a change
     * away, but it alone never makes a REGRESSION. When the figures as measured are within the threshold (the
     * uncorrected verdict OK or IMPROVED), a corrected REGRESSION is INCONCLUSIVE. Why: the speed of the reference
     * slices and the benchmark's can part for a run (measured: a CPU workload whose run met a machine 13% faster by
     * the slices, its own figures unchanged, came out a 16.8% REGRESSION after the correction; README, "The
     * validation"), and a false alarm costs more than a late one.
     */
    public static Verdict guard(Verdict corrected, Verdict uncorrected) {
        if (corrected.status() != Verdict.Status.REGRESSION || uncorrected.status() == Verdict.Status.REGRESSION
                || uncorrected.status() == Verdict.Status.INCONCLUSIVE) {
            return corrected;
        }
        return new Verdict(corrected.metric(), Verdict.Status.INCONCLUSIVE, corrected.regressionPercent(),
                corrected.baseline(), corrected.current(), corrected.confidenceBound(), corrected.confidence(),
                corrected.thresholdPercent(), corrected.noisePercent(), corrected.minDetectablePercent(),
                corrected.method(), corrected.message() + String.format(Locale.ROOT, "; a regression only after the "
                        + "machine-speed correction: as measured, %s is %.1f%% %s, within the threshold, so this is "
                        + "not called a REGRESSION", corrected.metric().displayName(),
                Math.abs(uncorrected.regressionPercent()), uncorrected.regressionPercent() >= 0 ? "worse" : "better"));
    }

    /** The current samples as they would have been at the baseline run's machine speed. */
    public List<Double> apply(List<Double> samples) {
        return samples.stream().map(x -> x * factor).toList();
    }

    /** A phrase for verdict notes. */
    public String describe(Metric metric) {
        return String.format(Locale.ROOT, "%s corrected for the machine's speed during the runs (%.1f%% %s than "
                        + "during the baseline's, sensitivity %.2f: current figures x %.3f; run-to-run noise %.1f%% "
                        + "-> %.1f%% over the last %d runs)", metric.displayName(), Math.abs(speedChangePercent),
                speedChangePercent >= 0 ? "slower" : "faster", sensitivity, factor, rawNoise, noise.percent(),
                noise.runs());
    }
}
