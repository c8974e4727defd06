package org.loadperf.core.verdict;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.api.Metric;
import org.loadperf.api.Threshold;
import org.loadperf.api.Thresholds;
import org.loadperf.api.Verdict;
import org.loadperf.core.measure.Interference;
import org.loadperf.core.measure.MachineCalibration;
import org.loadperf.core.measure.MachineFingerprint;
import org.loadperf.core.measure.MetricReading;
import org.loadperf.core.settings.RunnerSettings;

/**
 * The one way loadperf judges a run against its baseline: per compared metric, the samples against the baseline's
 * (normalised when the machine differs), with the run-to-run noise of the history, corrected for the machine's
 * speed where the history shows the benchmark follows it, held back when other work explains a slowdown, then
 * the memory floor; afterwards a sustained shift in the history may carry a REGRESSION (change points). The runner
 * judges its runs with it and the HTML report re-judges history with it, so both say the same.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class BaselineComparison {

    private final VerdictEngine engine;
    private final Set<Metric> compared;
    private final double runNoisePrior;
    private final int noiseWindow;
    private final boolean speedCorrection;
    private final double memoryFloorMb;

    /**
     * @param confidence      one-sided confidence a REGRESSION needs
     * @param compared        the metrics that get verdicts
     * @param runNoisePrior   the run-to-run noise (%) assumed until the history has enough runs to measure it
     * @param noiseWindow     the latest runs that estimate the run-to-run noise
     * @param speedCorrection whether verdicts correct for the machine's speed timed during each run
     * @param memoryFloorMb   the smallest memory change (MB) that is not OK
     */
    public BaselineComparison(double confidence, Set<Metric> compared, double runNoisePrior, int noiseWindow,
                              boolean speedCorrection, double memoryFloorMb) {
        this.engine = new VerdictEngine(confidence);
        this.compared = EnumSet.copyOf(compared);
        this.runNoisePrior = runNoisePrior;
        this.noiseWindow = noiseWindow;
        this.speedCorrection = speedCorrection;
        this.memoryFloorMb = memoryFloorMb;
    }

    /** The comparison {@code settings} describe, for {@code compared} metrics. */
    public static BaselineComparison of(RunnerSettings settings, Set<Metric> compared) {
        return new BaselineComparison(settings.confidence(), compared, settings.runNoise(), settings.noiseWindow(),
                settings.speedCorrection(), settings.memoryFloorMb());
    }

    /**
     * {@code run} judged as the runner judged it when it ran: against {@code before} (the run before it, taken as
     * its baseline), with {@code earlier} (the runs before it) as its history; the HTML report marks its charts
     * with it. Change points are left out: the report draws them itself, from the same search.
     */
    public List<Verdict> rejudge(BenchmarkRecord run, BenchmarkRecord before, List<BenchmarkRecord> earlier,
                                 Thresholds thresholds) {
        double speed = MachineCalibration.number(run.fingerprint(), MachineCalibration.RUN_SPEED_KEY);
        return judge(run, speed, thresholds, Interference.fromExtras(run.extras()), Optional.of(before), earlier)
                .verdicts();
    }

    /** The one-sided confidence a REGRESSION needs. */
    public double confidence() {
        return engine.confidence();
    }

    /** The smallest memory change (MB) that is not OK. */
    public double memoryFloorMb() {
        return memoryFloorMb;
    }

    /** The metrics that get verdicts. */
    public Set<Metric> compared() {
        return EnumSet.copyOf(compared);
    }

    /** What {@link #judge} found: a verdict per compared metric and the notes that explain them. */
    @Api(status = Api.Status.INTERNAL, since = "0.2")
    public record Judgement(List<Verdict> verdicts, List<String> notes) {
    }

    /**
     * Judges {@code current} (a run's figures, samples and fingerprint; {@code speed} the machine's speed it timed,
     * ops/s, NaN for none) against
     * {@code baseline}, with {@code history} (the earlier runs of the benchmark) for the run-to-run noise and the
     * speed correction; {@code machine} is what the sensors saw during the run, if anything. Change points are a
     * separate step ({@link #withHistory}) because the runner confirms a verdict before it looks at the history.
     */
    public Judgement judge(BenchmarkRecord current, double speed, Thresholds thresholds,
                           Optional<Interference> machine, Optional<BenchmarkRecord> baseline,
                           List<BenchmarkRecord> history) {
        Objects.requireNonNull(current, "current is null");
        Map<String, String> fingerprint = current.fingerprint();
        List<String> notes = new ArrayList<>();
        List<Verdict> list = new ArrayList<>();
        double factor = Double.NaN;
        if (baseline.isPresent()) {
            BenchmarkRecord base = baseline.get();
            Map<String, String> diff = MachineFingerprint.differences(base.fingerprint(), fingerprint);
            if (!diff.isEmpty()) {
                factor = MachineCalibration.normalisation(base.fingerprint(), fingerprint);
                notes.add("the baseline (" + base.gitCommit() + ") was measured on another machine: " + diff
                        + (Double.isNaN(factor) ? "; it has no calibration, so figures are compared as they are"
                        : String.format(Locale.ROOT, "; throughput and duration are compared after "
                                + "normalising by the machines' calibration (%s -> %s %s, factor %.3f)",
                        base.fingerprint().get(MachineCalibration.KEY), fingerprint.get(MachineCalibration.KEY),
                        MachineCalibration.KEY, factor)));
            }
        }
        List<String> noiseNotes = new ArrayList<>();
        Optional<Interference.Finding> interference = baseline.isPresent() && machine.isPresent()
                ? Interference.assess(Interference.fromExtras(baseline.get().extras()), machine.get())
                : Optional.empty();
        for (Metric m : compared) {
            double median = current.value(m).orElse(Double.NaN);
            if (m == Metric.ALLOCATED_BYTES_PER_ROW && current.samples(m).isEmpty() && current.value(m).isEmpty()) {
                list.add(noBaseline(m, Double.NaN, thresholds, "no rows: the body returned 0 rows in every "
                        + "iteration, so there is no allocation per row"));
                continue;
            }
            if (baseline.isEmpty()) {
                list.add(noBaseline(m, median, thresholds, "no baseline yet: this run becomes it"));
                continue;
            }
            BenchmarkRecord base = baseline.get();
            if (base.datasetSize() != current.datasetSize()) {
                list.add(noBaseline(m, median, thresholds, "the baseline measured " + base.datasetSize()
                        + " rows, this run " + current.datasetSize() + ": not compared"));
                continue;
            }
            if (base.value(m).isEmpty()) {
                list.add(noBaseline(m, median, thresholds, "the baseline has no " + m.key()));
                continue;
            }
            double scale = Double.isNaN(factor) ? 1.0 : normalisation(m, factor);
            List<Double> baseSamples = (base.samples(m).isEmpty() ? List.of(base.value(m).getAsDouble())
                    : base.samples(m)).stream().map(x -> x * scale).toList();
            List<Double> samples = current.samples(m).isEmpty() && current.value(m).isPresent()
                    ? List.of(current.value(m).getAsDouble()) : current.samples(m);
            RunToRunNoise noise = RunToRunNoise.estimate(m, history, current.datasetSize(), fingerprint,
                    noiseWindow, RunnerSettings.MIN_NOISE_RUNS, MemoryNoise.prior(m, baseSamples, samples,
                            runNoisePrior));
            Optional<SpeedAdjustment> adjustment = Double.isNaN(factor) && speedCorrection
                    ? SpeedAdjustment.estimate(m, history, current.datasetSize(), fingerprint, noiseWindow,
                    RunnerSettings.MIN_NOISE_RUNS, base, speed) : Optional.empty();
            double baseFigure = base.value(m).getAsDouble() * scale;
            Threshold t = thresholds.of(m);
            Verdict v;
            if (adjustment.isPresent()) {
                SpeedAdjustment adj = adjustment.get();
                Verdict uncorrected = engine.compare(m, baseSamples, baseFigure, samples, t, noise);
                v = SpeedAdjustment.guard(engine.compare(m, baseSamples, baseFigure, adj.apply(samples), t,
                        adj.noise()), uncorrected);
                // Said whenever it decides something, so that a reader sees what the raw figures alone said.
                if (v.status() != uncorrected.status() || v.status() != Verdict.Status.OK) {
                    notes.add(adj.describe(m) + "; uncorrected: " + uncorrected.status() + String.format(
                            Locale.ROOT, ", %.1f%% %s", Math.abs(uncorrected.regressionPercent()),
                            uncorrected.regressionPercent() >= 0 ? "worse" : "better"));
                }
            } else {
                noiseNotes.add(m.displayName() + " " + noise.describe());
                v = engine.compare(m, baseSamples, baseFigure, samples, t, noise);
            }
            v = Interference.guard(VerdictEngine.allocationFloor(VerdictEngine.floor(v, memoryFloorMb),
                    current.datasetSize(), memoryFloorMb), interference);
            list.add(v);
            mdeWarning(v, memoryFloorMb).ifPresent(notes::add);
        }
        if (interference.isPresent() && list.stream().anyMatch(v -> v.status() != Verdict.Status.OK
                && v.status() != Verdict.Status.NO_BASELINE)) {
            notes.add("interference: " + interference.get().reason() + " (this run: " + machine.get().describe()
                    + ")");
        }
        if (!noiseNotes.isEmpty() && list.stream().anyMatch(v -> v.status() != Verdict.Status.OK)) {
            notes.add(String.join("; ", noiseNotes));
        }
        return new Judgement(list, notes);
    }

    /**
     * {@code verdicts} of {@code draft} after a look at the history: a sustained shift may carry the REGRESSION
     * one noisy run could not, and a shift already reported does not fire again (see {@link ChangePointVerdicts}).
     */
    public List<Verdict> withHistory(List<Verdict> verdicts, List<BenchmarkRecord> history, BenchmarkRecord draft,
                                     Optional<BenchmarkRecord> baseline, Thresholds thresholds, List<String> notes) {
        return ChangePointVerdicts.apply(verdicts, history, draft, baseline, thresholds, notes, memoryFloorMb);
    }

    /**
     * The paired verdict of {@code metric}: {@code candidate} against {@code baseline}, iteration by iteration, with
     * the memory and allocation floors the between-runs verdict has ({@code rows} per load).
     */
    public Verdict paired(Metric metric, List<Double> baseline, List<Double> candidate, Threshold threshold,
                          long rows) {
        return VerdictEngine.allocationFloor(VerdictEngine.floor(engine.comparePaired(metric, baseline, candidate,
                threshold), memoryFloorMb), rows, memoryFloorMb);
    }

    /** How a metric scales with machine speed: throughput with it, times against it, memory not at all. */
    public static double normalisation(Metric m, double factor) {
        return MetricReading.of(m).scale(factor);
    }

    /**
     * The warning for a threshold below what the comparison can detect, e.g. "throughput: 5% threshold, but this
     * benchmark's noise hides changes under 12%".
     */
    public static Optional<String> mdeWarning(Verdict v) {
        return mdeWarning(v, 0);
    }

    /**
     * {@link #mdeWarning(Verdict)}, but none for a memory figure so small that a change of the threshold's size is
     * under {@code memoryFloorMb}: such a change is OK whatever the noise (PERF_MEMORY_FLOOR_MB), so the percentage
     * the noise hides says nothing (it read "hides changes under 54908%" for a loader holding 2 KB).
     */
    public static Optional<String> mdeWarning(Verdict v, double memoryFloorMb) {
        if (v.metric() == Metric.MEMORY && Math.max(Math.abs(v.baseline()), Math.abs(v.current()))
                * v.thresholdPercent() / 100 < memoryFloorMb) {
            return Optional.empty();
        }
        double mde = v.minDetectablePercent();
        if (Double.isNaN(mde) || !(mde > v.thresholdPercent())) {
            return Optional.empty();
        }
        String hides = Double.isInfinite(mde) ? "any change (too few samples)"
                : "changes under " + percent(Math.ceil(mde));
        return Optional.of(v.metric().displayName() + ": " + percent(v.thresholdPercent())
                + " threshold, but this benchmark's noise hides " + hides);
    }

    private static String percent(double p) {
        return (p == Math.rint(p) ? String.format(Locale.ROOT, "%.0f", p)
                : String.format(Locale.ROOT, "%.1f", p)) + "%";
    }

    private Verdict noBaseline(Metric m, double current, Thresholds t, String why) {
        return new Verdict(m, Verdict.Status.NO_BASELINE, Double.NaN, Double.NaN, current, Double.NaN,
                engine.confidence(), t.of(m).percent(), Double.NaN, Double.NaN, "none", why);
    }
}
