package org.loadperf.api.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoaderConfigTest {

    static final ConfigKey<String> HOST = ConfigKey.string("host", "localhost", "server host");
    static final ConfigKey<Integer> PORT = ConfigKey.integer("port", 5432, 1, 65535, "server port");
    static final ConfigKey<String> PASSWORD = ConfigKey.string("password", null, "password").secret();
    static final ConfigKey<String> DATABASE = ConfigKey.string("database", null, "database name").required();
    static final ConfigKey<Duration> TIMEOUT = ConfigKey.duration("socket_timeout", Duration.ofSeconds(5), "timeout");
    static final ConfigKey<List<String>> KEYS = ConfigKey.list("key_columns", List.of(), "keys");
    static final ConfigKey<Long> FILE_SIZE = ConfigKey.size("target_file_size", 128L << 20, 1, Long.MAX_VALUE, "f");
    static final List<ConfigKey<?>> ALL = List.of(HOST, PORT, PASSWORD, DATABASE, TIMEOUT, KEYS, FILE_SIZE);

    @Test
    void defaultsApplyWhenKeysAreNotGiven() {
        LoaderConfig c = LoaderConfig.of(Map.of("database", "test")).validate("TestLoader", ALL);
        assertThat(c.get(HOST)).isEqualTo("localhost");
        assertThat(c.get(PORT)).isEqualTo(5432);
        assertThat(c.get(TIMEOUT)).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.find(PASSWORD)).isEmpty();
    }

    @Test
    void textValuesAreParsedToTheirTypes() {
        LoaderConfig c = LoaderConfig.of(Map.of("database", "d", "port", "6543", "socket_timeout", "250ms",
                "key_columns", "id, tenant", "target_file_size", "64MB"));
        assertThat(c.get(PORT)).isEqualTo(6543);
        assertThat(c.get(TIMEOUT)).isEqualTo(Duration.ofMillis(250));
        assertThat(c.get(KEYS)).containsExactly("id", "tenant");
        assertThat(c.get(FILE_SIZE)).isEqualTo(64L << 20);
    }

    @Test
    void everyProblemIsReportedByKeyAtOnce() {
        LoaderConfig c = LoaderConfig.of(Map.of("hots", "x", "port", "abc"));
        assertThatThrownBy(() -> c.validate("PostgresLoader", ALL))
                .isInstanceOf(LoaderException.class)
                .hasMessageStartingWith("Invalid PostgresLoader configuration")
                .hasMessageContaining("unknown key 'hots'")
                .hasMessageContaining("known keys: database, host")
                .hasMessageContaining("'port': expected a whole number, got 'abc'")
                .hasMessageContaining("'database' is required");
    }

    @Test
    void outOfRangeValuesNameTheKey() {
        assertThatThrownBy(() -> LoaderConfig.of(Map.of("database", "d", "port", 70000)).validate("X", ALL))
                .hasMessageContaining("'port': must be between 1 and 65535, got 70000");
    }

    @Test
    void toStringNeverShowsSecrets() {
        LoaderConfig c = LoaderConfig.of(Map.of("password", "hunter2", "host", "db",
                "storage_options", Map.of("fs.s3a.secret.key", "s3cr3t", "fs.s3a.endpoint", "http://minio")));
        assertThat(c.toString()).doesNotContain("hunter2").doesNotContain("s3cr3t").contains("host=db")
                .contains("http://minio").contains("password=***");
    }
}
