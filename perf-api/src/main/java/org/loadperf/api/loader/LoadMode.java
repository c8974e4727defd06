package org.loadperf.api.loader;

import org.loadperf.api.annotation.Api;

/**
 * How a load treats what the target already holds. A loader states the modes it supports
 * ({@link Loader#supportedModes()}); any other fails with a {@link LoaderException} before anything is written.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public enum LoadMode {
    /** Add the rows to what is there. */
    APPEND,
    /** Replace what is there with the rows, atomically where the store allows it. */
    OVERWRITE,
    /** Insert new rows and replace existing ones, matched on key columns. */
    UPSERT,
    /** Merge the rows into the target on key columns (stores that distinguish it from UPSERT). */
    MERGE
}
