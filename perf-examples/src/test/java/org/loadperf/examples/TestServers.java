package org.loadperf.examples;

import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.postgres.PostgresTestServer;
import org.loadperf.redis.RedisTestServer;

/**
 * The PostgreSQL and Redis the cross-loader suite loads into: the loader modules' shared test servers (the
 * machine's with {@code POSTGRES_HOST} / {@code REDIS_HOST}, else embedded ones started once per JVM).
 */
final class TestServers {

    private TestServers() {
    }

    /** The shared PostgreSQL of the tests: {@code POSTGRES_HOST}, else an embedded server (not as root). */
    static LoaderConfig postgres(PerfSettings s) {
        return PostgresTestServer.shared().loaderConfig();
    }

    /** The shared Redis of the tests: {@code REDIS_HOST}, else an embedded server. */
    static LoaderConfig redis(PerfSettings s) {
        return RedisTestServer.shared().loaderConfig();
    }
}
