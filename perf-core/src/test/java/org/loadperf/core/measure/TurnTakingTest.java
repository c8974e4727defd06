package org.loadperf.core.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two sides in threads of one process stand for compare's two processes; the state file is the same. */
class TurnTakingTest {

    @TempDir
    Path dir;

    /** One side's runner: {@code n} iterations, each recorded with its side and checked not to overlap another. */
    private static Runnable side(TurnTaking t, String name, int n, List<String> order, AtomicBoolean busy) {
        return () -> {
            for (int i = 0; i < n; i++) {
                t.take();
                if (!busy.compareAndSet(false, true)) {
                    throw new AssertionError(name + " ran while the other side was running");
                }
                order.add(name);
                Thread.onSpinWait();
                busy.set(false);
                t.pass();
            }
            t.release();
        };
    }

    @Test
    void bothSidesAlternateIterationByIterationAndNeverRunAtOnce() throws Exception {
        TurnTaking.prepare(dir, Duration.ofMinutes(1));
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean busy = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> base = pool.submit(side(TurnTaking.at(dir, "base", System::nanoTime), "base", 20, order, busy));
            Future<?> head = pool.submit(side(TurnTaking.at(dir, "head", System::nanoTime), "head", 20, order, busy));
            base.get(1, TimeUnit.MINUTES);
            head.get(1, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        assertThat(order).hasSize(40);
        for (int i = 1; i < order.size(); i++) {
            assertThat(order.get(i)).as("iteration %d of %s", i, order).isNotEqualTo(order.get(i - 1));
        }
    }

    @Test
    void theFirstSideWaitsUntilTheOtherArrivesOrEnds() throws Exception {
        TurnTaking.prepare(dir, Duration.ofMinutes(1));
        TurnTaking base = TurnTaking.at(dir, "base", System::nanoTime);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> took = pool.submit(base::take);
            Thread.sleep(200);
            assertThat(took).as("took the turn before the head arrived").isNotDone();
            TurnTaking.ended(dir, "head"); // the head's process exited without taking a turn (an old commit)
            took.get(1, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        base.pass(); // nobody waits: returns at once
        base.release();
    }

    @Test
    void aSideThatEndsHoldingTheTurnDoesNotBlockTheOther() throws Exception {
        TurnTaking.prepare(dir, Duration.ofMinutes(1));
        TurnTaking base = TurnTaking.at(dir, "base", System::nanoTime);
        TurnTaking head = TurnTaking.at(dir, "head", System::nanoTime);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> b = pool.submit(base::take);
            Future<?> h = pool.submit(head::take);
            // one of them holds the turn, the other waits for it; the holder's process dies without releasing it
            awaitOneDone(b, h);
            String holder = b.isDone() ? "base" : "head";
            Future<?> waiting = b.isDone() ? h : b;
            Thread.sleep(100);
            assertThat(waiting).isNotDone();
            TurnTaking.ended(dir, holder);
            waiting.get(1, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aWaitIsBoundedAndTheSideThenGoesOnAlone() {
        TurnTaking.prepare(dir, Duration.ofSeconds(10));
        AtomicLong now = new AtomicLong();
        TurnTaking base = TurnTaking.at(dir, "base", () -> now.addAndGet(1_000_000_000L));
        base.take(); // the head never arrives: after 10 (fake) seconds the base goes on
        base.pass();
        base.release();
        assertThat(base.handovers()).isZero();
    }

    @Test
    void aBadSideOrAMissingDirectoryFailsNamingTheSetting() {
        TurnTaking.prepare(dir, Duration.ofMinutes(1));
        assertThatThrownBy(() -> TurnTaking.at(dir, "left", System::nanoTime))
                .hasMessageContaining("PERF_COMPARE_SIDE").hasMessageContaining("left");
        assertThatThrownBy(() -> TurnTaking.at(dir.resolve("nothing"), "base", System::nanoTime))
                .hasMessageContaining("PERF_COMPARE_TURNS").hasMessageContaining("nothing");
    }

    @Test
    void noTurnsCostNothing() {
        TurnTaking none = TurnTaking.none();
        none.take();
        none.pass();
        none.release();
        assertThat(none.isNone()).isTrue();
    }

    private static void awaitOneDone(Future<?> a, Future<?> b) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!a.isDone() && !b.isDone() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(a.isDone() || b.isDone()).as("one side took the turn").isTrue();
    }
}
