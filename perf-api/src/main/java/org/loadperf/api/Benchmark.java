package org.loadperf.api;

import org.loadperf.api.annotation.Api;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.loadperf.api.loader.Loader;

/**
 * A named, repeatable unit of work: one load, run several times by a runner that measures each run.
 *
 * <p>A benchmark is identified by its {@link #key()}, {@code {loader_type}_{test_name}} as in the guide's
 * {@code performance_benchmarks.json}. Per iteration the runner calls {@code beforeEach} (not measured), then
 * {@code body} (measured), then {@code afterEach} (not measured); {@code setup} and {@code teardown} run once
 * around all iterations.
 *
 * <pre>{@code
 * Benchmark b = Benchmark.builder("large_table_loading_performance", "postgresql")
 *         .datasetSize(rows)
 *         .body(ctx -> {
 *             try (ArrowReader data = PerfDatasets.performance(ctx.allocator(), rows, 10_000)) {
 *                 return loader.loadTable(data, "perf_table", LoadMode.OVERWRITE).rowsLoaded();
 *             }
 *         })
 *         .build();
 * }</pre>
 */
@Api(status = Api.Status.STABLE, since = "0.1")
public final class Benchmark {

    /** Work done around the measured body; not measured. */
    @FunctionalInterface
    @Api(status = Api.Status.STABLE, since = "0.1")
    public interface Phase {
        /** Runs the phase. */
        void run(BenchmarkContext context) throws Exception;
    }

    /** The measured work. */
    @FunctionalInterface
    @Api(status = Api.Status.STABLE, since = "0.1")
    public interface Body {
        /**
         * Runs the measured work once.
         *
         * @return the number of rows processed, the numerator of throughput
         */
        long run(BenchmarkContext context) throws Exception;
    }

    private static final Phase NOTHING = ctx -> { };

    private final String testName;
    private final String loaderType;
    private final long datasetSize;
    private final Phase setup;
    private final Phase beforeEach;
    private final Body body;
    private final Phase afterEach;
    private final Phase teardown;
    private final Thresholds thresholds;
    private final Supplier<? extends Loader> loader;

    private Benchmark(Builder b) {
        this.testName = b.testName;
        this.loaderType = b.loaderType;
        this.datasetSize = b.datasetSize;
        this.setup = b.setup;
        this.beforeEach = b.beforeEach;
        this.body = Objects.requireNonNull(b.body, () -> "benchmark " + key() + " has no body");
        this.afterEach = b.afterEach;
        this.teardown = b.teardown;
        this.thresholds = b.thresholds;
        this.loader = b.loader;
    }

    /** Starts a benchmark named {@code testName} for loader type {@code loaderType}. */
    public static Builder builder(String testName, String loaderType) {
        return new Builder(testName, loaderType);
    }

    /** The test part of the key, e.g. {@code large_table_loading_performance}. */
    public String testName() {
        return testName;
    }

    /** The loader part of the key, e.g. {@code postgresql}. */
    public String loaderType() {
        return loaderType;
    }

    /** {@code {loader_type}_{test_name}}, the key in the baseline store. */
    public String key() {
        return loaderType + "_" + testName;
    }

    /** Rows per iteration as recorded in {@code dataset_size}. */
    public long datasetSize() {
        return datasetSize;
    }

    /** Runs once before all iterations. */
    public Phase setup() {
        return setup;
    }

    /** Runs before every iteration, not measured. */
    public Phase beforeEach() {
        return beforeEach;
    }

    /** The measured work. */
    public Body body() {
        return body;
    }

    /** Runs after every iteration, not measured. */
    public Phase afterEach() {
        return afterEach;
    }

    /** Runs once after all iterations, even when one failed. */
    public Phase teardown() {
        return teardown;
    }

    /** Thresholds for this benchmark only; empty means the runner's. */
    public Optional<Thresholds> thresholds() {
        return Optional.ofNullable(thresholds);
    }

    /**
     * How to create the loader the runner owns for this benchmark (see {@link Builder#loader(Supplier)}); empty when
     * the benchmark brings its own.
     */
    public Optional<Supplier<? extends Loader>> loader() {
        return Optional.ofNullable(loader);
    }

    @Override
    public String toString() {
        return "Benchmark{" + key() + ", datasetSize=" + datasetSize + '}';
    }

    /** Builds a {@link Benchmark}. */
    @Api(status = Api.Status.STABLE, since = "0.1")
    public static final class Builder {
        private final String testName;
        private final String loaderType;
        private long datasetSize;
        private Phase setup = NOTHING;
        private Phase beforeEach = NOTHING;
        private Body body;
        private Phase afterEach = NOTHING;
        private Phase teardown = NOTHING;
        private Thresholds thresholds;
        private Supplier<? extends Loader> loader;

        private Builder(String testName, String loaderType) {
            this.testName = requireName(testName, "testName");
            this.loaderType = requireName(loaderType, "loaderType");
        }

        private static String requireName(String value, String what) {
            Objects.requireNonNull(value, what + " is null");
            if (value.isBlank()) {
                throw new IllegalArgumentException(what + " is blank");
            }
            return value;
        }

        /** Rows per iteration, recorded as {@code dataset_size}. */
        public Builder datasetSize(long rows) {
            if (rows < 0) {
                throw new IllegalArgumentException("datasetSize must be >= 0, got " + rows);
            }
            this.datasetSize = rows;
            return this;
        }

        /** Work done once before all iterations. */
        public Builder setup(Phase phase) {
            this.setup = Objects.requireNonNull(phase, "setup is null");
            return this;
        }

        /** Work done before every iteration, not measured (e.g. truncating the target table). */
        public Builder beforeEach(Phase phase) {
            this.beforeEach = Objects.requireNonNull(phase, "beforeEach is null");
            return this;
        }

        /** The measured work; returns the rows it processed. */
        public Builder body(Body body) {
            this.body = Objects.requireNonNull(body, "body is null");
            return this;
        }

        /** Work done after every iteration, not measured. */
        public Builder afterEach(Phase phase) {
            this.afterEach = Objects.requireNonNull(phase, "afterEach is null");
            return this;
        }

        /** Work done once after all iterations. */
        public Builder teardown(Phase phase) {
            this.teardown = Objects.requireNonNull(phase, "teardown is null");
            return this;
        }

        /** Thresholds for this benchmark, instead of the runner's. */
        public Builder thresholds(Thresholds thresholds) {
            this.thresholds = Objects.requireNonNull(thresholds, "thresholds is null");
            return this;
        }

        /**
         * Lets the runner own the loader's lifecycle: it creates the loader once after {@code setup} (measuring the
         * memory the loader holds from its creation: pools, buffers, caches), hands it to every phase through
         * {@link BenchmarkContext#loader()}, and closes it after {@code teardown}. What the loader holds counts in
         * every iteration's {@link Metric#MEMORY}, so a loader that pre-allocates its buffers does not look free.
         */
        public Builder loader(Supplier<? extends Loader> factory) {
            this.loader = Objects.requireNonNull(factory, "loader factory is null");
            return this;
        }

        /** The benchmark; fails when no body was given. */
        public Benchmark build() {
            return new Benchmark(this);
        }
    }
}
