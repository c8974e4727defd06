package org.loadperf.core.settings;

import static org.loadperf.core.settings.RunnerSetting.ACKNOWLEDGE;
import static org.loadperf.core.settings.RunnerSetting.BASELINE_POLICY;
import static org.loadperf.core.settings.RunnerSetting.CONFIDENCE;
import static org.loadperf.core.settings.RunnerSetting.CONFIRM;
import static org.loadperf.core.settings.RunnerSetting.FAIL_ON_REGRESSION;
import static org.loadperf.core.settings.RunnerSetting.ITERATIONS;
import static org.loadperf.core.settings.RunnerSetting.MEASURE_SECONDS;
import static org.loadperf.core.settings.RunnerSetting.MEMORY_FLOOR_MB;
import static org.loadperf.core.settings.RunnerSetting.METRICS;
import static org.loadperf.core.settings.RunnerSetting.NOISE_WINDOW;
import static org.loadperf.core.settings.RunnerSetting.PAIRED_SECONDS;
import static org.loadperf.core.settings.RunnerSetting.PAIRS;
import static org.loadperf.core.settings.RunnerSetting.RUN_NOISE;
import static org.loadperf.core.settings.RunnerSetting.SPEED_CORRECTION;
import static org.loadperf.core.settings.RunnerSetting.THRESHOLD_ALLOCATION;
import static org.loadperf.core.settings.RunnerSetting.THRESHOLD_DURATION;
import static org.loadperf.core.settings.RunnerSetting.THRESHOLD_MEMORY;
import static org.loadperf.core.settings.RunnerSetting.THRESHOLD_THROUGHPUT;
import static org.loadperf.core.settings.RunnerSetting.WARMUP_ITERATIONS;
import static org.loadperf.core.settings.RunnerSetting.WARMUP_SECONDS;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.BaselinePolicy;
import org.loadperf.api.Metric;
import org.loadperf.api.Threshold;
import org.loadperf.api.Thresholds;

