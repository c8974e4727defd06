package org.loadperf.core.verdict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.loadperf.api.Metric;
import org.loadperf.api.Threshold;
import org.loadperf.api.Verdict.Status;
import org.loadperf.api.Verdict;
import org.loadperf.core.stats.Statistics;

class VerdictEngineTest {

    private final VerdictEngine engine = new VerdictEngine(0.95);
    private static final Threshold FIVE = new Threshold(Metric.THROUGHPUT, 5.0);

    private static List<Double> samples(Random rnd, int n, double center, double cvPercent) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(center * (1 + rnd.nextGaussian() * cvPercent / 100));
        }
        return out;
    }

    private Verdict compare(List<Double> base, List<Double> cur) {
        double figure = Statistics.median(Statistics.toArray(base));
        return engine.compare(Metric.THROUGHPUT, base, figure, cur, FIVE, 0.0);
    }

    @Test
    void clearRegressionIsFoundWithItsBoundAndNoise() {
        Random rnd = new Random(1);
        Verdict v = compare(samples(rnd, 5, 100_000, 1), samples(rnd, 5, 80_000, 1));
        assertThat(v.status()).isEqualTo(Status.REGRESSION);
        assertThat(v.regressionPercent()).isCloseTo(20, within(3.0));
        assertThat(v.confidenceBound()).isGreaterThan(5).isLessThanOrEqualTo(v.regressionPercent() + 1);
        assertThat(v.noisePercent()).isBetween(0.1, 3.0);
        assertThat(v.minDetectablePercent()).isPositive().isLessThan(10);
        assertThat(v.method()).isEqualTo("hodges-lehmann");
        assertThat(v.message()).contains("throughput worse by").contains("threshold 5.0%");
    }

    @Test
    void clearImprovement() {
        Random rnd = new Random(2);
        Verdict v = compare(samples(rnd, 5, 100_000, 1), samples(rnd, 5, 130_000, 1));
        assertThat(v.status()).isEqualTo(Status.IMPROVED);
        assertThat(v.regressionPercent()).isNegative();
    }

    @Test
    void pureNoiseRarelyGivesRegression() {
        Random rnd = new Random(3);
        int regressions = 0;
        int inconclusive = 0;
        for (int trial = 0; trial < 2000; trial++) {
            Verdict v = compare(samples(rnd, 5, 50_000, 4), samples(rnd, 5, 50_000, 4));
            regressions += v.status() == Status.REGRESSION ? 1 : 0;
            inconclusive += v.status() == Status.INCONCLUSIVE ? 1 : 0;
        }
        // A REGRESSION needs the change past the threshold and a 99% bound past zero: among independent samples of
        // one distribution that may happen in at most 1% of the comparisons (the exact rank bound gives 0.8%); 30 of
        // 2000 is 1% plus three binomial standard deviations.
        assertThat(regressions).isLessThanOrEqualTo(30);
        // The point rule of the guide would have cried wolf on many of these; ours calls them inconclusive at most.
        assertThat(inconclusive).isLessThan(400);
    }

    @Test
    void noisyRegressionPastTheThresholdIsInconclusive() {
        Random rnd = new Random(4);
        Verdict v = compare(samples(rnd, 5, 100, 15), List.of(90.0, 70.0, 110.0, 95.0, 80.0));
        assertThat(v.regressionPercent()).isGreaterThan(5);
        assertThat(v.status()).isEqualTo(Status.INCONCLUSIVE);
    }

    @Test
    void singleValueBaselineFallsBackToTheGuidesPointComparison() {
        Verdict v = engine.compare(Metric.THROUGHPUT, List.of(84786.86), 84786.86,
                List.of(73626.78, 73626.78, 73626.78), FIVE, 0.0);
        assertThat(v.status()).isEqualTo(Status.REGRESSION);
        assertThat(v.method()).isEqualTo("point");
        assertThat(v.regressionPercent()).isCloseTo(13.2, within(0.05));
        assertThat(v.message()).contains("single value");
    }

    @Test
    void lowerIsBetterMetricsRegressUpwards() {
        Verdict v = engine.compare(Metric.MEMORY, List.of(100.0, 101.0, 99.0, 100.5, 99.5), 100.0,
                List.of(130.0, 131.0, 129.0, 130.5, 129.5), new Threshold(Metric.MEMORY, 10), 0.0);
        assertThat(v.status()).isEqualTo(Status.REGRESSION);
        assertThat(v.regressionPercent()).isCloseTo(30, within(0.1));
    }

    @Test
    void extraNoiseWidensTheBound() {
        List<Double> base = List.of(100.0, 100.5, 99.5, 100.2, 99.8);
        List<Double> cur = List.of(92.0, 92.5, 91.5, 92.2, 91.8);
        assertThat(engine.compare(Metric.THROUGHPUT, base, 100, cur, FIVE, 0).status()).isEqualTo(Status.REGRESSION);
        assertThat(engine.compare(Metric.THROUGHPUT, base, 100, cur, FIVE, 5).status())
                .isEqualTo(Status.INCONCLUSIVE);
    }
}
