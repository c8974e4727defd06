package org.loadperf.core.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencySeriesTest {

    @Test
    void percentilesAreNearestRankInMillis() {
        LatencySeries s = new LatencySeries();
        for (int i = 1; i <= 100; i++) {
            s.add(i * 1_000_000L);
        }
        assertThat(s.percentileMillis(50)).isEqualTo(50.0);
        assertThat(s.percentileMillis(95)).isEqualTo(95.0);
        assertThat(s.percentileMillis(99)).isEqualTo(99.0);
        assertThat(s.percentileMillis(100)).isEqualTo(100.0);
    }

    @Test
    void changeComparesTheWindowAfterTheSkippedLoadsWithTheLastWindow() {
        LatencySeries s = new LatencySeries();
        for (int i = 0; i < 1000; i++) {
            s.add(i < 10 ? 500_000_000L : i < 500 ? 10_000_000L : 15_000_000L);
        }
        Map<String, Object> f = s.figures();
        assertThat(f).containsEntry("loads", 1000).containsEntry("latency_window", 100)
                .containsEntry("latency_skipped", 10).containsEntry("latency_first_p50_ms", 10.0)
                .containsEntry("latency_last_p50_ms", 15.0).containsEntry("latency_change_pct", 50.0);
    }

    @Test
    void describeWritesTheFiguresAsOneLineForAPerson() {
        LatencySeries s = new LatencySeries();
        for (int i = 0; i < 20; i++) {
            s.add(i < 10 ? 10_000_000L : 12_500_000L);
        }
        Map<String, Object> f = new java.util.LinkedHashMap<>(s.figures());
        f.put("rows_per_load", 1000L);
        f.put("load_average", "0.50 0.40 0.30");
        f.put("anchor_p50_ms", 9.4937);
        f.put("table_version", 19L);
        assertThat(LatencySeries.describe(f)).isEqualTo("20 loads of 1,000 rows: p50 10.0 ms, p95 12.5 ms, p99 12.5 ms;"
                + " first 9 after 2 skipped 10.0 ms, last 9 12.5 ms (+25.0%); load_average 0.50 0.40 0.30;"
                + " anchor_p50_ms 9.5; table_version 19");
    }

    @Test
    void shortStreamsUseShorterWindowsAndLoadsScaleWithTheTestSize() {
        LatencySeries s = new LatencySeries();
        for (int i = 0; i < 20; i++) {
            s.add(1_000_000L);
        }
        assertThat(s.skip()).isEqualTo(2);
        assertThat(s.window()).isEqualTo(9);
        assertThat(LatencySeries.loads(50_000)).isEqualTo(1000);
        assertThat(LatencySeries.loads(1_000_000)).isEqualTo(1000);
        assertThat(LatencySeries.loads(10_000)).isEqualTo(40);
        assertThat(LatencySeries.loads(20_000)).isEqualTo(160);
        assertThat(LatencySeries.loads(100)).isEqualTo(20);
        assertThat(LatencySeries.warmupLoads(1000)).isEqualTo(LatencySeries.MAX_WARMUP);
        assertThat(LatencySeries.warmupLoads(40)).isEqualTo(13);
        assertThat(LatencySeries.warmupLoads(2)).isZero();
        assertThatThrownBy(() -> s.add(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
