package org.loadperf.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderConfig;
import org.loadperf.api.loader.LoaderException;
import org.loadperf.api.loader.Secrets;

/** Secret storage options never leave the loader in a message, and credentials in the table path are refused. */
class DeltaSecretsTest {

    private static final String SECRET = "NoSuchFileSystemSecret42";

    @Test
    void aFailureWhoseTextEchoesASecretStorageOptionIsReportedWithoutIt() throws Exception {
        Path table = DeltaTables.freshDir("secret-echo");
        // The file system class is named by the secret's value, so Hadoop's own failure echoes it.
        Map<String, Object> options = Map.of("storage_options",
                Map.of("fs.file.impl", SECRET, "fs.s3a.secret.key", SECRET, "fs.file.impl.disable.cache", "true"));
        Throwable t;
        try (BufferAllocator allocator = new RootAllocator();
             RowsReader rows = new RowsReader(allocator, 0, 1, 10, List.of("a"), 0)) {
            t = catchThrowable(() -> {
                try (Loader l = DeltaTables.loader(table, options)) {
                    l.loadTable(rows, "t", LoadMode.APPEND);
                }
            });
        }
        assertThat(t).isInstanceOf(LoaderException.class);
        StringWriter text = new StringWriter();
        t.printStackTrace(new PrintWriter(text));
        assertThat(text.toString()).doesNotContain(SECRET);
        assertThat(t.getMessage()).contains(table.toString()).contains("not shown");
    }

    @Test
    void credentialsInTheTablePathAreRefusedWithoutShowingThem() {
        assertThatThrownBy(() -> new DeltaLoaderProvider().create(LoaderConfig.of(Map.of(
                "table_path", "s3a://AKIAEXAMPLE:" + SECRET + "@bucket/t"))))
                .isInstanceOf(LoaderException.class).hasMessageContaining("'table_path'")
                .hasMessageContaining("storage_options").hasMessageNotContaining(SECRET)
                .hasMessageNotContaining("AKIAEXAMPLE");
        assertThat(Secrets.isSecretName("fs.s3a.secret.key")).isTrue();
    }
}
