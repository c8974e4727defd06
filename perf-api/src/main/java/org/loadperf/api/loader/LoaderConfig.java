package org.loadperf.api.loader;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.loadperf.api.annotation.Api;

/**
 * The configuration given to {@link LoaderProvider#create}: keys as the guide names them ({@code host},
 * {@code batch_size}, ...) with values as Java objects or text. Immutable.
 *
 * <p>A provider calls {@link #validate(String, Collection)} with its declared {@link ConfigKey}s first: it reports
 * every unknown key, missing required key and bad value at once, each by name, in one {@link LoaderException}.
 * {@link #toString()} never shows a secret value.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class LoaderConfig {

    private final Map<String, Object> values;
    /** The keys declared {@link ConfigKey#secret()}, known once {@link #validate} has seen the declarations. */
    private final Set<String> secretKeys;

    private LoaderConfig(Map<String, ?> values) {
        this(values, Set.of());
    }

    private LoaderConfig(Map<String, ?> values, Set<String> secretKeys) {
        Map<String, Object> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            Objects.requireNonNull(k, "configuration key is null");
            if (v != null) {
                copy.put(k, v);
            }
        });
        this.values = Collections.unmodifiableMap(copy);
        this.secretKeys = Set.copyOf(secretKeys);
    }

    /** A configuration of {@code values}; entries with a null value count as not given. */
    public static LoaderConfig of(Map<String, ?> values) {
        return new LoaderConfig(Objects.requireNonNull(values, "values is null"));
    }

    /** An empty configuration: every key at its default. */
    public static LoaderConfig empty() {
        return new LoaderConfig(Map.of());
    }

    /** A copy with {@code key} set to {@code value} (null removes it). */
    public LoaderConfig with(String key, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(values);
        if (value == null) {
            copy.remove(key);
        } else {
            copy.put(key, value);
        }
        return new LoaderConfig(copy, secretKeys);
    }

    /** The values as given. */
    public Map<String, Object> asMap() {
        return values;
    }

    /** Whether {@code key} was given. */
    public boolean contains(String key) {
        return values.containsKey(key);
    }

    /**
     * Checks this configuration against the keys {@code loaderName} accepts.
     *
     * @return this configuration, which from now on also masks the values of the keys declared secret
     * @throws LoaderException naming every unknown key (with the known ones), missing required key and bad value;
     *                         the value of a secret key is never shown
     */
    public LoaderConfig validate(String loaderName, Collection<? extends ConfigKey<?>> keys) {
        Map<String, ConfigKey<?>> known = new LinkedHashMap<>();
        keys.forEach(k -> known.put(k.name(), k));
        List<String> problems = new ArrayList<>();
        for (String given : values.keySet()) {
            if (!known.containsKey(given)) {
                problems.add("unknown key '" + given + "' (known keys: " + String.join(", ", new TreeSet<>(known.keySet()))
                        + ")");
            }
        }
        for (ConfigKey<?> key : known.values()) {
            Object raw = values.get(key.name());
            if (raw == null) {
                if (key.isRequired()) {
                    problems.add("'" + key.name() + "' is required: " + key.description());
                }
                continue;
            }
            try {
                key.parse(raw);
            } catch (RuntimeException e) {
                problems.add("'" + key.name() + "': " + secretsOf(key, raw).detail(e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new LoaderException("Invalid " + loaderName + " configuration: " + String.join("; ", problems));
        }
        return new LoaderConfig(values, Secrets.secretKeys(keys));
    }

    /** The values a parse error of {@code key} must not show: a secret key's value, a map's secret entries. */
    private Secrets secretsOf(ConfigKey<?> key, Object raw) {
        return key.isSecret() ? Secrets.of(List.of(String.valueOf(raw)))
                : Secrets.of(LoaderConfig.of(Map.of(key.name(), raw)), List.of());
    }

    /**
     * The value of {@code key}, parsed; its default when not given.
     *
     * @throws LoaderException when the value is bad, or missing with no default, naming the key
     */
    public <T> T get(ConfigKey<T> key) {
        return find(key).or(key::defaultValue).orElseThrow(
                () -> new LoaderException("Configuration key '" + key.name() + "' is required: " + key.description()));
    }

    /** The value of {@code key} when given, parsed; empty when not given (defaults are not applied). */
    public <T> Optional<T> find(ConfigKey<T> key) {
        Object raw = values.get(key.name());
        if (raw == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(key.parse(raw));
        } catch (RuntimeException e) {
            String problem = secretsOf(key, raw).detail(e.getMessage());
            throw new LoaderException("Configuration key '" + key.name() + "': " + problem,
                    key.isSecret() ? null : e);
        }
    }

    /**
     * Whether a name that no key declares holds a secret.
     *
     * @deprecated the rule lives in {@link Secrets#isSecretName(String)}; declared keys are secret by
     *             {@link ConfigKey#secret()}
     */
    @Deprecated
    public static boolean isSecretName(String key) {
        return Secrets.isSecretName(key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoaderConfig c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /**
     * The keys and values, every secret value shown as {@code ***}: the keys declared secret (once validated) and,
     * since an unvalidated configuration cannot know its declarations, every key or map entry with a
     * {@link Secrets#isSecretName secret name}.
     */
    @Override
    public String toString() {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + mask(e.getKey(), e.getValue()))
                .collect(Collectors.joining(", ", "LoaderConfig{", "}"));
    }

    private Object mask(String key, Object value) {
        if (secretKeys.contains(key) || Secrets.isSecretName(key)) {
            return "***";
        }
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> masked = new LinkedHashMap<>();
            m.forEach((k, v) -> masked.put(k, Secrets.isSecretName(String.valueOf(k)) ? "***" : v));
            return masked;
        }
        return value;
    }
}
