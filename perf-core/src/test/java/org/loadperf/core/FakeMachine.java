package org.loadperf.core;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.loadperf.api.Benchmark;
import org.loadperf.core.measure.MachineSensor;

/**
 * A clock that benchmark bodies advance by hand and a machine of fixed figures, like Caffeine's FakeTicker: tests of
 * time-based loops and verdicts run the same on any machine, however busy, and take no wall time.
 */
public final class FakeMachine implements LongSupplier {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private volatile double cpuShare = 1.0;
    private volatile double sliceSpeed = 10_000_000;
    private long lastWall = nanos.get();
    private long run;
    private long waited;

    @Override
    public long getAsLong() {
        return nanos.get();
    }

    void advance(long millis) {
        nanos.addAndGet(millis * 1_000_000L);
    }

    /** From now on the process gets {@code share} of a CPU per busy thread and the slices run at {@code speed}. */
    FakeMachine busy(double share, double speed) {
        this.cpuShare = share;
        this.sliceSpeed = speed;
        return this;
    }

    /** A body that takes {@code millis} on this clock and loads {@code rows} rows. */
    Benchmark.Body takes(long millis, long rows) {
        return ctx -> {
            advance(millis);
            return rows;
        };
    }

    /** A benchmark of {@code rows} rows whose every iteration takes {@code millis} on this clock. */
    public Benchmark benchmark(String test, long millis) {
        return Benchmark.builder(test, "counting").datasetSize(1000).body(takes(millis, 1000)).build();
    }

    MachineSensor sensor() {
        return new MachineSensor() {
            @Override
            public synchronized Counters read() {
                long now = nanos.get();
                run += (long) ((now - lastWall) * cpuShare);
                waited += (long) ((now - lastWall) * (1 - cpuShare));
                lastWall = now;
                return new Counters(now, -1, run, waited, -1, -1, -1);
            }

            @Override
            public double sliceSpeed() {
                return sliceSpeed;
            }
        };
    }

    /** {@code builder} with this clock and this machine. */
    public PerfRunner.Builder on(PerfRunner.Builder builder) {
        return builder.ticker(this).machineSensor(sensor());
    }
}
