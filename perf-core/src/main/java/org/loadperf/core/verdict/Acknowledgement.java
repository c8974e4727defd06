package org.loadperf.core.verdict;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.loadperf.api.annotation.Api;
import org.loadperf.api.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An expected regression accepted with a reason: its verdicts turn OK (saying so), the run becomes the baseline
 * whatever the policy, and the store keeps the reason, the commit and the time in the run's {@code acknowledged}
 * field.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class Acknowledgement {

    /** The field of a store entry that holds what was acknowledged. */
    public static final String EXTRAS_KEY = "acknowledged";

    private static final Logger LOG = LoggerFactory.getLogger(Acknowledgement.class);

    private Acknowledgement() {
    }

    /**
     * The verdicts of {@code key} with every regression acknowledged for {@code reason}; adds the note to
     * {@code notes} and the store's {@code acknowledged} field to {@code extras}.
     */
    public static List<Verdict> apply(String key, String reason, String commit, List<Verdict> verdicts,
                                      List<String> notes, Map<String, Object> extras) {
        List<Verdict> out = new ArrayList<>();
        List<String> accepted = new ArrayList<>();
        for (Verdict v : verdicts) {
            if (v.isRegression()) {
                accepted.add(String.format(Locale.ROOT, "%s %.1f%%", v.metric().displayName(),
                        v.regressionPercent()));
                out.add(new Verdict(v.metric(), Verdict.Status.OK, v.regressionPercent(), v.baseline(), v.current(),
                        v.confidenceBound(), v.confidence(), v.thresholdPercent(), v.noisePercent(),
                        v.minDetectablePercent(), v.method(), "acknowledged regression (" + reason + "): "
                        + v.message()));
            } else {
                out.add(v);
            }
        }
        Map<String, Object> ack = new LinkedHashMap<>();
        ack.put("reason", reason);
        ack.put("commit", commit);
        ack.put("time", OffsetDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        ack.put("regressions", List.copyOf(accepted));
        extras.put(EXTRAS_KEY, ack);
        notes.add(accepted.isEmpty()
                ? "acknowledged (" + reason + "), but nothing regressed; the baseline moves to this run"
                : "acknowledged regression of " + String.join(", ", accepted) + " (" + reason + "); the baseline "
                        + "moves to this run");
        LOG.info("Acknowledged {} for {}: {}", accepted.isEmpty() ? "no regression" : accepted, key, reason);
        return out;
    }
}
