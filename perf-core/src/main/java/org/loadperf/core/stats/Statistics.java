package org.loadperf.core.stats;

import java.util.Arrays;
import java.util.List;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.Metric;
import org.loadperf.api.MetricSummary;

/** Descriptive statistics and the exact Mann-Whitney distribution the verdicts use. */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class Statistics {

    private Statistics() {
    }

    public static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    public static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
    }

    static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return values.length == 0 ? Double.NaN : sum / values.length;
    }

    public static double stddev(double[] values) {
        if (values.length < 2) {
            return 0.0;
        }
        double m = mean(values);
        double ss = 0;
        for (double v : values) {
            ss += (v - m) * (v - m);
        }
        return Math.sqrt(ss / (values.length - 1));
    }

    /** Coefficient of variation in percent (0 for fewer than two values or a zero mean). */
    public static double cvPercent(double[] values) {
        double m = mean(values);
        return values.length < 2 || m == 0 ? 0.0 : stddev(values) / Math.abs(m) * 100.0;
    }

    public static MetricSummary summarize(Metric metric, List<Double> samples) {
        double[] v = toArray(samples);
        double min = Arrays.stream(v).min().orElse(Double.NaN);
        double max = Arrays.stream(v).max().orElse(Double.NaN);
        return new MetricSummary(metric, v.length, median(v), mean(v), stddev(v), min, max);
    }

    /**
     * The cumulative distribution of the Mann-Whitney U statistic for samples of sizes {@code n} and {@code m}
     * under the null hypothesis: {@code cdf[u] = P(U <= u)}. Exact (counting arrangements) up to 40 per side.
     */
    static double[] mannWhitneyCdf(int n, int m) {
        int max = n * m;
        // counts[i][j][u]: arrangements of i and j values with statistic u; rolled over i.
        double[][] prev = new double[m + 1][];
        for (int j = 0; j <= m; j++) {
            prev[j] = new double[]{1.0};
        }
        for (int i = 1; i <= n; i++) {
            double[][] cur = new double[m + 1][];
            cur[0] = new double[]{1.0};
            for (int j = 1; j <= m; j++) {
                double[] c = new double[i * j + 1];
                double[] a = prev[j];       // f(i-1, j, u - j): the last value belongs to the first sample
                for (int u = 0; u < a.length; u++) {
                    c[u + j] += a[u];
                }
                double[] b = cur[j - 1];    // f(i, j-1, u): the last value belongs to the second sample
                for (int u = 0; u < b.length; u++) {
                    c[u] += b[u];
                }
                cur[j] = c;
            }
            prev = cur;
        }
        double[] counts = prev[m];
        double total = 0;
        for (double c : counts) {
            total += c;
        }
        double[] cdf = new double[max + 1];
        double acc = 0;
        for (int u = 0; u <= max; u++) {
            acc += counts[u];
            cdf[u] = acc / total;
        }
        return cdf;
    }

    /**
     * The rank {@code k} (1-based) of the sorted pairwise differences that bounds the Hodges-Lehmann shift from
     * below with one-sided confidence {@code 1 - alpha}: the largest k with {@code P(U <= k-1) <= alpha}. Zero when
     * the samples are too small for any bound at that confidence.
     */
    public static int confidenceRank(int n, int m, double alpha) {
        if (n <= 40 && m <= 40) {
            double[] cdf = mannWhitneyCdf(n, m);
            int k = 0;
            while (k < cdf.length && cdf[k] <= alpha) {
                k++;
            }
            return k;
        }
        // Normal approximation for large samples.
        double mu = n * (double) m / 2.0;
        double sigma = Math.sqrt(n * (double) m * (n + m + 1) / 12.0);
        double u = mu - inverseNormal(1 - alpha) * sigma - 0.5;
        return Math.max(0, (int) Math.floor(u) + 1);
    }

    /** The quantile function of the standard normal distribution (Acklam's approximation, |error| < 1.2e-9). */
    public static double inverseNormal(double p) {
        if (p <= 0 || p >= 1) {
            throw new IllegalArgumentException("p must be in (0, 1), got " + p);
        }
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double plow = 0.02425;
        if (p < plow) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - plow) {
            return -inverseNormal(1 - p);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    /** The standard normal cumulative distribution (Abramowitz-Stegun 7.1.26 via erf, |error| < 1.5e-7). */
    public static double normalCdf(double x) {
        double z = Math.abs(x) / Math.sqrt(2.0);
        double t = 1.0 / (1.0 + 0.3275911 * z);
        double erf = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
                + 0.254829592) * t * Math.exp(-z * z);
        return x >= 0 ? 0.5 * (1.0 + erf) : 0.5 * (1.0 - erf);
    }

    /**
     * The cumulative distribution of the Wilcoxon signed-rank statistic W+ for {@code n} pairs under the null
     * hypothesis: {@code cdf[w] = P(W+ <= w)}, exact (counting the 2^n sign patterns by dynamic programming).
     */
    public static double[] signedRankCdf(int n) {
        int max = n * (n + 1) / 2;
        double[] counts = new double[max + 1];
        counts[0] = 1.0;
        for (int r = 1; r <= n; r++) {
            for (int w = max; w >= r; w--) {
                counts[w] += counts[w - r];
            }
        }
        double total = Math.pow(2.0, n);
        double[] cdf = new double[max + 1];
        double acc = 0;
        for (int w = 0; w <= max; w++) {
            acc += counts[w];
            cdf[w] = acc / total;
        }
        return cdf;
    }

    /**
     * The rank {@code k} (1-based) of the sorted Walsh averages of {@code n} paired differences that bounds their
     * median (the one-sample Hodges-Lehmann estimate) from below with one-sided confidence {@code 1 - alpha}: the
     * largest k with {@code P(W+ <= k-1) <= alpha}. Zero when {@code n} is too small for that confidence.
     */
    public static int signedRankConfidenceRank(int n, double alpha) {
        if (n <= 60) {
            double[] cdf = signedRankCdf(n);
            int k = 0;
            while (k < cdf.length && cdf[k] <= alpha) {
                k++;
            }
            return k;
        }
        double mu = n * (n + 1) / 4.0;
        double sigma = Math.sqrt(n * (n + 1) * (2.0 * n + 1) / 24.0);
        return Math.max(0, (int) Math.floor(mu - inverseNormal(1 - alpha) * sigma - 0.5) + 1);
    }

    /** The Walsh averages (x_i + x_j) / 2 for i <= j, sorted. */
    public static double[] walshAverages(double[] x) {
        double[] w = new double[x.length * (x.length + 1) / 2];
        int p = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = i; j < x.length; j++) {
                w[p++] = (x[i] + x[j]) / 2.0;
            }
        }
        Arrays.sort(w);
        return w;
    }

    /**
     * Holm's step-down procedure: which of the hypotheses with p-values {@code p} are rejected while keeping the
     * probability of any false rejection (the family-wise error rate) at most {@code alpha}. The i-th smallest
     * p-value (0-based) is compared with {@code alpha / (m - i)}; the first that fails stops the procedure.
     */
    public static boolean[] holm(double[] p, double alpha) {
        int m = p.length;
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[a], p[b]));
        boolean[] rejected = new boolean[m];
        for (int i = 0; i < m; i++) {
            int idx = order[i];
            if (!(p[idx] <= alpha / (m - i))) {
                break;
            }
            rejected[idx] = true;
        }
        return rejected;
    }

    /**
     * A robust estimate of the standard deviation of the difference between two successive values of a series (in
     * the series' own unit): the median absolute successive difference divided by 0.6745, the median of |N(0, 1)|.
     * Successive differences ignore slow drift and a single step change costs one difference, not the estimate.
     * NaN for fewer than two values.
     */
    static double successiveDifferenceSd(double[] series) {
        if (series.length < 2) {
            return Double.NaN;
        }
        double[] d = new double[series.length - 1];
        for (int i = 1; i < series.length; i++) {
            d[i - 1] = Math.abs(series[i] - series[i - 1]);
        }
        return median(d) / 0.6744897501960817;
    }

    /**
     * The quantile of Student's t distribution with {@code df} degrees of freedom (Cornish-Fisher expansion around
     * the normal quantile; within 0.5% for df >= 3 at the usual confidences). Infinite df gives the normal quantile.
     */
    public static double studentT(double p, double df) {
        double z = inverseNormal(p);
        if (Double.isInfinite(df)) {
            return z;
        }
        double z3 = z * z * z;
        double z5 = z3 * z * z;
        double z7 = z5 * z * z;
        return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df)
                + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df * df * df);
    }
}
