package org.loadperf.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds every blocking call on a connection: a call still running after {@code load_timeout_seconds} gets its
 * connection aborted ({@link Connection#abort}: the socket is closed), which ends a stuck read and also a stuck
 * write, which no socket timeout can end. The call then fails with a {@link ServerTimeoutException} that names
 * the server, the step and the timeout.
 *
 * <p>The timer and the aborting threads are daemons shared by every loader of the JVM.
 */
final class Watchdog {

    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    private static final ScheduledThreadPoolExecutor TIMER = timer();
    /** Closing a socket is quick, but not for every socket (TLS may try to say goodbye): never on the timer. */
    private static final ExecutorService ABORTER = Executors.newCachedThreadPool(daemons("loadperf-postgres-abort"));

    /** A call that may fail like JDBC does. */
    interface SqlCall<T> {
        T call() throws SQLException;
    }

    /** A call without a result that may fail like JDBC does. */
    interface SqlRun {
        void run() throws SQLException;
    }

    private final long timeoutSeconds;
    private final String server;

    /**
     * @param timeoutSeconds the longest one call may block
     * @param server         the server for messages, {@code host:port/database} (never a URL: it could hold secrets)
     */
    Watchdog(long timeoutSeconds, String server) {
        this.timeoutSeconds = timeoutSeconds;
        this.server = server;
    }

    long timeoutSeconds() {
        return timeoutSeconds;
    }

    /** A watch over {@code connection} (a pooled one; the physical connection is aborted through it). */
    Watch watch(Connection connection) {
        return new Watch(connection);
    }

    /** The calls of one connection, one at a time. */
    final class Watch {
        private final Connection connection;
        private volatile String abortedDuring;

        private Watch(Connection connection) {
            this.connection = connection;
        }

        Connection connection() {
            return connection;
        }

        /** Whether the watchdog aborted this connection: it is closed and must not go back to the pool. */
        boolean aborted() {
            return abortedDuring != null;
        }

        /** Runs {@code call}, aborting the connection if it blocks longer than the timeout. */
        <T> T call(String step, SqlCall<T> call) throws SQLException {
            ScheduledFuture<?> alarm = TIMER.schedule(() -> abort(step), timeoutSeconds, TimeUnit.SECONDS);
            try {
                T result = call.call();
                if (abortedDuring != null) {
                    // The alarm fired as the call returned: the connection is gone, so its result cannot be trusted.
                    throw new ServerTimeoutException(message(abortedDuring), null);
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                if (abortedDuring != null) {
                    throw new ServerTimeoutException(message(abortedDuring), e);
                }
                throw e;
            } finally {
                alarm.cancel(false);
            }
        }

        void run(String step, SqlRun run) throws SQLException {
            call(step, () -> {
                run.run();
                return null;
            });
        }

        private void abort(String step) {
            synchronized (this) {
                if (abortedDuring != null) {
                    return;
                }
                abortedDuring = step;
            }
            LOG.warn("PostgreSQL at {} did not answer within {} s while {}; aborting the connection", server,
                    timeoutSeconds, step);
            try {
                connection.unwrap(Connection.class).abort(ABORTER);
            } catch (SQLException | RuntimeException e) {
                LOG.debug("Aborting a connection failed", e);
            }
        }
    }

    private String message(String step) {
        return "PostgreSQL at " + server + " did not answer within load_timeout_seconds (" + timeoutSeconds
                + " s) while " + step + "; the connection was aborted (is the server frozen, overloaded or"
                + " unreachable?)";
    }

    /** A call outlasted the timeout and its connection was aborted. */
    static final class ServerTimeoutException extends SQLException {
        private static final long serialVersionUID = 1L;

        ServerTimeoutException(String message, Throwable cause) {
            super(message, "08006", cause);
        }
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, daemons("loadperf-postgres-watchdog"));
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    private static ThreadFactory daemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
