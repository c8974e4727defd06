package org.loadperf.api.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {

    private static final String REFUSED = "Cannot connect to PostgreSQL at 127.0.0.1:5432 (database 'test')";

    @Test
    void aOneLetterPasswordNeverGarblesAMessage() {
        Secrets secrets = Secrets.of(List.of("e"));
        assertThat(secrets.detail(REFUSED)).isEqualTo(REFUSED);
        assertThat(secrets.detail("FATAL: role e does not exist")).isEqualTo(Secrets.WITHHELD);
    }

    @Test
    void aPasswordThatIsPartOfTheHostWithholdsTheWholeTextInsteadOfMaskingItsPlace() {
        Secrets secrets = Secrets.of(List.of("127"));
        String shown = secrets.detail("Connection to 127.0.0.1:5432 refused");
        assertThat(shown).isEqualTo(Secrets.WITHHELD).doesNotContain("127").doesNotContain("***");
    }

    @Test
    void aSecretOfSymbolsCountsWhereverItStands() {
        Secrets secrets = Secrets.of(List.of("#!pw"));
        assertThat(secrets.appearIn("url?x=a#!pw&y=b")).isTrue();
        assertThat(secrets.appearIn("no secret here")).isFalse();
    }

    @Test
    void aCauseWhoseMessageHoldsTheSecretDoesNotTravel() {
        Secrets secrets = Secrets.of(List.of("hunter2"));
        RuntimeException leaky = new RuntimeException("outer", new IllegalStateException("auth hunter2 failed"));
        RuntimeException clean = new RuntimeException("outer", new IllegalStateException("refused"));
        assertThat(secrets.safeCause(leaky)).isNull();
        assertThat(secrets.safeCause(clean)).isSameAs(clean);
        assertThat(Secrets.none().safeCause(leaky)).isSameAs(leaky);
    }

    @Test
    void declaredSecretKeysAndSecretNamedMapEntriesAreTheSecrets() {
        ConfigKey<String> pin = ConfigKey.string("pin", null, "a pin").secret();
        ConfigKey<Map<String, String>> options = ConfigKey.map("storage_options", "options");
        LoaderConfig config = LoaderConfig.of(Map.of("pin", "4711", "storage_options",
                Map.of("fs.s3a.secret.key", "s3cr3t", "fs.s3a.endpoint", "minio")));
        Secrets secrets = Secrets.of(config, List.of(pin, options));
        assertThat(secrets.appearIn("pin 4711")).isTrue();
        assertThat(secrets.appearIn("key s3cr3t")).isTrue();
        assertThat(secrets.appearIn("endpoint minio")).isFalse();
    }

    @Test
    void secretNames() {
        assertThat(List.of("POSTGRES_PASSWORD", "password", "fs.s3a.secret.key", "fs.azure.account.key.acct",
                "api_key", "REDIS_AUTH", "sslpassword", "fs.azure.sas.token", "PG_PWD", "pwd"))
                .allSatisfy(n -> assertThat(Secrets.isSecretName(n)).as(n).isTrue());
        assertThat(List.of("host", "user", "fs.s3a.endpoint", "batch_size", "key_columns", "author"))
                .allSatisfy(n -> assertThat(Secrets.isSecretName(n)).as(n).isFalse());
    }

    @Test
    void aKeyDeclaredSecretIsMaskedOnceValidatedWhateverItsName() {
        ConfigKey<String> pin = ConfigKey.string("pin", null, "a pin").secret();
        LoaderConfig validated = LoaderConfig.of(Map.of("pin", "4711")).validate("X", List.of(pin));
        assertThat(validated.toString()).isEqualTo("LoaderConfig{pin=***}");
        assertThat(validated.with("pin", "9999").toString()).doesNotContain("9999");
    }

    @Test
    void aBadValueOfASecretKeyIsNeverShownInTheError() {
        ConfigKey<Integer> pin = ConfigKey.integer("pin", null, 0, 9999, "a pin").secret();
        assertThatThrownBy(() -> LoaderConfig.of(Map.of("pin", "hunter2")).validate("X", List.of(pin)))
                .isInstanceOf(LoaderException.class).hasMessageContaining("'pin'")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> LoaderConfig.of(Map.of("pin", "hunter2")).get(pin))
                .isInstanceOf(LoaderException.class).hasMessageContaining("'pin'")
                .hasMessageNotContaining("hunter2").hasNoCause();
    }
}
