package org.loadperf.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

    @Test
    void tasks_run_one_at_a_time_in_order_on_a_shared_pool() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            SerialExecutor a = new SerialExecutor(pool);
            SerialExecutor b = new SerialExecutor(pool);
            List<Integer> seenA = new ArrayList<>();
            List<Integer> seenB = new ArrayList<>();
            AtomicInteger runningA = new AtomicInteger();
            AtomicInteger overlapA = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(400);
            for (int i = 0; i < 200; i++) {
                int n = i;
                a.execute(() -> {
                    if (runningA.incrementAndGet() > 1) {
                        overlapA.incrementAndGet();
                    }
                    Thread.yield();
                    seenA.add(n); // unsynchronized on purpose: one at a time, each run sees the one before
                    runningA.decrementAndGet();
                    done.countDown();
                });
                b.execute(() -> {
                    synchronized (seenB) {
                        seenB.add(n);
                    }
                    done.countDown();
                });
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(overlapA).hasValue(0);
            assertThat(seenA).hasSize(200).isSorted();
            assertThat(seenB).hasSize(200).isSorted();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a_failing_task_does_not_stop_the_next() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r);
            t.setUncaughtExceptionHandler((thread, e) -> { }); // the failure below is the test's own
            return t;
        });
        try {
            SerialExecutor serial = new SerialExecutor(pool);
            CountDownLatch ran = new CountDownLatch(1);
            serial.execute(() -> {
                throw new IllegalStateException("expected in this test");
            });
            serial.execute(ran::countDown);
            assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }
}
