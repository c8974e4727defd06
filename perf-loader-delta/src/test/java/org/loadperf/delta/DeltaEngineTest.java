package org.loadperf.delta;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.delta.kernel.defaults.engine.LoggingMetricsReporter;
import io.delta.kernel.defaults.engine.hadoopio.HadoopFileIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DeltaEngineTest {

    @Test
    void metrics_reports_are_made_only_when_their_logger_logs_them() {
        ch.qos.logback.classic.Logger reports =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(LoggingMetricsReporter.class);
        Level level = reports.getLevel();
        DeltaEngine engine = new DeltaEngine(new HadoopFileIO(new Configuration()));
        try {
            reports.setLevel(Level.WARN);
            assertThat(engine.getMetricsReporters()).isEmpty();
            reports.setLevel(Level.INFO);
            assertThat(engine.getMetricsReporters()).singleElement().isInstanceOf(LoggingMetricsReporter.class);
        } finally {
            reports.setLevel(level);
        }
    }
}
