package org.loadperf.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The watchdog's decisions on a clock of the test's own. */
class WatchdogTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final Watchdog watchdog = Watchdog.manual(Duration.ofSeconds(2), now::get);

    @Test
    void closesTheConnectionsOfACallRunningPastTheLimitOnly() {
        AtomicInteger closed = new AtomicInteger();
        Watchdog.Guard guard = watchdog.guard();
        guard.watch(closed::incrementAndGet);
        guard.watch(closed::incrementAndGet);

        guard.enter();
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        watchdog.check();
        assertThat(closed).as("exactly at the limit").hasValue(0);
        guard.exit();
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        watchdog.check();
        assertThat(closed).as("idle between calls, however long").hasValue(0);
        assertThat(guard.fired()).isFalse();

        guard.enter();
        now.addAndGet(Duration.ofSeconds(2).toNanos() + 1);
        watchdog.check();
        assertThat(closed).as("both connections of the stuck call").hasValue(2);
        assertThat(guard.fired()).isTrue();
        watchdog.check();
        assertThat(closed).as("closed once").hasValue(2);
    }

    @Test
    void aClosedGuardIsNoLongerWatched() {
        AtomicInteger closed = new AtomicInteger();
        Watchdog.Guard guard = watchdog.guard();
        guard.watch(closed::incrementAndGet);
        guard.enter();
        guard.close();
        now.addAndGet(Duration.ofMinutes(1).toNanos());
        watchdog.check();
        assertThat(closed).hasValue(0);
    }
}
