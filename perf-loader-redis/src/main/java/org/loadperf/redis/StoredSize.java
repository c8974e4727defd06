package org.loadperf.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import redis.clients.jedis.CommandArguments;

/**
 * What one load costs the server in memory, from {@code MEMORY USAGE}: the table's one key (sorted set, set, list,
 * stream) and its key registry measured before the first write and after the last; per-row keys (hash, string,
 * json) estimated from a fixed-size sample of the keys written (reservoir sampling, a fixed seed so that two loads
 * of the same rows sample the same keys) times the keys the registry lists. {@code INFO memory} is not used: on a
 * shared server other clients' writes move it. Without a registry ({@code key_registry} false) the table's per-row
 * keys cannot be counted: only what the load's own keys take is known ({@link #written()}).
 */
final class StoredSize {

    /**
     * Keys sampled per load, measured in one pipelined round trip at the end of the load: an estimate within a few
     * percent for rows of one shape.
     */
    static final int SAMPLE = 16;

    private final List<byte[]> sample = new ArrayList<>(SAMPLE);
    private final SplittableRandom random = new SplittableRandom(17);
    private long keysSeen;
    private boolean started;
    private long usageBefore;
    private long keysBefore;
    private double perKey;
    private long total = -1;
    private byte[] registryKey;
    private byte[] aggregateKey;

    /**
     * Before the load's first write: the table's keys as they are (after an OVERWRITE's clear); one round trip.
     * {@code registryKey} is null when the loader keeps no registry.
     */
    void start(RedisEndpoint endpoint, byte[] registryKey, byte[] aggregateKey) {
        if (started) {
            return;
        }
        started = true;
        this.registryKey = registryKey;
        this.aggregateKey = aggregateKey;
        try {
            Tally before = tally(endpoint, List.of());
            usageBefore = before.usage;
            keysBefore = before.keys;
        } catch (RuntimeException e) {
            // A figure for the report, not part of the load: a server that refuses MEMORY (ACL) loses only the figure.
            unavailable = e;
        }
    }

    private RuntimeException unavailable;

    /** Offers the per-row keys of one written chunk to the sample. */
    void written(byte[][] keys) {
        if (keys == null) {
            return;
        }
        for (byte[] key : keys) {
            keysSeen++;
            if (sample.size() < SAMPLE) {
                sample.add(key);
            } else {
                long slot = random.nextLong(keysSeen);
                if (slot < SAMPLE) {
                    sample.set((int) slot, key);
                }
            }
        }
    }

    /**
     * Measures the table after the load: to be called once, after the last write.
     *
     * @return whether anything was written (otherwise there is nothing to report)
     */
    boolean finish(RedisEndpoint endpoint) {
        if (!started) {
            return false;
        }
        if (unavailable != null) {
            throw unavailable;
        }
        Tally after = tally(endpoint, sample);
        if (!sample.isEmpty()) {
            perKey = (double) after.sampled / sample.size();
        }
        written = Math.round(perKey * keysSeen);
        if (aggregateKey == null && registryKey == null) {
            return true; // per-row keys and no registry to count them: total and added unknown
        }
        total = Math.round(perKey * after.keys) + after.usage;
        added = Math.max(0, Math.round(perKey * (after.keys - keysBefore)) + after.usage - usageBefore);
        return true;
    }

    private long added = -1;
    private long written;

    /** Whether the table's total and the load's addition are known (not for per-row keys without a registry). */
    boolean tableKnown() {
        return total >= 0;
    }

    /** Bytes of server memory the keys this load wrote take (estimated; per-row keys only, else 0). */
    long written() {
        return written;
    }

    /** Bytes the table takes on the server after the load (estimated). */
    long total() {
        return total;
    }

    /** Bytes of server memory the load added (estimated). */
    long added() {
        return added;
    }

    /** The sampled keys' bytes, the table's own keys' bytes and its registered keys, in one pipelined round trip. */
    private record Tally(long sampled, long usage, long keys) {
    }

    private Tally tally(RedisEndpoint endpoint, List<byte[]> sampled) {
        List<CommandArguments> commands = new ArrayList<>(sampled.size() + 3);
        for (byte[] key : sampled) {
            commands.add(RedisEndpoint.memoryUsageCommand(key));
        }
        if (registryKey != null) {
            commands.add(RedisEndpoint.memoryUsageCommand(registryKey));
        }
        if (aggregateKey != null) {
            commands.add(RedisEndpoint.memoryUsageCommand(aggregateKey));
        } else if (registryKey != null) {
            commands.add(RedisEndpoint.setSizeCommand(registryKey));
        }
        List<Object> replies = commands.isEmpty() ? List.of() : endpoint.executeAll(commands);
        long sum = 0;
        for (int i = 0; i < sampled.size(); i++) {
            sum += RedisEndpoint.sizeReply(replies.get(i));
        }
        int next = sampled.size();
        long usage = registryKey != null ? RedisEndpoint.sizeReply(replies.get(next++)) : 0;
        if (aggregateKey != null) {
            return new Tally(sum, usage + RedisEndpoint.sizeReply(replies.get(next)), 0);
        }
        return new Tally(sum, usage, registryKey != null ? RedisEndpoint.sizeReply(replies.get(next)) : 0);
    }
}
