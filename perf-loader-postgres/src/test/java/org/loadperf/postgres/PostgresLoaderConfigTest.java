package org.loadperf.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loadperf.api.loader.ConfigKey;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.core.discovery.Loaders;

class PostgresLoaderConfigTest {

    private static final LoaderConfig REQUIRED = LoaderConfig.of(Map.of("host", "db.example", "database", "perf",
            "user", "loader"));

    @Test
    void defaults() {
        PostgresLoaderConfig c = PostgresLoaderConfig.from(REQUIRED);

        assertThat(c).isEqualTo(new PostgresLoaderConfig("db.example", 5432, "perf", "loader", "", 10, 10_000,
                Map.of(), "public", true, List.of(), 1, 10, 300, false, false));
        assertThat(PostgresLoaderConfig.KEYS).extracting(ConfigKey::name).containsExactly("host", "port", "database",
                "user", "password", "max_connections", "batch_size", "connection_params", "schema", "create_table",
                "key_columns", "parallelism", "connect_timeout_seconds", "load_timeout_seconds", "unlogged_table",
                "copy_freeze");
        assertThat(PostgresLoaderConfig.KEYS).allSatisfy(k -> assertThat(k.description()).isNotBlank());
    }

    @Test
    void full_mapping_from_text() {
        LoaderConfig text = LoaderConfig.of(Map.ofEntries(Map.entry("host", "10.0.0.7"), Map.entry("port", "6543"),
                Map.entry("database", "warehouse"), Map.entry("user", "etl"), Map.entry("password", "pw-123"),
                Map.entry("max_connections", "4"), Map.entry("batch_size", "2500"),
                Map.entry("connection_params", "sslmode=disable,ApplicationName=perf"),
                Map.entry("schema", "Staging Area"), Map.entry("create_table", "false"),
                Map.entry("key_columns", "id, region"), Map.entry("parallelism", "3"),
                Map.entry("connect_timeout_seconds", "4"), Map.entry("load_timeout_seconds", "90"),
                Map.entry("unlogged_table", "true"), Map.entry("copy_freeze", "true")));

        PostgresLoaderConfig c = PostgresLoaderConfig.from(text);

        assertThat(c).isEqualTo(new PostgresLoaderConfig("10.0.0.7", 6543, "warehouse", "etl", "pw-123", 4, 2500,
                Map.of("sslmode", "disable", "ApplicationName", "perf"), "Staging Area", false,
                List.of("id", "region"), 3, 4, 90, true, true));
        assertThat(c.toString()).doesNotContain("pw-123").contains("***");
    }

    @Test
    void unknown_keys_missing_keys_and_bad_values_are_all_named() {
        LoaderConfig bad = LoaderConfig.of(Map.of("host", "h", "databse", "x", "port", "not-a-port",
                "batch_size", 0, "password", "hunter2"));

        assertThatThrownBy(() -> PostgresLoaderConfig.from(bad))
                .isInstanceOf(LoaderException.class)
                .hasMessageContaining("Invalid PostgresLoader configuration")
                .hasMessageContaining("unknown key 'databse'")
                .hasMessageContaining("'database' is required")
                .hasMessageContaining("'user' is required")
                .hasMessageContaining("'port'")
                .hasMessageContaining("'batch_size': must be between 1")
                .message().doesNotContain("hunter2");
    }

    @Test
    void timeouts_must_be_positive() {
        assertThatThrownBy(() -> PostgresLoaderConfig.from(REQUIRED.with("load_timeout_seconds", 0)
                .with("connect_timeout_seconds", -1)))
                .isInstanceOf(LoaderException.class)
                .hasMessageContaining("'load_timeout_seconds': must be between 1")
                .hasMessageContaining("'connect_timeout_seconds': must be between 1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pg_temp", "pg_temp_3", "pg_toast_temp_12"})
    void a_temporary_schema_is_refused_naming_the_key_and_why(String schema) {
        assertThatThrownBy(() -> PostgresLoaderConfig.from(REQUIRED.with("schema", schema)))
                .isInstanceOf(LoaderException.class)
                .hasMessageContaining("'schema' is '" + schema + "'")
                .hasMessageContaining("temporary schema")
                .hasMessageContaining("vanishes");
        assertThat(PostgresLoaderConfig.from(REQUIRED.with("schema", "pg_temporal")).schema())
                .isEqualTo("pg_temporal");
    }

    @Test
    void parallelism_above_the_pool_size_is_a_contradiction() {
        assertThatThrownBy(() -> PostgresLoaderConfig.from(REQUIRED.with("parallelism", 4).with("max_connections", 2)))
                .isInstanceOf(LoaderException.class)
                .hasMessageContaining("'parallelism' (4) exceeds 'max_connections' (2)");
    }

    @Test
    void provider_is_found_through_service_loader() {
        assertThat(Loaders.available()).contains("postgresql");
        assertThat(Loaders.provider("postgresql")).isInstanceOf(PostgresLoaderProvider.class);
        assertThat(Loaders.provider("postgresql").configKeys()).isEqualTo(PostgresLoaderConfig.KEYS);
        assertThatThrownBy(() -> Loaders.create("postgresql", REQUIRED.with("bogus", 1)))
                .isInstanceOf(LoaderException.class).hasMessageContaining("unknown key 'bogus'");
    }
}
