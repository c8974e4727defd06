package org.loadperf.delta;

import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.hook.PostCommitHook;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Kernel's post-commit hooks after a commit. The checksum file is written at once (the next snapshot reads the
 * table's protocol and metadata from it); a checkpoint, which reads the table's whole state, is written on one
 * background thread while the next loads go on, one at a time: when the previous one still runs, the new one is
 * skipped, since a later checkpoint covers the table as well. A failed hook is logged, not fatal: the commit stands,
 * and a missing checkpoint or checksum only makes later snapshot loads read more of the log.
 */
final class PostCommitHooks implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostCommitHooks.class);
    /** How long {@link #close()} waits for a checkpoint still being written. */
    static final long CLOSE_WAIT_SECONDS = 120;

    private final Engine engine;
    private final String tablePath;
    private ExecutorService background;
    private Future<?> checkpoint;
    private long checkpointVersion = -1;

    PostCommitHooks(Engine engine, String tablePath) {
        this.engine = engine;
        this.tablePath = tablePath;
    }

    /** Runs or starts the hooks of {@code result}; returns their names as the load's result lists them. */
    synchronized List<String> run(TransactionCommitResult result) {
        List<String> ran = new ArrayList<>();
        for (PostCommitHook hook : result.getPostCommitHooks()) {
            if (hook.getType() == PostCommitHook.PostCommitHookType.CHECKPOINT) {
                ran.add(startCheckpoint(hook, result.getVersion()));
            } else {
                ran.add(invoke(hook, result.getVersion()) ? hook.getType().name()
                        : hook.getType().name() + " (failed)");
            }
        }
        return ran;
    }

    private String startCheckpoint(PostCommitHook hook, long version) {
        if (checkpoint != null && !checkpoint.isDone()) {
            LOG.info("Checkpoint at version {} of {} skipped: the one at version {} is still being written",
                    version, tablePath, checkpointVersion);
            return "CHECKPOINT (skipped, " + checkpointVersion + " still running)";
        }
        if (background == null) {
            background = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "delta-checkpoint");
                // A process that exits mid-checkpoint leaves no partial one: Kernel writes it atomically.
                t.setDaemon(true);
                return t;
            });
        }
        checkpointVersion = version;
        checkpoint = background.submit(() -> {
            if (invoke(hook, version)) {
                LOG.info("Wrote checkpoint at version {} of {}", version, tablePath);
            }
        });
        return "CHECKPOINT (background)";
    }

    private boolean invoke(PostCommitHook hook, long version) {
        try {
            hook.threadSafeInvoke(engine);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("Post-commit hook {} for version {} of {} failed: {}", hook.getType(), version, tablePath,
                    e.toString());
            return false;
        }
    }

    /** Waits up to {@code seconds} for the checkpoint being written, if any; true when none is left running. */
    synchronized boolean awaitCheckpoint(long seconds) {
        if (checkpoint == null) {
            return true;
        }
        try {
            checkpoint.get(seconds, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true; // invoke() logs its failures; nothing escapes it but errors, reported by the thread
        }
    }

    /** Lets a checkpoint being written finish (for at most {@link #CLOSE_WAIT_SECONDS}), then stops the thread. */
    @Override
    public synchronized void close() {
        if (background == null) {
            return;
        }
        if (!awaitCheckpoint(CLOSE_WAIT_SECONDS)) {
            LOG.warn("The checkpoint at version {} of {} is still being written after {} s; left to finish in the "
                    + "background", checkpointVersion, tablePath, CLOSE_WAIT_SECONDS);
        }
        background.shutdown();
    }
}
