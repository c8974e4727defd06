package org.loadperf.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

/**
 * Credentials against an embedded Redis started with {@code requirepass} and ACL users: wrong ones fail clearly, and
 * no password ever shows in an error, its causes or the logs.
 */
class RedisAuthTest {

    private static final String PASSWORD = "Sup3r-Secret-Pa55word";
    private static final String WRONG = "Wr0ng-Guess-Pa55word";
    private static final String READER_PASSWORD = "Reader-Only-Pa55";

    private static RedisTestServer server;
    private static BufferAllocator allocator;
    private ListAppender<ILoggingEvent> logs;

    @BeforeAll
    static void start() {
        server = RedisTestServer.startEmbedded(List.of("requirepass " + PASSWORD));
        allocator = new RootAllocator();
        try (Jedis j = server.jedis()) {
            j.aclSetUser("reader", "on", ">" + READER_PASSWORD, "~*", "+@read", "+ping", "+command");
        }
    }

    @AfterAll
    static void stop() {
        allocator.close();
        server.close();
    }

    @BeforeEach
    void captureLogs() {
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void checkLogs() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        for (ILoggingEvent e : logs.list) {
            String text = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
            assertThat(text).doesNotContain(PASSWORD).doesNotContain(WRONG).doesNotContain(READER_PASSWORD);
        }
    }

    private static LoaderConfig config(Map<String, Object> extra) {
        LoaderConfig c = LoaderConfig.of(Map.of("host", server.host(), "port", server.port()));
        for (var e : extra.entrySet()) {
            c = c.with(e.getKey(), e.getValue());
        }
        return c;
    }

    private static String everything(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @Test
    void wrongPasswordIsAClearErrorThatNeverEchoesIt() {
        Throwable t = catchThrowable(() -> new RedisLoaderProvider().create(config(Map.of("password", WRONG))));
        assertThat(t).isInstanceOf(LoaderException.class)
                .hasMessageContaining("rejected the credentials of user 'default'")
                .hasMessageContaining("Redis at " + server.host() + ":" + server.port())
                .hasMessageContaining("'password'");
        assertThat(everything(t)).doesNotContain(WRONG).doesNotContain(PASSWORD);
    }

    @Test
    void missingPasswordIsAClearError() {
        assertThatThrownBy(() -> new RedisLoaderProvider().create(config(Map.of())))
                .isInstanceOf(LoaderException.class)
                .hasMessageContaining("rejected the credentials")
                .hasMessageContaining("no password configured");
    }

    @Test
    void wrongAclUserPasswordIsAClearError() {
        Throwable t = catchThrowable(() -> new RedisLoaderProvider().create(
                config(Map.of("user", "reader", "password", WRONG))));
        assertThat(t).hasMessageContaining("user 'reader'");
        assertThat(everything(t)).doesNotContain(WRONG).doesNotContain(READER_PASSWORD);
    }

    @Test
    void aclUserWithoutWritePermissionIsTold() {
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 3);
             Loader loader = new RedisLoaderProvider().create(config(Map.of("user", "reader",
                     "password", READER_PASSWORD)))) {
            Throwable t = catchThrowable(() -> loader.loadBatch(root, "auth_ro", LoadMode.APPEND));
            assertThat(t).isInstanceOf(LoaderException.class)
                    .hasMessageContaining("NOPERM")
                    .hasMessageContaining("batch 1");
            assertThat(everything(t)).doesNotContain(READER_PASSWORD);
        }
    }

    @Test
    void rightPasswordLoadsAndConfigNeverShowsIt() {
        LoaderConfig config = config(Map.of("password", PASSWORD));
        assertThat(config.toString()).doesNotContain(PASSWORD);
        assertThat(RedisLoaderConfig.from(config).toString()).doesNotContain(PASSWORD);
        try (VectorSchemaRoot root = TestTables.mixed(allocator, 4);
             Loader loader = new RedisLoaderProvider().create(config)) {
            assertThat(loader.loadBatch(root, "auth_ok", LoadMode.OVERWRITE).rowsLoaded()).isEqualTo(4);
        }
        assertThat(server.keys("auth_ok:")).containsExactlyInAnyOrder("auth_ok:0", "auth_ok:1", "auth_ok:2", "auth_ok:3",
                "auth_ok" + RedisLoader.REGISTRY_SUFFIX);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"e", "127", "o", "connect"})
    void aShortPasswordNeitherGarblesTheMessageNorShowsWhereItStands(String password) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LoaderConfig config = LoaderConfig.of(Map.of("host", "127.0.0.1", "port", port, "password", password));
        Throwable t = catchThrowable(() -> new RedisLoaderProvider().create(config));
        String prefix = "connecting failed: cannot talk to Redis at 127.0.0.1:" + port + "/0: ";
        assertThat(t).isInstanceOf(LoaderException.class).hasMessageStartingWith(prefix)
                .hasMessageNotContaining("***");
        // the messages of the whole chain, without the stack frames: a short password such as "127" may equal a
        // frame's line number, which is code, not text that could leak it
        String messages = everything(t).lines().filter(l -> !l.strip().startsWith("at ")
                && !l.strip().startsWith("...")).collect(java.util.stream.Collectors.joining("\n"));
        assertThat(messages.replace(prefix, ""))
                .doesNotContainPattern("(^|[^A-Za-z0-9])" + java.util.regex.Pattern.quote(password) + "($|[^A-Za-z0-9])");
    }
}
