package org.loadperf.api.loader;

import java.util.Set;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.loadperf.api.annotation.Api;

/**
 * Moves Arrow data into one store. Made by its {@link LoaderProvider}; holds the store's connections until
 * {@link #close()}. A loader is safe for use by one thread at a time unless its provider says otherwise.
 *
 * <p>Failures throw {@link LoaderException}, whose message names the batch, column or row; a failed batch leaves
 * nothing half-written.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public interface Loader extends AutoCloseable {

    /** The loader type, e.g. {@code postgresql}. */
    String type();

    /** The modes this loader supports; any other fails before anything is written. */
    Set<LoadMode> supportedModes();

    /**
     * Loads one batch, atomically: all of its rows or none.
     *
     * @param batch the rows; not closed by the loader
     * @param table the target table, key prefix or path
     * @param mode  how to treat what the target already holds
     */
    LoadResult loadBatch(VectorSchemaRoot batch, String table, LoadMode mode);

    /**
     * Loads everything {@code source} yields, batch by batch, re-chunked to the loader's {@code batch_size}.
     * Memory stays bounded by the batch size, not the table size. {@link LoadMode#OVERWRITE} replaces the table's
     * content once, not per batch.
     *
     * @param source the rows; read to the end but not closed by the loader
     */
    LoadResult loadTable(ArrowReader source, String table, LoadMode mode);

    /** Releases the loader's connections and files. */
    @Override
    void close();
}
