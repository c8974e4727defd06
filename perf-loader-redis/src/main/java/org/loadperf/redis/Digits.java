package org.loadperf.redis;

/**
 * Decimal digits of longs written straight into byte arrays, two digits per division (most values fit an int, whose
 * division by a constant is a multiply): integers and timestamps are in every row, often several times.
 */
final class Digits {

    private static final byte[] PAIRS = new byte[200];
    private static final long[] POWERS = new long[19];

    static {
        for (int i = 0; i < 100; i++) {
            PAIRS[2 * i] = (byte) ('0' + i / 10);
            PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
        long p = 1;
        for (int i = 0; i < POWERS.length; i++) {
            POWERS[i] = p;
            p *= 10;
        }
    }

    private Digits() {
    }

    /** Characters of {@code v} in decimal, with its sign; not for {@link Long#MIN_VALUE}. */
    static int length(long v) {
        long r = v < 0 ? -v : v;
        int n = 1;
        while (n < POWERS.length && r >= POWERS[n]) {
            n++;
        }
        return v < 0 ? n + 1 : n;
    }

    /** Writes {@code v} so that its last digit lands at {@code end - 1}; not for {@link Long#MIN_VALUE}. */
    static void write(long v, byte[] out, int end) {
        boolean negative = v < 0;
        long r = negative ? -v : v;
        int pos = end;
        while (r > Integer.MAX_VALUE) {
            long q = r / 100;
            int d = (int) (r - q * 100) * 2;
            r = q;
            out[--pos] = PAIRS[d + 1];
            out[--pos] = PAIRS[d];
        }
        int i = (int) r;
        while (i >= 100) {
            int q = i / 100;
            int d = (i - q * 100) * 2;
            i = q;
            out[--pos] = PAIRS[d + 1];
            out[--pos] = PAIRS[d];
        }
        if (i >= 10) {
            out[--pos] = PAIRS[2 * i + 1];
            out[--pos] = PAIRS[2 * i];
        } else {
            out[--pos] = (byte) ('0' + i);
        }
        if (negative) {
            out[--pos] = '-';
        }
    }

    /** The digits of {@code v} in an array of exactly their length. */
    static byte[] of(long v) {
        if (v == Long.MIN_VALUE) {
            return Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        byte[] out = new byte[length(v)];
        write(v, out, out.length);
        return out;
    }
}
