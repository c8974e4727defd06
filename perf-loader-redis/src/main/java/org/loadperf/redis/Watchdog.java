package org.loadperf.redis;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Bounds every blocking call on a load's connections: a socket read ends at the socket timeout, but a socket write to
 * a server that stopped reading (frozen, overloaded, network gone) blocks for as long as the kernel's buffers stay full.
 * A {@link Guard} marks when a call starts and ends; a call still running after {@code limit} has its connections
 * closed, which ends the blocked write (or read) with an exception, and the guard remembers that it fired.
 */
final class Watchdog implements AutoCloseable {

    private final long limitNanos;
    private final LongSupplier clock;
    private final Set<Guard> guards = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer;

    /** A watchdog checking every quarter of {@code limit} on its own daemon thread. */
    static Watchdog start(Duration limit) {
        Watchdog w = new Watchdog(limit, System::nanoTime, true);
        long period = Math.max(10, limit.toMillis() / 4);
        w.timer.scheduleWithFixedDelay(w::check, period, period, TimeUnit.MILLISECONDS);
        return w;
    }

    /** A watchdog without a thread, checked by calling {@link #check()}; for tests with their own clock. */
    static Watchdog manual(Duration limit, LongSupplier clock) {
        return new Watchdog(limit, clock, false);
    }

    private Watchdog(Duration limit, LongSupplier clock, boolean threaded) {
        this.limitNanos = limit.toNanos();
        this.clock = clock;
        if (threaded) {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread thread = new Thread(r, "redis-loader-watchdog");
                thread.setDaemon(true);
                return thread;
            });
            t.setRemoveOnCancelPolicy(true);
            this.timer = t;
        } else {
            this.timer = null;
        }
    }

    /** The longest a guarded call may run. */
    Duration limit() {
        return Duration.ofNanos(limitNanos);
    }

    /** A new guard; {@link Guard#close()} stops watching it. */
    Guard guard() {
        Guard g = new Guard();
        guards.add(g);
        return g;
    }

    /** Closes the connections of every guard whose current call has run longer than the limit. */
    void check() {
        long now = clock.getAsLong();
        for (Guard g : guards) {
            if (g.busy && now - g.since > limitNanos) {
                g.fire();
            }
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        guards.clear();
    }

    /** Watches the calls of one user of connections (one pipeline, one clear); not shared between threads. */
    final class Guard implements AutoCloseable {
        private final List<AutoCloseable> aborts = new CopyOnWriteArrayList<>();
        private volatile boolean busy;
        private volatile long since;
        private volatile boolean fired;

        /** Registers what ends this guard's blocked calls (closing a connection's socket). */
        void watch(AutoCloseable abort) {
            aborts.add(abort);
        }

        /** A blocking call starts. */
        void enter() {
            since = clock.getAsLong();
            busy = true;
        }

        /** The call ended. */
        void exit() {
            busy = false;
        }

        /** Whether a call ran too long and the connections were closed. */
        boolean fired() {
            return fired;
        }

        private void fire() {
            fired = true;
            busy = false;
            for (AutoCloseable a : aborts) {
                try {
                    a.close();
                } catch (Exception ignored) {
                    // The connection is being abandoned; the blocked call reports the failure.
                }
            }
        }

        @Override
        public void close() {
            guards.remove(this);
        }
    }
}
