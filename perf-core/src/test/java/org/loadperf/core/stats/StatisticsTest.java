package org.loadperf.core.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatisticsTest {

    @Test
    void mannWhitneyCdfMatchesCountedArrangements() {
        // 5 against 5: 252 arrangements; U = 0, 1, 2, 3, 4 occur 1, 1, 2, 3, 5 times.
        double[] cdf = Statistics.mannWhitneyCdf(5, 5);
        assertThat(cdf[4]).isCloseTo(12.0 / 252, within(1e-12));
        assertThat(cdf[25]).isCloseTo(1.0, within(1e-12));
        assertThat(Statistics.mannWhitneyCdf(3, 4)[0]).isCloseTo(1.0 / 35, within(1e-12));
    }

    @Test
    void confidenceRankIsTheLargestRankWithinAlpha() {
        assertThat(Statistics.confidenceRank(5, 5, 0.05)).isEqualTo(5);
        assertThat(Statistics.confidenceRank(3, 3, 0.05)).isEqualTo(1);
        assertThat(Statistics.confidenceRank(2, 2, 0.05)).isZero();
        // The normal approximation joins the exact values smoothly.
        int exact = Statistics.confidenceRank(40, 40, 0.05);
        int approx = Statistics.confidenceRank(41, 41, 0.05);
        assertThat(approx).isBetween(exact, exact + 60);
    }

    @Test
    void inverseNormalKnownQuantiles() {
        assertThat(Statistics.inverseNormal(0.975)).isCloseTo(1.959964, within(1e-5));
        assertThat(Statistics.inverseNormal(0.05)).isCloseTo(-1.644854, within(1e-5));
    }

    @Test
    void summaryStatistics() {
        double[] v = {1, 2, 3, 4, 100};
        assertThat(Statistics.median(v)).isEqualTo(3.0);
        assertThat(Statistics.mean(v)).isEqualTo(22.0);
        assertThat(Statistics.median(new double[]{4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(Statistics.stddev(new double[]{2, 4, 4, 4, 5, 5, 7, 9})).isCloseTo(2.13809, within(1e-5));
    }
}
