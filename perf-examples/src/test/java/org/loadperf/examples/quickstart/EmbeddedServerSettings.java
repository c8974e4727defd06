package org.loadperf.examples.quickstart;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.postgres.PostgresTestServer;

/**
 * Lets the README's Quick start run unchanged in this build: before a test class of this package, when no
 * {@code POSTGRES_HOST} is configured, it starts the tests' embedded PostgreSQL and publishes it as the
 * {@code POSTGRES_*} system properties the Quick start reads (registered through junit-platform.properties).
 */
public final class EmbeddedServerSettings implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        boolean quickstart = context.getTestClass()
                .map(c -> c.getPackageName().equals(EmbeddedServerSettings.class.getPackageName())).orElse(false);
        if (!quickstart || PerfSettings.load().get("POSTGRES_HOST").isPresent()) {
            return;
        }
        PostgresTestServer server = PostgresTestServer.shared();
        System.setProperty("POSTGRES_HOST", server.host());
        System.setProperty("POSTGRES_PORT", Integer.toString(server.port()));
        System.setProperty("POSTGRES_DB", server.database());
        System.setProperty("POSTGRES_USER", server.user());
    }
}
