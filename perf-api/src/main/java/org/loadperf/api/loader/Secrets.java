package org.loadperf.api.loader;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.loadperf.api.annotation.Api;

/**
 * The secret values of one configuration, and the one rule by which loaders and the runner keep them out of
 * messages, logs and reports.
 *
 * <p>A declared key is secret when it is declared with {@link ConfigKey#secret()}. Names that no key declares
 * (the entries of pass-through maps such as JDBC {@code connection_params} or Hadoop {@code storage_options},
 * {@code .env.test} lines, runner settings) are secret when {@link #isSecretName(String) their name says so}.
 *
 * <p>Messages are never built from a value that holds a secret, and a secret is never masked inside a text:
 * masking by substring garbles messages ("Postgr***SQL" for a password {@code e}) and reveals a short secret by
 * its position. Text that the loader did not write (a driver's or server's message) passes through
 * {@link #detail(String)}, which withholds the whole text when a secret stands in it as a word of its own.
 */
@Api(status = Api.Status.EXPERIMENTAL, since = "0.2")
public final class Secrets {

    /** What {@link #detail(String)} says instead of a text that holds a secret. */
    public static final String WITHHELD = "(the message is not shown: it contains a secret setting's value)";

    private static final List<String> SECRET_WORDS = List.of("password", "passwd", "passphrase", "secret", "token",
            "credential", "accesskey", "accountkey", "apikey", "privatekey", "sessionkey");
    private static final Set<String> SECRET_SEGMENTS = Set.of("pwd", "sas", "auth");

    private static final Secrets NONE = new Secrets(List.of());

    private final List<String> values;

    private Secrets(List<String> values) {
        this.values = values;
    }

    /** No secrets: every text passes unchanged. */
    public static Secrets none() {
        return NONE;
    }

    /** These values, e.g. the password a typed configuration holds; null and empty values are ignored. */
    public static Secrets of(Collection<String> values) {
        List<String> kept = new ArrayList<>();
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                kept.add(v);
            }
        }
        return kept.isEmpty() ? NONE : new Secrets(List.copyOf(kept));
    }

    /**
     * The secret values of {@code config}: those of the keys among {@code keys} declared {@link ConfigKey#secret()},
     * and the entries of map values whose names are {@link #isSecretName secret names}.
     */
    public static Secrets of(LoaderConfig config, Collection<? extends ConfigKey<?>> keys) {
        Objects.requireNonNull(config, "config is null");
        Set<String> secretKeys = secretKeys(keys);
        List<String> found = new ArrayList<>();
        config.asMap().forEach((key, value) -> {
            if (secretKeys.contains(key)) {
                found.add(String.valueOf(value));
            } else if (value instanceof Map<?, ?> m) {
                m.forEach((k, v) -> {
                    if (v != null && isSecretName(String.valueOf(k))) {
                        found.add(String.valueOf(v));
                    }
                });
            }
        });
        return of(found);
    }

    static Set<String> secretKeys(Collection<? extends ConfigKey<?>> keys) {
        return keys.stream().filter(ConfigKey::isSecret).map(ConfigKey::name)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /**
     * Whether a name that no {@link ConfigKey} declares holds a secret: it says password, passphrase, secret, token,
     * credential, access/account/API/private/session key, or has a part {@code pwd}, {@code sas} or {@code auth}
     * ({@code POSTGRES_PASSWORD}, {@code fs.s3a.secret.key}, {@code fs.azure.account.key.x}, {@code redis.auth}).
     */
    public static boolean isSecretName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        String joined = lower.replaceAll("[._\\-\\s]", "");
        if (SECRET_WORDS.stream().anyMatch(joined::contains)) {
            return true;
        }
        for (String part : lower.split("[._\\-\\s]+")) {
            if (SECRET_SEGMENTS.contains(part)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code text} holds one of the secrets as a word of its own (not inside a longer word). */
    public boolean appearIn(String text) {
        if (text == null) {
            return false;
        }
        for (String secret : values) {
            for (int at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + 1)) {
                int end = at + secret.length();
                boolean startsWord = at == 0 || !Character.isLetterOrDigit(text.charAt(at - 1))
                        || !Character.isLetterOrDigit(secret.charAt(0));
                boolean endsWord = end == text.length() || !Character.isLetterOrDigit(text.charAt(end))
                        || !Character.isLetterOrDigit(secret.charAt(secret.length() - 1));
                if (startsWord && endsWord) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A driver's or server's {@code text} as it is, or {@link #WITHHELD} when a secret stands in it. */
    public String detail(String text) {
        return appearIn(text) ? WITHHELD : text;
    }

    /**
     * {@code cause} when no message in its chain holds a secret, else null: an exception attached as a cause is
     * printed with its messages, so one that holds a secret must not travel.
     */
    public Throwable safeCause(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (appearIn(t.getMessage()) || appearIn(t.toString())) {
                return null;
            }
            for (Throwable s : t.getSuppressed()) {
                if (safeCause(s) == null) {
                    return null;
                }
            }
        }
        return cause;
    }
}
