package org.loadperf.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MetricTest {

    @Test
    void regressionPercentFollowsTheGuidesExamples() {
        assertThat(Metric.THROUGHPUT.regressionPercent(84786.86, 73626.78)).isCloseTo(13.2, within(0.05));
        assertThat(Metric.THROUGHPUT.regressionPercent(5012.0, 4650.0)).isCloseTo(7.2, within(0.05));
    }

    @Test
    void lowerIsBetterMetricsRegressWhenTheyGrow() {
        assertThat(Metric.MEMORY.regressionPercent(100, 115)).isCloseTo(15.0, within(1e-9));
        assertThat(Metric.DURATION.regressionPercent(2.0, 1.5)).isCloseTo(-25.0, within(1e-9));
        assertThat(Metric.THROUGHPUT.regressionPercent(100, 120)).isCloseTo(-20.0, within(1e-9));
    }

    @Test
    void zeroBaselineGivesNaNNotADivisionError() {
        assertThat(Metric.THROUGHPUT.regressionPercent(0.0, 10.0)).isNaN();
    }

    @Test
    void metricsAreFoundByTheirJsonKeys() {
        assertThat(Metric.fromKey("throughput_rows_per_sec")).isEqualTo(Metric.THROUGHPUT);
        assertThat(Metric.fromKey("memory")).isEqualTo(Metric.MEMORY);
        assertThatThrownBy(() -> Metric.fromKey("speed")).hasMessageContaining("speed");
    }

    @Test
    void defaultThresholdsAreTheGuides() {
        Thresholds t = Thresholds.defaults();
        assertThat(t.of(Metric.THROUGHPUT).percent()).isEqualTo(5.0);
        assertThat(t.of(Metric.MEMORY).percent()).isEqualTo(10.0);
        assertThat(t.of(Metric.DURATION).percent()).isEqualTo(10.0);
        assertThat(t.with(Metric.MEMORY, 25).of(Metric.MEMORY).exceededBy(24.9)).isFalse();
        assertThatThrownBy(() -> t.with(Metric.MEMORY, -1)).hasMessageContaining("memory_mb");
    }
}
