package org.loadperf.examples;

import java.util.LinkedHashMap;
import java.util.Map;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.core.PerfSettings;
import org.loadperf.postgres.PostgresTestServer;

/** Connection settings of the PostgreSQL and Redis the cross-loader suite loads into. */
final class TestServers {

    private TestServers() {
    }

    /** The shared PostgreSQL of the tests: {@code POSTGRES_HOST}, else an embedded server (not as root). */
    static LoaderConfig postgres(PerfSettings s) {
        return PostgresTestServer.shared().loaderConfig();
    }

    static LoaderConfig redis(PerfSettings s) {
        String host = s.get("REDIS_HOST").orElseThrow(() -> new IllegalStateException(
                "REDIS_HOST is not set and no embedded Redis is available"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", host);
        m.put("port", s.getInt("REDIS_PORT", 6379));
        m.put("db", s.getInt("REDIS_DB", 0));
        s.get("REDIS_PASSWORD").ifPresent(p -> m.put("password", p));
        return LoaderConfig.of(m);
    }
}
