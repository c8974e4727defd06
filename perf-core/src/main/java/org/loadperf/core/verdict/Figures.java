package org.loadperf.core.verdict;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import org.loadperf.api.annotation.Api;

/**
 * Figures for people: two decimals at 1 and above, three significant digits below, so that a small figure never
 * prints as 0.00 ("0.0016", not "0.00").
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class Figures {

    private Figures() {
    }

    public static String format(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Double.isInfinite(v) || v == 0) {
            return v == 0 ? "0" : String.valueOf(v);
        }
        if (Math.abs(v) >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }
}