/**
 * The runner's settings read from {@link PerfSettings}, each checked at once (a bad value fails naming the setting)
 * with its default from {@link RunnerSetting}; the checks are also those of the runner's builder setters.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public record RunnerSettings(int warmups, double warmupSeconds, int iterations, double measureSeconds,
                             double pairedSeconds, double confidence, BaselinePolicy policy, boolean failOnRegression,
                             String environment, Thresholds thresholds, boolean confirm, double runNoise,
                             int noiseWindow, int pairs, boolean speedCorrection, double memoryFloorMb,
                             Map<String, String> acknowledgements, Set<Metric> compared) {

    /** Earlier runs needed before the run-to-run noise is estimated from history instead of assumed. */
    public static final int MIN_NOISE_RUNS = 5;

    /** Reads and checks every runner setting of {@code settings}; an unknown {@code -Dperf.*} property fails too. */
    public static RunnerSettings from(PerfSettings settings) {
        Objects.requireNonNull(settings, "settings is null");
        RunnerSetting.rejectUnknownProperties(System.getProperties().stringPropertyNames());
        settings.testSize(); // PERF_TEST_SIZE sizes the suites' data: a bad one fails here, before any work
        Thresholds t = Thresholds.defaults();
        t = t.with(Metric.THROUGHPUT, threshold(settings, THRESHOLD_THROUGHPUT));
        t = t.with(Metric.MEMORY, threshold(settings, THRESHOLD_MEMORY));
        t = t.with(Metric.DURATION, threshold(settings, THRESHOLD_DURATION));
        t = t.with(Metric.ALLOCATED_BYTES_PER_ROW, threshold(settings, THRESHOLD_ALLOCATION));
        Map<String, String> acks = new LinkedHashMap<>();
        settings.get(ACKNOWLEDGE.settingName()).ifPresent(v -> parseAcknowledgements(v, acks));
        return new RunnerSettings(
                checkWarmups(integer(settings, WARMUP_ITERATIONS)),
                checkSeconds(WARMUP_SECONDS.settingName(), seconds(settings, WARMUP_SECONDS)),
                checkIterations(integer(settings, ITERATIONS)),
                checkSeconds(MEASURE_SECONDS.settingName(), seconds(settings, MEASURE_SECONDS)),
                checkSeconds(PAIRED_SECONDS.settingName(), seconds(settings, PAIRED_SECONDS)),
                checkConfidence(Double.parseDouble(text(settings, CONFIDENCE))),
                BaselinePolicy.parse(text(settings, BASELINE_POLICY)),
                bool(settings, FAIL_ON_REGRESSION),
                settings.environment(),
                t,
                bool(settings, CONFIRM),
                checkRunNoise(percent(settings, RUN_NOISE)),
                checkNoiseWindow(integer(settings, NOISE_WINDOW)),
                checkPairs(integer(settings, PAIRS)),
                bool(settings, SPEED_CORRECTION),
                checkMemoryFloor(number(settings, MEMORY_FLOOR_MB, "a number of MB")),
                acks,
                metrics(text(settings, METRICS)));
    }

    private static Set<Metric> metrics(String list) {
        Set<Metric> out = EnumSet.noneOf(Metric.class);
        for (String key : list.split(",")) {
            if (!key.isBlank()) {
                try {
                    out.add(Metric.fromKey(key.strip()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("Setting PERF_METRICS: " + e.getMessage(), e);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("Setting PERF_METRICS names no metric, got '" + list + "'");
        }
        return out;
    }

    /** The default of {@code setting} as a number. */
    public static double defaultNumber(RunnerSetting setting) {
        return Double.parseDouble(setting.defaultValue());
    }

    private static String text(PerfSettings s, RunnerSetting setting) {
        return s.get(setting.settingName(), setting.defaultValue());
    }

    private static int integer(PerfSettings s, RunnerSetting setting) {
        return s.getInt(setting.settingName(), Integer.parseInt(setting.defaultValue()));
    }

    private static boolean bool(PerfSettings s, RunnerSetting setting) {
        return s.getBoolean(setting.settingName(), Boolean.parseBoolean(setting.defaultValue()));
    }

    private static double seconds(PerfSettings s, RunnerSetting setting) {
        String v = s.get(setting.settingName()).orElse(null);
        try {
            return v == null ? defaultNumber(setting) : Double.parseDouble(v.strip().replaceFirst("s$", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Setting " + setting.settingName() + " must be a number of seconds, "
                    + "got '" + v + "'");
        }
    }

    private static double number(PerfSettings s, RunnerSetting setting, String what) {
        String v = s.get(setting.settingName()).orElse(null);
        try {
            return v == null ? defaultNumber(setting) : Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Setting " + setting.settingName() + " must be " + what + ", got '"
                    + v + "'");
        }
    }

    private static double percent(PerfSettings s, RunnerSetting setting) {
        String v = s.get(setting.settingName()).orElse(null);
        if (v == null) {
            return defaultNumber(setting);
        }
        try {
            return Double.parseDouble(v.strip().replace("%", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Setting " + setting.settingName() + " must be a percentage, got '"
                    + v + "'");
        }
    }

    private static double threshold(PerfSettings s, RunnerSetting setting) {
        String v = s.get(setting.settingName()).orElse(null);
        if (v == null) {
            return defaultNumber(setting);
        }
        try {
            return new Threshold(Metric.THROUGHPUT, Double.parseDouble(v.replace("%", ""))).percent();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Setting " + setting.settingName() + " must be a percentage >= 0, "
                    + "got '" + v + "'");
        }
    }

    private static void parseAcknowledgements(String value, Map<String, String> into) {
        for (String part : value.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            int colon = part.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("Setting PERF_ACKNOWLEDGE must be <key>:<reason> (several "
                        + "separated by ';'), got '" + part.strip() + "'");
            }
            String key = part.substring(0, colon).strip();
            into.put(checkKey(key), checkReason(key, part.substring(colon + 1).strip()));
        }
    }

    public static String checkKey(String key) {
        Objects.requireNonNull(key, "key is null");
        if (key.isBlank()) {
            throw new IllegalArgumentException("acknowledge: the benchmark key ({loader_type}_{test_name}) is "
                    + "blank");
        }
        return key;
    }

    public static String checkReason(String key, String reason) {
        Objects.requireNonNull(reason, "reason is null");
        if (reason.isBlank()) {
            throw new IllegalArgumentException("acknowledge " + key + ": a reason is required (why the "
                    + "regression is expected)");
        }
        return reason;
    }

    public static double checkMemoryFloor(double mb) {
        if (!(mb >= 0) || Double.isInfinite(mb)) {
            throw new IllegalArgumentException("Setting PERF_MEMORY_FLOOR_MB must be a finite number of MB >= 0, "
                    + "got " + mb);
        }
        return mb;
    }

    public static double checkRunNoise(double p) {
        if (!(p >= 0) || Double.isInfinite(p)) {
            throw new IllegalArgumentException("runNoise must be a finite percentage >= 0, got " + p);
        }
        return p;
    }

    public static int checkNoiseWindow(int n) {
        if (n < MIN_NOISE_RUNS) {
            throw new IllegalArgumentException("noiseWindow must be >= " + MIN_NOISE_RUNS + ", got " + n);
        }
        return n;
    }

    public static int checkPairs(int n) {
        if (n < 2) {
            throw new IllegalArgumentException("pairs must be >= 2, got " + n);
        }
        return n;
    }

    public static int checkWarmups(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("warmupIterations must be >= 0, got " + n);
        }
        return n;
    }

    public static double checkSeconds(String name, double s) {
        if (!(s >= 0 && s <= 3600)) {
            throw new IllegalArgumentException("Setting " + name + " must be between 0 and 3600, got " + s);
        }
        return s;
    }

    public static int checkIterations(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("measuredIterations must be >= 1, got " + n);
        }
        return n;
    }

    public static double checkConfidence(double c) {
        if (!(c > 0.5 && c < 1.0)) {
            throw new IllegalArgumentException("confidence must be in (0.5, 1), got " + c);
        }
        return c;
    }
}
