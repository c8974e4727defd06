package org.loadperf.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CopyBufferTest {

    @Test
    void indexOfNulFindsTheFirstNulAtEveryPositionAndOffset() {
        for (int length = 0; length <= 40; length++) {
            for (int from = 0; from < 9; from++) {
                CopyBuffer b = new CopyBuffer(64);
                byte[] text = new byte[from + length];
                java.util.Arrays.fill(text, (byte) 0x80); // high bytes: the word test must not take them for NUL
                b.putBytes(text, 0, text.length);
                assertThat(b.indexOfNul(from, length)).as("no NUL, from %d length %d", from, length).isEqualTo(-1);
                for (int at = 0; at < length; at++) {
                    byte[] withNul = text.clone();
                    withNul[from + at] = 0;
                    if (at + 1 < length) {
                        withNul[from + at + 1] = 0; // a second NUL after it: the first one is the answer
                    }
                    CopyBuffer c = new CopyBuffer(64);
                    c.putBytes(withNul, 0, withNul.length);
                    assertThat(c.indexOfNul(from, length)).as("NUL at %d, from %d length %d", at, from, length)
                            .isEqualTo(at);
                }
            }
        }
    }

    @Test
    void aNulBeforeTheRangeIsNotReported() {
        CopyBuffer b = new CopyBuffer(16);
        b.putBytes(new byte[] {0, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 0x01, (byte) 0xff}, 0, 12);
        assertThat(b.indexOfNul(1, 11)).isEqualTo(-1);
        assertThat(b.indexOfNul(0, 12)).isZero();
    }
}
