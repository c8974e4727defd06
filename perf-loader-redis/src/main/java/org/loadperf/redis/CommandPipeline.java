package org.loadperf.redis;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Sends commands through one Jedis pipeline and syncs it every {@code pipeline_size} commands, checking every
 * reply. Holds at most {@code pipeline_size} pending replies, so client memory is bounded by the pipeline size.
 */
final class CommandPipeline {

    /** A command the server rejected. */
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

    private final AbstractPipeline pipeline;
    private final Response<?>[] pending;
    private int size;
    private long sent;
    private long syncs;

    CommandPipeline(AbstractPipeline pipeline, int pipelineSize) {
        this.pipeline = pipeline;
        this.pending = new Response<?>[pipelineSize];
    }

    void send(CommandArguments command) {
        pending[size++] = pipeline.sendCommand(command);
        sent++;
        if (size == pending.length) {
            sync();
        }
    }

    /**
     * Flushes the pending commands and checks their replies.
     *
     * @throws RejectedException when the server rejected any of them (all replies are read first)
     */
    void sync() {
        if (size == 0) {
            return;
        }
        pipeline.sync();
        syncs++;
        int n = size;
        size = 0;
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

    long commandsSent() {
        return sent;
    }

    long syncs() {
        return syncs;
    }
}
