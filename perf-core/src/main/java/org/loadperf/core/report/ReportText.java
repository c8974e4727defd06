package org.loadperf.core.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import org.loadperf.api.annotation.Api;

/** Escaping and number fields shared by every report that writes HTML or JSON (this package's and compare's). */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class ReportText {

    private ReportText() {
    }

    /** {@code text} escaped for HTML text and quoted attribute values. */
    public static String html(String text) {
        Objects.requireNonNull(text, "text is null");
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Puts {@code v} as {@code field}, or null when it is not finite (JSON has no NaN or infinity). */
    public static void number(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }
}
