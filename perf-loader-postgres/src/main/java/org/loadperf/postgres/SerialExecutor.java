package org.loadperf.postgres;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs its tasks one at a time, in the order given, on the threads of a shared pool: each load's committer keeps
 * its commits in batch order, while the threads outlive the load. Starting a thread per load was a fixed cost of
 * every small load in a stream (docs/streaming-loads.md).
 */
final class SerialExecutor implements Executor {

    /** Daemon threads shared by every loader of the JVM; an idle one ends after a minute. */
    private static final ExecutorService SHARED = committers();

    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final Executor pool;
    private Runnable active;

    SerialExecutor() {
        this(SHARED);
    }

    SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public synchronized void execute(Runnable task) {
        tasks.add(() -> {
            try {
                task.run();
            } finally {
                next();
            }
        });
        if (active == null) {
            next();
        }
    }

    private synchronized void next() {
        active = tasks.poll();
        if (active != null) {
            pool.execute(active);
        }
    }

    private static ExecutorService committers() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60L, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "loadperf-postgres-commit-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        return Executors.unconfigurableExecutorService(pool);
    }
}
