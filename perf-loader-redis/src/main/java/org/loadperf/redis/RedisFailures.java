package org.loadperf.redis;

import java.util.List;
import java.util.Locale;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.api.loader.Secrets;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** Turns Jedis failures into {@link LoaderException}s that say what failed where, never showing the password. */
final class RedisFailures {

    private RedisFailures() {
    }

    static LoaderException translate(String what, RuntimeException e, RedisLoaderConfig config) {
        if (e instanceof LoaderException le) {
            return le;
        }
        String user = config.user() == null ? "default" : config.user();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String msg = t.getMessage() == null ? "" : t.getMessage();
            String upper = msg.toUpperCase(Locale.ROOT);
            if (upper.contains("WRONGPASS") || upper.contains("INVALID PASSWORD") || upper.contains("NOAUTH")
                    || upper.contains("INVALID USERNAME-PASSWORD") || t instanceof JedisAccessControlException
                    && !upper.contains("NOPERM")) {
                // No cause attached: nothing below adds to the diagnosis, and nothing of the credentials leaks.
                return new LoaderException(what + " failed: " + config.endpoint() + " rejected the credentials of user '"
                        + user + "' (" + (config.password() == null ? "no password configured" : "password given")
                        + "): wrong password, unknown or disabled ACL user, or a password is required. "
                        + "Check the 'password' and 'user' settings (the password is not shown).");
            }
            if (upper.contains("NOPERM")) {
                return new LoaderException(what + " failed: ACL user '" + user + "' at " + config.endpoint()
                        + " lacks a permission: " + serverText(msg, config));
            }
        }
        String detail = serverText(String.valueOf(e.getMessage()), config);
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null) {
            detail += " (" + serverText(cause.getMessage(), config) + ")";
        }
        Throwable safeCause = secrets(config).safeCause(e);
        if (e instanceof JedisConnectionException) {
            return new LoaderException(what + " failed: cannot talk to " + config.endpoint() + ": " + detail,
                    safeCause);
        }
        return new LoaderException(what + " failed at " + config.endpoint() + ": " + detail, safeCause);
    }

    /** The client's or server's {@code message}, withheld whole when the password stands in it (never masked). */
    static String serverText(String message, RedisLoaderConfig config) {
        return secrets(config).detail(message);
    }

    private static Secrets secrets(RedisLoaderConfig config) {
        return config.password() == null ? Secrets.none() : Secrets.of(List.of(config.password()));
    }
}
