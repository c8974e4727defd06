package org.loadperf.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.Decimal256Vector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.TimeStampSecVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.complex.StructVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The documented encoding of each Arrow type, checked against java.time / BigDecimal / Base64. */
class RedisValueEncoderTest {

    private final BufferAllocator allocator = new RootAllocator();

    @AfterEach
    void close() {
        allocator.close();
    }

    private static String text(RedisValueEncoder e, int row) {
        return new String(e.text(row), StandardCharsets.UTF_8);
    }

    private static String json(RedisValueEncoder e, int row) {
        ByteSink s = new ByteSink(8);
        e.writeJson(row, s);
        return new String(s.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void integersSignedAndUnsigned() {
        try (TinyIntVector t = new TinyIntVector("t", allocator); UInt1Vector u1 = new UInt1Vector("u1", allocator);
             UInt8Vector u8 = new UInt8Vector("u8", allocator)) {
            t.setSafe(0, -128);
            u1.setSafe(0, 255);
            u8.setSafe(0, -1L);
            u8.setSafe(1, Long.MAX_VALUE);
            t.setValueCount(1);
            u1.setValueCount(1);
            u8.setValueCount(2);
            assertThat(text(RedisValueEncoder.of(t), 0)).isEqualTo("-128");
            assertThat(text(RedisValueEncoder.of(u1), 0)).isEqualTo("255");
            assertThat(text(RedisValueEncoder.of(u8), 0)).isEqualTo("18446744073709551615");
            assertThat(json(RedisValueEncoder.of(u8), 1)).isEqualTo(Long.toString(Long.MAX_VALUE));
            assertThat(RedisValueEncoder.of(u8).score(0)).isEqualTo(1.8446744073709552E19);
        }
    }

    @Test
    void floatsIncludingNonFinite() {
        try (Float4Vector f = new Float4Vector("f", allocator); Float8Vector d = new Float8Vector("d", allocator)) {
            f.setSafe(0, 0.1f);
            d.setSafe(0, 1e-5);
            d.setSafe(1, Double.NaN);
            d.setSafe(2, Double.NEGATIVE_INFINITY);
            f.setValueCount(1);
            d.setValueCount(3);
            assertThat(text(RedisValueEncoder.of(f), 0)).isEqualTo("0.1");
            assertThat(text(RedisValueEncoder.of(d), 0)).isEqualTo("1.0E-5");
            assertThat(json(RedisValueEncoder.of(d), 0)).isEqualTo("1.0E-5");
            assertThat(text(RedisValueEncoder.of(d), 1)).isEqualTo("NaN");
            assertThat(json(RedisValueEncoder.of(d), 1)).isEqualTo("\"NaN\"");
            assertThat(json(RedisValueEncoder.of(d), 2)).isEqualTo("\"-Infinity\"");
        }
    }

    @Test
    void timestampsAreUnitCountsAsTextAndIsoInJson() {
        long nanos = -1_234_567_891L; // before the epoch: floor division matters
        long seconds = 253_402_300_799L; // 9999-12-31T23:59:59
        try (TimeStampNanoTZVector n = new TimeStampNanoTZVector("n", allocator, "Europe/Paris");
             TimeStampSecVector s = new TimeStampSecVector("s", allocator);
             TimeStampMilliVector m = new TimeStampMilliVector("m", allocator)) {
            n.setSafe(0, nanos);
            s.setSafe(0, seconds);
            m.setSafe(0, 1_000L * 86_400 * 365 * 20_000); // beyond year 9999
            n.setValueCount(1);
            s.setValueCount(1);
            m.setValueCount(1);
            assertThat(text(RedisValueEncoder.of(n), 0)).isEqualTo(Long.toString(nanos));
            assertThat(json(RedisValueEncoder.of(n), 0)).isEqualTo("\"" + Instant.EPOCH.plusNanos(nanos) + "\"")
                    .isEqualTo("\"1969-12-31T23:59:58.765432109Z\"");
            assertThat(json(RedisValueEncoder.of(s), 0)).isEqualTo("\"9999-12-31T23:59:59\"");
            assertThat(json(RedisValueEncoder.of(m), 0)).isEqualTo("\""
                    + LocalDateTime.ofEpochSecond(86_400L * 365 * 20_000, 0, ZoneOffset.UTC).toLocalDate() + "T00:00:00.000\"");
            assertThat(RedisValueEncoder.of(s).score(0)).isEqualTo(seconds);
        }
    }

    @Test
    void datesTimesDecimalsAndText() {
        try (DateMilliVector date = new DateMilliVector("date", allocator);
             TimeSecVector ts = new TimeSecVector("ts", allocator); TimeMilliVector tm = new TimeMilliVector("tm", allocator);
             TimeMicroVector tu = new TimeMicroVector("tu", allocator); TimeNanoVector tn = new TimeNanoVector("tn", allocator);
             Decimal256Vector dec = new Decimal256Vector("dec", allocator, 40, 5);
             LargeVarCharVector large = new LargeVarCharVector("large", allocator);
             FixedSizeBinaryVector fixed = new FixedSizeBinaryVector("fixed", allocator, 3)) {
            date.setSafe(0, -86_400_000L * 3 + 5); // 1969-12-29, a few ms past midnight
            ts.setSafe(0, 13 * 3600 + 45 * 60 + 30);
            tm.setSafe(0, (13 * 3600 + 45 * 60 + 30) * 1000 + 7);
            tu.setSafe(0, 1L);
            tn.setSafe(0, 86_399_999_999_999L);
            BigDecimal big = new BigDecimal("-123456789012345678901234567890.12345");
            dec.setSafe(0, big);
            large.setSafe(0, "ünï \"x\"".getBytes(StandardCharsets.UTF_8));
            fixed.setSafe(0, new byte[] {(byte) 0xFF, 0, '"'});
            for (FieldVector v : new FieldVector[] {date, ts, tm, tu, tn, dec, large, fixed}) {
                v.setValueCount(1);
            }
            assertThat(text(RedisValueEncoder.of(date), 0)).isEqualTo(LocalDate.of(1969, 12, 29).toString());
            assertThat(text(RedisValueEncoder.of(ts), 0)).isEqualTo("13:45:30");
            assertThat(text(RedisValueEncoder.of(tm), 0)).isEqualTo("13:45:30.007");
            assertThat(text(RedisValueEncoder.of(tu), 0)).isEqualTo("00:00:00.000001");
            assertThat(text(RedisValueEncoder.of(tn), 0)).isEqualTo(LocalTime.MAX.truncatedTo(ChronoUnit.NANOS).toString());
            assertThat(text(RedisValueEncoder.of(dec), 0)).isEqualTo(big.toPlainString());
            assertThat(json(RedisValueEncoder.of(dec), 0)).isEqualTo("\"" + big.toPlainString() + "\"");
            assertThat(json(RedisValueEncoder.of(large), 0)).isEqualTo("\"ünï \\\"x\\\"\"");
            assertThat(RedisValueEncoder.of(fixed).text(0)).containsExactly(0xFF, 0, '"');
            assertThat(json(RedisValueEncoder.of(fixed), 0)).isEqualTo("\"/wAi\"");
        }
    }

    @Test
    void nullColumnsAndNestedTypes() {
        try (NullVector nulls = new NullVector("nothing", 2); StructVector struct = StructVector.empty("s", allocator)) {
            assertThat(RedisValueEncoder.of(nulls).isNull(1)).isTrue();
            assertThatThrownBy(() -> RedisValueEncoder.of(struct)).hasMessageContaining("column 's'")
                    .hasMessageContaining("Struct");
        }
    }

    @Test
    void longDigits() {
        java.util.List<Long> values = new java.util.ArrayList<>(java.util.List.of(0L, 7L, -7L, 10L, -10L, 99L, 100L,
                101L, 999L, 1000L, 123456789012345L, (long) Integer.MAX_VALUE, Integer.MAX_VALUE + 1L,
                (long) Integer.MIN_VALUE, Integer.MIN_VALUE - 1L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1));
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 2000; i++) {
            values.add(random.nextLong() >> random.nextInt(64));
        }
        for (long v : values) {
            assertThat(new String(RedisValueEncoder.longBytes(v), StandardCharsets.US_ASCII)).isEqualTo(Long.toString(v));
            ByteSink s = new ByteSink(1);
            s.writeLong(v);
            assertThat(new String(s.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo(Long.toString(v));
        }
    }

    @Test
    void jsonStringEscapesControlCharacters() {
        ByteSink s = new ByteSink(4);
        RedisValueEncoder.writeJsonString("a\u0001\u001f\n\\\"é".getBytes(StandardCharsets.UTF_8), s);
        assertThat(new String(s.toByteArray(), StandardCharsets.UTF_8)).isEqualTo("\"a\\u0001\\u001f\\n\\\\\\\"é\"");
    }
}
