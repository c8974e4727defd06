package org.loadperf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.Test;
import org.loadperf.api.Benchmark;
import org.loadperf.api.Reporter;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.InMemoryBaselineStore;

/** A setup that fails half-way (data made, then the server refuses) frees what it made and reports one error. */
class SetupFailureTest {

    @Test
    void aFailedSetupRunsTheTeardownSoThatNothingLeaks() {
        AtomicBoolean tornDown = new AtomicBoolean();
        ArrowBuf[] data = new ArrowBuf[1];
        Benchmark b = Benchmark.builder("refused_connection", "counting").datasetSize(10)
                .setup(ctx -> {
                    data[0] = ctx.allocator().buffer(4096); // the recorded dataset
                    throw new IllegalStateException("Connection refused");
                })
                .body(ctx -> 10)
                .teardown(ctx -> {
                    tornDown.set(true);
                    if (data[0] != null) {
                        data[0].close();
                    }
                })
                .build();
        try (PerfRunner runner = PerfRunner.builder(PerfSettings.of(Map.of(), Map.of(), Map.of()))
                .store(new InMemoryBaselineStore()).reporter(new Reporter() { }).warmupTime(Duration.ZERO)
                .measurementTime(Duration.ZERO).build()) {
            assertThatThrownBy(() -> runner.run(b))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("refused_connection failed in setup")
                    .hasMessageContaining("Connection refused")
                    .satisfies(e -> assertThat(e.getSuppressed()).as("suppressed (a leak?)").isEmpty());
        }
        assertThat(tornDown).isTrue();
    }
}
