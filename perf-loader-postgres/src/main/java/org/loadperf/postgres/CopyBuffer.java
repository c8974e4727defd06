package org.loadperf.postgres;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;

/**
 * A growable byte array written big-endian (PostgreSQL's wire order) without boxing or intermediate objects. The
 * array is reused from batch to batch; it only grows when a single row is larger than it.
 */
final class CopyBuffer {

    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] bytes;
    private int position;

    CopyBuffer(int capacity) {
        this.bytes = new byte[capacity];
    }

    byte[] array() {
        return bytes;
    }

    int position() {
        return position;
    }

    int capacity() {
        return bytes.length;
    }

    /** Continues in {@code next} (an empty buffer handed back by a sink), dropping what was written. */
    void reset(byte[] next) {
        this.bytes = next;
        this.position = 0;
    }

    void ensure(int more) {
        int needed = position + more;
        if (needed < 0) {
            throw new IllegalStateException("a single row exceeds 2 GiB");
        }
        if (needed > bytes.length) {
            byte[] grown = new byte[Math.max(needed, (int) Math.min(Integer.MAX_VALUE - 8, bytes.length * 2L))];
            System.arraycopy(bytes, 0, grown, 0, position);
            bytes = grown;
        }
    }

    void putByte(int v) {
        ensure(1);
        bytes[position++] = (byte) v;
    }

    void putShort(int v) {
        ensure(2);
        SHORT.set(bytes, position, (short) v);
        position += 2;
    }

    void putInt(int v) {
        ensure(4);
        INT.set(bytes, position, v);
        position += 4;
    }

    void putLong(long v) {
        ensure(8);
        LONG.set(bytes, position, v);
        position += 8;
    }

    /** Writes {@code v} at {@code at}, earlier in the buffer (a length known only after its value was written). */
    void putIntAt(int at, int v) {
        INT.set(bytes, at, v);
    }

    void putBytes(byte[] src, int offset, int length) {
        ensure(length);
        System.arraycopy(src, offset, bytes, position, length);
        position += length;
    }

    /** Copies {@code length} bytes of {@code src} from {@code offset}; returns where they start in this buffer. */
    int putBytes(ArrowBuf src, long offset, int length) {
        ensure(length);
        int at = position;
        src.getBytes(offset, bytes, at, length);
        position += length;
        return at;
    }

    /** Writes text that is known to be ASCII (numbers, JSON punctuation). */
    void putAscii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            bytes[position++] = (byte) s.charAt(i);
        }
    }

    /**
     * Index of the first NUL byte in {@code [from, from + length)}, or -1. Eight bytes at a time (a word has a zero
     * byte iff {@code (v - 0x01..01) & ~v & 0x80..80} is not zero): the byte-wise scan was three quarters of the
     * encoder's time in a profile of a 1M-row load (docs/postgres-load-2026-11-30.md).
     */
    int indexOfNul(int from, int length) {
        byte[] b = bytes;
        int i = from;
        int end = from + length;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            long v = (long) LONG.get(b, i);
            if (((v - 0x0101010101010101L) & ~v & 0x8080808080808080L) != 0) {
                break;
            }
        }
        for (; i < end; i++) {
            if (b[i] == 0) {
                return i - from;
            }
        }
        return -1;
    }
}
