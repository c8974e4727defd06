package org.loadperf.api.loader;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.loadperf.api.annotation.Api;

/**
 * One configuration key of a loader, declared once with its type, default and description. A value may be given
 * as the Java type or as text (from environment variables or files); {@link #parse(Object)} accepts both and
 * fails with a message naming the key.
 *
 * @param <T> the value type
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class ConfigKey<T> {

    private final String name;
    private final String type;
    private final T defaultValue;
    private final boolean required;
    private final boolean secret;
    private final String description;
    private final Function<Object, T> parser;

    private ConfigKey(String name, String type, T defaultValue, boolean required, boolean secret,
                      String description, Function<Object, T> parser) {
        this.name = Objects.requireNonNull(name, "name is null");
        this.type = type;
        this.defaultValue = defaultValue;
        this.required = required;
        this.secret = secret;
        this.description = Objects.requireNonNull(description, "description is null");
        this.parser = parser;
    }

    /** A text key. */
    public static ConfigKey<String> string(String name, String defaultValue, String description) {
        return new ConfigKey<>(name, "string", defaultValue, false, false, description, v -> {
            if (v instanceof CharSequence || v instanceof Number || v instanceof Boolean) {
                return v.toString();
            }
            throw new IllegalArgumentException("expected text, got " + v.getClass().getSimpleName());
        });
    }

    /** An integer key whose value must lie in {@code [min, max]}. */
    public static ConfigKey<Integer> integer(String name, Integer defaultValue, int min, int max,
                                             String description) {
        return new ConfigKey<>(name, "integer", defaultValue, false, false, description, v -> {
            long l = toLong(v);
            if (l < min || l > max) {
                throw new IllegalArgumentException("must be between " + min + " and " + max + ", got " + l);
            }
            return (int) l;
        });
    }

    /** A long key whose value must lie in {@code [min, max]}; text may carry a size suffix (KB, MB, GB). */
    public static ConfigKey<Long> size(String name, Long defaultValue, long min, long max, String description) {
        return new ConfigKey<>(name, "long", defaultValue, false, false, description, v -> {
            long l = v instanceof CharSequence s ? parseSize(s.toString()) : toLong(v);
            if (l < min || l > max) {
                throw new IllegalArgumentException("must be between " + min + " and " + max + ", got " + l);
            }
            return l;
        });
    }

    /** A decimal key whose value must lie in {@code [min, max]}. */
    public static ConfigKey<Double> decimal(String name, Double defaultValue, double min, double max,
                                            String description) {
        return new ConfigKey<>(name, "decimal", defaultValue, false, false, description, v -> {
            double d;
            if (v instanceof Number n) {
                d = n.doubleValue();
            } else if (v instanceof CharSequence s) {
                try {
                    d = Double.parseDouble(s.toString().trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("expected a number, got '" + s + "'");
                }
            } else {
                throw new IllegalArgumentException("expected a number, got " + v.getClass().getSimpleName());
            }
            if (!(d >= min && d <= max)) {
                throw new IllegalArgumentException("must be between " + min + " and " + max + ", got " + d);
            }
            return d;
        });
    }

    /** A boolean key: {@code true/false}, {@code yes/no}, {@code 1/0}. */
    public static ConfigKey<Boolean> bool(String name, Boolean defaultValue, String description) {
        return new ConfigKey<>(name, "boolean", defaultValue, false, false, description, v -> {
            if (v instanceof Boolean b) {
                return b;
            }
            String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
            switch (s) {
                case "true", "yes", "1", "on" -> {
                    return true;
                }
                case "false", "no", "0", "off" -> {
                    return false;
                }
                default -> throw new IllegalArgumentException("expected true or false, got '" + v + "'");
            }
        });
    }

    /** A duration key; numbers and plain text are seconds, text may end in ms or s. */
    public static ConfigKey<Duration> duration(String name, Duration defaultValue, String description) {
        return new ConfigKey<>(name, "duration", defaultValue, false, false, description, v -> {
            Duration d;
            if (v instanceof Duration dur) {
                d = dur;
            } else if (v instanceof Number n) {
                d = Duration.ofNanos((long) (n.doubleValue() * 1e9));
            } else {
                String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
                try {
                    if (s.endsWith("ms")) {
                        d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
                    } else {
                        String num = s.endsWith("s") ? s.substring(0, s.length() - 1).trim() : s;
                        d = Duration.ofNanos((long) (Double.parseDouble(num) * 1e9));
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("expected seconds (e.g. 5, 2.5s, 500ms), got '" + v + "'");
                }
            }
            if (d.isNegative()) {
                throw new IllegalArgumentException("must not be negative, got " + d);
            }
            return d;
        });
    }

    /** A list of text; text is split on commas. */
    public static ConfigKey<List<String>> list(String name, List<String> defaultValue, String description) {
        return new ConfigKey<>(name, "list", defaultValue, false, false, description, v -> {
            if (v instanceof List<?> l) {
                return l.stream().map(String::valueOf).toList();
            }
            if (v instanceof Set<?> set) {
                return set.stream().map(String::valueOf).toList();
            }
            if (v instanceof String[] a) {
                return List.of(a);
            }
            if (v instanceof CharSequence s) {
                return Arrays.stream(s.toString().split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
            }
            throw new IllegalArgumentException("expected a list, got " + v.getClass().getSimpleName());
        });
    }

    /** A map of text to text; text is {@code a=1,b=2}. */
    public static ConfigKey<Map<String, String>> map(String name, String description) {
        return new ConfigKey<>(name, "map", Map.of(), false, false, description, v -> {
            Map<String, String> out = new LinkedHashMap<>();
            if (v instanceof Map<?, ?> m) {
                m.forEach((k, val) -> out.put(String.valueOf(k), String.valueOf(val)));
            } else if (v instanceof CharSequence s) {
                for (String part : s.toString().split(",")) {
                    if (part.isBlank()) {
                        continue;
                    }
                    int eq = part.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("expected key=value pairs, got '" + part.trim() + "'");
                    }
                    out.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
                }
            } else {
                throw new IllegalArgumentException("expected a map, got " + v.getClass().getSimpleName());
            }
            return Collections.unmodifiableMap(out);
        });
    }

    /** A copy that must be given (no default). */
    public ConfigKey<T> required() {
        return new ConfigKey<>(name, type, null, true, secret, description, parser);
    }

    /** A copy whose value is never shown (passwords, tokens). */
    public ConfigKey<T> secret() {
        return new ConfigKey<>(name, type, defaultValue, required, true, description, parser);
    }

    /** The key's name, e.g. {@code batch_size}. */
    public String name() {
        return name;
    }

    /** The value type's name for documentation, e.g. {@code integer}. */
    public String type() {
        return type;
    }

    /** The default, if any. */
    public Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** Whether the key must be given. */
    public boolean isRequired() {
        return required;
    }

    /** Whether the value must never be shown. */
    public boolean isSecret() {
        return secret;
    }

    /** What the key does. */
    public String description() {
        return description;
    }

    /**
     * Converts a given value to this key's type.
     *
     * @throws IllegalArgumentException with a message that says what is wrong with the value (without the key
     *                                  name, which {@link LoaderConfig} adds)
     */
    public T parse(Object value) {
        Objects.requireNonNull(value, "value is null");
        return parser.apply(value);
    }

    private static long toLong(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d != Math.rint(d)) {
                throw new IllegalArgumentException("expected a whole number, got " + v);
            }
            return (long) d;
        }
        if (v instanceof CharSequence s) {
            try {
                return Long.parseLong(s.toString().trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number, got '" + s + "'");
            }
        }
        throw new IllegalArgumentException("expected a whole number, got " + v.getClass().getSimpleName());
    }

    private static long parseSize(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT).replace("_", "");
        long unit = 1;
        for (String[] suffix : new String[][] {{"GB", "1073741824"}, {"MB", "1048576"}, {"KB", "1024"},
                {"G", "1073741824"}, {"M", "1048576"}, {"K", "1024"}, {"B", "1"}}) {
            if (s.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                s = s.substring(0, s.length() - suffix[0].length()).trim();
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(s), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("expected a size such as 134217728 or 128MB, got '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return name + " (" + type + (required ? ", required" : defaultValue != null ? ", default "
                + (secret ? "***" : defaultValue) : "") + ")";
    }
}
