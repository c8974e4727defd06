package org.loadperf.core.store;

import java.nio.file.Path;
import org.loadperf.api.annotation.Api;

/**
 * A {@code performance_benchmarks.json} that cannot be read: not JSON, not a JSON object, a key twice in one
 * object, or an entry that is not a benchmark entry (a field missing or of the wrong type, a number out of
 * range). The file is left untouched; fix it or move it away (or {@link JsonFileBaselineStore#reset()} the store).
 */
@Api(status = Api.Status.STABLE, since = "0.2")
public final class CorruptStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path path;
    private final long line;
    private final long column;

    CorruptStoreException(Path path, long line, long column, String problem, Throwable cause) {
        super(message(path, line, column, problem), cause);
        this.path = path;
        this.line = line;
        this.column = column;
    }

    private static String message(Path path, long line, long column, String problem) {
        String where = line > 0 ? " at line " + line + ", column " + column : "";
        return "Corrupt baseline store " + path + where + ": " + problem
                + ". The file was left untouched; fix it or move it away to start new baselines.";
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /** The 1-based line of the problem, or -1 when the JSON is valid but an entry is not. */
    public long line() {
        return line;
    }

    /** The 1-based column of the problem, or -1 when the JSON is valid but an entry is not. */
    public long column() {
        return column;
    }
}
