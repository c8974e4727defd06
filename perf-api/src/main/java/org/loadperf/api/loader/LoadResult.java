package org.loadperf.api.loader;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.loadperf.api.annotation.Api;

/**
 * What one {@link Loader#loadBatch} or {@link Loader#loadTable} did. A failed load throws
 * {@link LoaderException} instead of returning a result.
 *
 * @param rowsLoaded      rows written
 * @param bytes           Arrow buffer bytes of the rows written (the input size, not the store's)
 * @param durationSeconds wall seconds the load took
 * @param table           the target table, key prefix or path
 * @param loaderType      the loader's type, e.g. {@code postgresql}
 * @param metadata        loader-specific facts (batches, batch size, files written, table version, ...)
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public record LoadResult(long rowsLoaded, long bytes, double durationSeconds, String table, String loaderType,
                         Map<String, Object> metadata) {

    /** Checks the values and copies the metadata. */
    public LoadResult {
        Objects.requireNonNull(table, "table is null");
        Objects.requireNonNull(loaderType, "loaderType is null");
        if (rowsLoaded < 0) {
            throw new IllegalArgumentException("rowsLoaded must be >= 0, got " + rowsLoaded);
        }
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata == null ? Map.of() : metadata));
    }

    /** Rows per second of this load (0 for an instantaneous one). */
    public double rowsPerSecond() {
        return durationSeconds > 0 ? rowsLoaded / durationSeconds : 0.0;
    }
}
