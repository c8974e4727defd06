package org.loadperf.postgres;

/**
 * A value that cannot be written to its PostgreSQL column, found while encoding (before the batch commits). The row
 * is the index within the Arrow batch being encoded; the loader turns it into the row of the load.
 */
final class EncodeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String column;
    private final int row;
    private final String problem;

    EncodeException(String column, int row, String problem) {
        super("column \"" + column + "\", row " + row + ": " + problem, null, false, false);
        this.column = column;
        this.row = row;
        this.problem = problem;
    }

    String column() {
        return column;
    }

    int row() {
        return row;
    }

    String problem() {
        return problem;
    }
}
