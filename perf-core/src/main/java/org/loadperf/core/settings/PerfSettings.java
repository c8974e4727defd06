package org.loadperf.core.settings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.loader.Secrets;

/**
 * The settings of a performance run, with the guide's names ({@code POSTGRES_HOST}, {@code PERF_TEST_SIZE}, ...).
 *
 * <p>A value is looked up, first found wins, in: system properties (the same name, or for {@code PERF_*} names
 * also the dotted form, {@code PERF_FAIL_ON_REGRESSION} = {@code perf.failOnRegression}); environment variables;
 * the {@code .env.test} file (dotenv syntax) of the working directory or the nearest parent up to the git root
 * ({@code PERF_ENV_FILE} names another); then the default. {@link #toString()} masks secrets.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class PerfSettings {

    /** The guide's default dataset size. */
    public static final int DEFAULT_TEST_SIZE = 50_000;

    private final Function<String, String> systemProperties;
    private final Function<String, String> environment;
    private final Map<String, String> envFile;
    private final Path envFilePath;

    PerfSettings(Function<String, String> systemProperties, Function<String, String> environment,
                 Map<String, String> envFile, Path envFilePath) {
        this.systemProperties = systemProperties;
        this.environment = environment;
        this.envFile = Collections.unmodifiableMap(new LinkedHashMap<>(envFile));
        this.envFilePath = envFilePath;
    }

    /** The settings of this process: system properties, environment and {@code .env.test}. */
    public static PerfSettings load() {
        Function<String, String> env = System::getenv;
        String explicit = Optional.ofNullable(System.getProperty("PERF_ENV_FILE"))
                .orElseGet(() -> System.getenv("PERF_ENV_FILE"));
        Path file = explicit != null ? Path.of(explicit) : findEnvFile(Path.of("").toAbsolutePath());
        Map<String, String> values = file != null && Files.isRegularFile(file) ? parseDotEnv(file) : Map.of();
        return new PerfSettings(System::getProperty, env, values, file);
    }

    /** Settings from explicit maps, for tests and embedding. */
    public static PerfSettings of(Map<String, String> systemProperties, Map<String, String> environment,
                                  Map<String, String> envFile) {
        return new PerfSettings(systemProperties::get, environment::get, envFile, null);
    }

    private static Path findEnvFile(Path dir) {
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve(".env.test");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            if (Files.exists(d.resolve(".git"))) {
                return null;
            }
        }
        return null;
    }

    /**
     * Parses a dotenv file: {@code KEY=value} lines, optional {@code export}, {@code #} comments, single or
     * double quotes (double quotes understand {@code \n} and {@code \"}).
     *
     * @throws IllegalArgumentException naming the file and line of a line that is not {@code KEY=value}
     */
    static Map<String, String> parseDotEnv(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring(7).strip();
            }
            int eq = line.indexOf('=');
            String key = eq > 0 ? line.substring(0, eq).strip() : "";
            if (!key.matches("[A-Za-z_][A-Za-z0-9_.]*")) {
                // The line itself is not shown: a line that is not KEY=value may be a secret value on its own.
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected KEY=value"
                        + (key.isEmpty() ? "" : "; '" + key + "' is not a valid name") + " (the line is not shown)");
            }
            out.put(key, unquote(line.substring(eq + 1).strip(), file, i + 1));
        }
        return out;
    }

    private static String unquote(String raw, Path file, int line) {
        if (raw.startsWith("\"") || raw.startsWith("'")) {
            char q = raw.charAt(0);
            int end = raw.indexOf(q, 1);
            while (q == '"' && end > 0 && raw.charAt(end - 1) == '\\') {
                end = raw.indexOf(q, end + 1);
            }
            if (end < 0) {
                throw new IllegalArgumentException(file + ":" + line + ": unterminated quote");
            }
            String body = raw.substring(1, end);
            return q == '"' ? body.replace("\\n", "\n").replace("\\\"", "\"") : body;
        }
        int comment = raw.indexOf(" #");
        return (comment >= 0 ? raw.substring(0, comment) : raw).strip();
    }

    /** The value of a runner setting, if set. */
    public Optional<String> get(RunnerSetting setting) {
        return get(setting.settingName());
    }

    /** The value of a runner setting, or {@code dflt}. */
    public String get(RunnerSetting setting, String dflt) {
        return get(setting.settingName(), dflt);
    }

    /** The value of {@code name}, from the first source that has it. */
    public Optional<String> get(String name) {
        String v = systemProperties.apply(name);
        if (v == null && name.startsWith("PERF_")) {
            v = systemProperties.apply(dotted(name));
        }
        if (v == null) {
            v = environment.apply(name);
        }
        if (v == null) {
            v = envFile.get(name);
        }
        return Optional.ofNullable(v).filter(s -> !s.isBlank());
    }

    /** The value of {@code name}, or {@code dflt}. */
    public String get(String name, String dflt) {
        return get(name).orElse(dflt);
    }

    /**
     * The integer value of {@code name}, or {@code dflt}.
     *
     * @throws IllegalArgumentException naming the setting when the value is not an integer
     */
    public int getInt(String name, int dflt) {
        return get(name).map(v -> {
            try {
                return Integer.parseInt(v.strip().replace("_", "").replace(",", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Setting " + name + " must be an integer, got " + shown(name, v));
            }
        }).orElse(dflt);
    }

    /**
     * The boolean value of {@code name} ({@code true/false}, {@code yes/no}, {@code 1/0}), or {@code dflt}.
     *
     * @throws IllegalArgumentException naming the setting when the value is not a boolean
     */
    public boolean getBoolean(String name, boolean dflt) {
        return get(name).map(v -> switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException("Setting " + name + " must be true or false, got "
                    + shown(name, v));
        }).orElse(dflt);
    }

    /** {@code PERF_TEST_SIZE}: rows of the guide's dataset, default 50,000; must be positive. */
    public int testSize() {
        int size = getInt("PERF_TEST_SIZE", DEFAULT_TEST_SIZE);
        if (size <= 0) {
            throw new IllegalArgumentException("Setting PERF_TEST_SIZE must be positive, got " + size);
        }
        return size;
    }

    /** {@code PERF_ENV}: the environment name recorded with every benchmark, default {@code local}. */
    public String environment() {
        return get("PERF_ENV", "local");
    }

    /** The {@code .env.test} file that was read, if any. */
    public Optional<Path> envFile() {
        return Optional.ofNullable(envFilePath);
    }

    static String dotted(String name) {
        String[] parts = name.toLowerCase(Locale.ROOT).split("_");
        StringBuilder sb = new StringBuilder("perf.");
        for (int i = 1; i < parts.length; i++) {
            sb.append(i == 1 ? parts[i] : Character.toUpperCase(parts[i].charAt(0)) + parts[i].substring(1));
        }
        return sb.toString();
    }

    /** Whether the setting holds a secret: the rule loaders use for names no key declares. */
    static boolean isSecret(String name) {
        return Secrets.isSecretName(name);
    }

    /** A setting's value for an error message: quoted, or a note when the setting is secret. */
    static String shown(String name, String value) {
        return isSecret(name) ? "a value that is not shown (" + name + " is secret)" : "'" + value + "'";
    }

    /** The {@code .env.test} values and the well-known settings that are set, secrets masked. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        for (String name : List.of("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "POSTGRES_USER",
                "POSTGRES_PASSWORD", "REDIS_HOST", "REDIS_PORT", "REDIS_DB", "REDIS_PASSWORD", "PERF_TEST_SIZE",
                "PERF_ENV")) {
            get(name).ifPresent(v -> shown.put(name, v));
        }
        envFile.forEach(shown::putIfAbsent);
        shown.replaceAll((k, v) -> isSecret(k) ? "***" : v);
        return "PerfSettings" + shown;
    }
}
