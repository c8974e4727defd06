package org.loadperf.api;

import org.loadperf.api.annotation.Api;

/**
 * When a run becomes the baseline that later runs are compared with. Every run is kept in the store's history
 * whatever the policy.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public enum BaselinePolicy {
    /** Every run replaces the baseline (the guide's behaviour). */
    ALWAYS_UPDATE,
    /** A run replaces the baseline unless it has a regression, so a slow commit cannot become the norm. */
    UPDATE_UNLESS_REGRESSED,
    /** The baseline never moves on its own (for CI: baselines change by an explicit, reviewed commit). */
    PINNED;

    /** Parses {@code always}, {@code update-unless-regressed} or {@code pinned} (any case, - or _). */
    public static BaselinePolicy parse(String text) {
        String t = text.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        if (t.equals("ALWAYS") || t.equals("ALWAYS_UPDATE") || t.equals("UPDATE")) {
            return ALWAYS_UPDATE;
        }
        for (BaselinePolicy p : values()) {
            if (p.name().equals(t)) {
                return p;
            }
        }
        throw new IllegalArgumentException("Unknown baseline policy '" + text
                + "'; use always, update-unless-regressed or pinned");
    }
}
