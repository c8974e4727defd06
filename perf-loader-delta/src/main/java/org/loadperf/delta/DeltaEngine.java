package org.loadperf.delta;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.defaults.engine.LoggingMetricsReporter;
import io.delta.kernel.defaults.engine.fileio.FileIO;
import io.delta.kernel.engine.MetricsReporter;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kernel's default engine, whose metrics reports (one per snapshot load and one per commit) are made only when they
 * will be logged: Kernel's {@link LoggingMetricsReporter} serializes each report to JSON before its logger drops it,
 * a fixed cost of every small load (docs/streaming-loads.md). With its logger at INFO, the reports are logged as
 * before.
 */
final class DeltaEngine extends DefaultEngine {

    private static final Logger REPORTS = LoggerFactory.getLogger(LoggingMetricsReporter.class);

    DeltaEngine(FileIO fileIO) {
        super(fileIO);
    }

    @Override
    public List<MetricsReporter> getMetricsReporters() {
        return REPORTS.isInfoEnabled() ? super.getMetricsReporters() : List.of();
    }
}
