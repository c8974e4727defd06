package org.loadperf.redis;

import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Sends a load's commands pipelined and checks every reply, at most {@code pipeline_size} commands per sync, so that
 * client memory is bounded by the pipeline size and not by the row count.
 *
 * <p>On one server ({@link #windowed}) the commands go straight onto one pooled {@link Connection} in windows of
 * {@code pipeline_size}: when a window is complete it is flushed and the replies of the window before it are read.
 * The server thus always has the next window queued while the client reads replies and encodes rows, instead of
 * idling at every sync as with a plain Jedis {@code Pipeline} (which matters most on a busy machine); at most two
 * windows of replies are outstanding. With {@code pipeline_size} 1 every command waits for its reply. On a Redis
 * Cluster ({@link #clustered}) Jedis' cluster pipeline routes the commands by slot and is synced every
 * {@code pipeline_size} commands.
 */
abstract class CommandPipeline implements AutoCloseable {

    /** Commands the server rejected, found at a sync (all replies of that sync were read first). */
    static final class RejectedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int rejected;
        private final int checked;

        RejectedException(int rejected, int checked, JedisDataException first) {
            super(first.getMessage(), first);
            this.rejected = rejected;
            this.checked = checked;
        }

        int rejected() {
            return rejected;
        }

        int checked() {
            return checked;
        }
    }

    private final AutoCloseable release;
    final int size;
    /** Bounds every call that can block; its connections are closed when one runs too long. */
    final Watchdog.Guard guard;
    long sent;
    long syncs;

    private CommandPipeline(int size, Watchdog.Guard guard, AutoCloseable release) {
        this.size = size;
        this.guard = guard;
        this.release = release;
    }

    /**
     * Windowed pipelining on one connection; {@code release} gives the connection back. The guard's abort closes the
     * connection's socket.
     */
    static CommandPipeline windowed(Connection connection, int size, Watchdog.Guard guard, AutoCloseable release) {
        guard.watch(connection::forceDisconnect);
        return new Windowed(connection, size, guard, release);
    }

    /**
     * A Jedis (cluster) pipeline synced every {@code size} commands; {@code release} closes it. The caller registers
     * the pipeline's connections with the guard.
     */
    static CommandPipeline clustered(AbstractPipeline pipeline, int size, Watchdog.Guard guard, AutoCloseable release) {
        return new Synced(pipeline, size, guard, release);
    }

    /** Whether a call made no progress within the watchdog's limit, so that the connection was closed. */
    boolean stalled() {
        return guard.fired();
    }

    /** Queues one command; may flush and check earlier replies. */
    abstract void send(CommandArguments command);

    /**
     * Whether {@link #send} has written the command into the connection's buffer when it returns, so that the caller
     * may reuse its argument objects for the next command ({@link RowCommand}); a cluster pipeline keeps them.
     */
    boolean writesThrough() {
        return false;
    }

    /**
     * Flushes every queued command and checks all outstanding replies.
     *
     * @throws RejectedException when the server rejected any of them
     */
    abstract void sync();

    /** Reads every outstanding reply, ignoring rejections. */
    abstract void drain();

    /** Marks the connection unusable so that the pool drops it. */
    void discard() {
    }

    long commandsSent() {
        return sent;
    }

    long syncs() {
        return syncs;
    }

    /**
     * Gives the connection(s) back. Commands still queued (after a failure) are delivered and their replies read
     * first, so that the pooled connection carries nothing stale to its next user; a connection where that fails is
     * discarded.
     */
    @Override
    public void close() {
        try {
            if (guard.fired()) {
                discard();
            } else {
                guard.enter();
                try {
                    drain();
                } catch (RuntimeException e) {
                    discard();
                }
            }
            // Releasing may still write (a cluster pipeline syncs what it holds): guarded too.
            guard.enter();
            release.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            guard.exit();
            guard.close();
        }
    }

    static void check(List<Object> replies) {
        int rejected = 0;
        JedisDataException first = null;
        for (Object reply : replies) {
            if (reply instanceof JedisDataException e) {
                rejected++;
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw new RejectedException(rejected, replies.size(), first);
        }
    }

    private static final class Windowed extends CommandPipeline {
        private final Connection connection;
        /** Commands of the window being filled. */
        private int current;
        /** Commands of the previous window, sent and flushed, replies not read yet. */
        private int previous;

        Windowed(Connection connection, int size, Watchdog.Guard guard, AutoCloseable release) {
            super(size, guard, release);
            this.connection = connection;
        }

        @Override
        boolean writesThrough() {
            return true;
        }

        @Override
        void send(CommandArguments command) {
            guard.enter();
            try {
                connection.sendCommand(command);
                sent++;
                if (++current == size) {
                    if (size == 1) {
                        sync();
                        return;
                    }
                    // getMany flushes the full window first, then reads the previous window's replies.
                    int toRead = previous;
                    previous = current;
                    current = 0;
                    if (toRead > 0) {
                        syncs++;
                        check(connection.getMany(toRead));
                    }
                }
            } finally {
                guard.exit();
            }
        }

        @Override
        void drain() {
            int outstanding = previous + current;
            previous = 0;
            current = 0;
            if (outstanding > 0 && !connection.isBroken()) {
                connection.getMany(outstanding);
            }
        }

        @Override
        void discard() {
            connection.setBroken();
        }

        @Override
        void sync() {
            int outstanding = previous + current;
            previous = 0;
            current = 0;
            if (outstanding > 0) {
                syncs++;
                guard.enter();
                try {
                    check(connection.getMany(outstanding));
                } finally {
                    guard.exit();
                }
            }
        }
    }

    private static final class Synced extends CommandPipeline {
        private final AbstractPipeline pipeline;
        private final Response<?>[] pending;
        private int queued;

        Synced(AbstractPipeline pipeline, int size, Watchdog.Guard guard, AutoCloseable release) {
            super(size, guard, release);
            this.pipeline = pipeline;
            this.pending = new Response<?>[size];
        }

        @Override
        void send(CommandArguments command) {
            guard.enter();
            try {
                pending[queued++] = pipeline.sendCommand(command);
            } finally {
                guard.exit();
            }
            sent++;
            if (queued == pending.length) {
                sync();
            }
        }

        @Override
        void drain() {
            // Closing a cluster pipeline syncs what it still holds.
            queued = 0;
        }

        @Override
        void sync() {
            if (queued == 0) {
                return;
            }
            guard.enter();
            try {
                pipeline.sync();
            } finally {
                guard.exit();
            }
            syncs++;
            int n = queued;
            queued = 0;
            int rejected = 0;
            JedisDataException first = null;
            for (int i = 0; i < n; i++) {
                try {
                    pending[i].get();
                } catch (JedisDataException e) {
                    rejected++;
                    if (first == null) {
                        first = e;
                    }
                }
                pending[i] = null;
            }
            if (first != null) {
                throw new RejectedException(rejected, n, first);
            }
        }
    }
}
