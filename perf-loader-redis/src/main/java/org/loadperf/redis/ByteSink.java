package org.loadperf.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.arrow.memory.ArrowBuf;

/** A reusable, growable byte buffer: values and keys are encoded into it, then copied out once. */
final class ByteSink {

    private static final byte[] MIN_LONG = Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);

    private byte[] buf;
    private int len;

    ByteSink(int capacity) {
        buf = new byte[capacity];
    }

    void reset() {
        len = 0;
    }

    int length() {
        return len;
    }

    void write(int b) {
        if (len == buf.length) {
            grow(1);
        }
        buf[len++] = (byte) b;
    }

    void write(byte[] b) {
        write(b, 0, b.length);
    }

    void write(byte[] b, int off, int n) {
        if (len + n > buf.length) {
            grow(n);
        }
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    /** Writes {@code n} bytes of an Arrow buffer from {@code index}: a value copied without an array of its own. */
    void write(ArrowBuf from, long index, int n) {
        if (len + n > buf.length) {
            grow(n);
        }
        from.getBytes(index, buf, len, n);
        len += n;
    }

    /** The buffer itself (valid up to {@link #length()}) until the next write. */
    byte[] array() {
        return buf;
    }

    /** Writes text whose characters are all ASCII (numbers, formatted dates). */
    void writeAscii(String s) {
        int n = s.length();
        if (len + n > buf.length) {
            grow(n);
        }
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    void writeLong(long v) {
        if (v == Long.MIN_VALUE) {
            write(MIN_LONG);
            return;
        }
        int n = Digits.length(v);
        if (len + n > buf.length) {
            grow(n);
        }
        len += n;
        Digits.write(v, buf, len);
    }

    /** Writes {@code v} as exactly {@code digits} decimal digits, zero padded ({@code v} must fit). */
    void writePadded(long v, int digits) {
        if (len + digits > buf.length) {
            grow(digits);
        }
        for (int i = len + digits - 1; i >= len; i--) {
            buf[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        len += digits;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    private void grow(int extra) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }
}
