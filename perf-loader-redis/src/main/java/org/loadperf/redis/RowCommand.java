package org.loadperf.redis;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.args.Rawable;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * A row's command (HSET, XADD) whose argument objects are reused from row to row, for a pipeline that writes each
 * command into its connection's buffer as it is sent ({@link CommandPipeline#writesThrough()}). A Jedis
 * {@link CommandArguments} per row costs two lists and a wrapper per argument; here the values are encoded into
 * arrays of their exact length (RESP needs each argument's length, and Jedis writes whole arrays) that are kept per
 * argument position and length for the next row. Only {@link #size()} and {@link #iterator()} are read when the
 * command is written; the inherited {@code add}/{@code key} methods must not be used.
 */
final class RowCommand extends CommandArguments {

    /** Values up to this many bytes reuse their array; longer ones get one of their own. */
    static final int REUSED_LENGTH = 64;

    private final List<Slot> slots = new ArrayList<>();
    private final ByteSink sink = new ByteSink(REUSED_LENGTH);
    private final Args args = new Args();
    private int size;

    RowCommand(ProtocolCommand command) {
        super(command);
        slot(0).raw = command.getRaw();
        size = 1;
    }

    /** Starts the next row: only the command stays. */
    RowCommand reset() {
        size = 1;
        return this;
    }

    /** Adds an argument as it is (a key, a field name, a constant). */
    RowCommand raw(byte[] value) {
        slot(size++).raw = value;
        return this;
    }

    /** Adds the text form of {@code encoder}'s non-null value at {@code row}. */
    RowCommand text(RedisValueEncoder encoder, int row) {
        sink.reset();
        encoder.writeText(row, sink);
        slot(size++).set(sink);
        return this;
    }

    private Slot slot(int i) {
        while (slots.size() <= i) {
            slots.add(new Slot());
        }
        return slots.get(i);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Iterator<Rawable> iterator() {
        args.next = 0;
        return args;
    }

    @Override
    public Rawable get(int index) {
        if (index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        return slots.get(index);
    }

    /** One argument position: the current value, and the arrays of each short length used there so far. */
    private static final class Slot implements Rawable {
        private byte[] raw;
        private byte[][] byLength;

        void set(ByteSink from) {
            int n = from.length();
            byte[] a;
            if (n <= REUSED_LENGTH) {
                if (byLength == null) {
                    byLength = new byte[REUSED_LENGTH + 1][];
                }
                a = byLength[n];
                if (a == null) {
                    a = new byte[n];
                    byLength[n] = a;
                }
            } else {
                a = new byte[n];
            }
            System.arraycopy(from.array(), 0, a, 0, n);
            raw = a;
        }

        @Override
        public byte[] getRaw() {
            return raw;
        }
    }

    private final class Args implements Iterator<Rawable> {
        int next;

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public Rawable next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            return slots.get(next++);
        }
    }
}
