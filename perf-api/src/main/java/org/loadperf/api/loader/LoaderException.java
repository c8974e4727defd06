package org.loadperf.api.loader;

import org.loadperf.api.annotation.Api;

/**
 * A load or a loader's configuration failed. The message names the problem: the key, column, row, batch or
 * file, and never contains a password.
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public class LoaderException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A failure described by {@code message}. */
    public LoaderException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public LoaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
