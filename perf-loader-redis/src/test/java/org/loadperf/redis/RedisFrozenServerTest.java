package org.loadperf.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.api.loader.LoaderException;
import redis.clients.jedis.Jedis;

/**
 * A server frozen (SIGSTOP) in the middle of a load: the load's socket writes fill the kernel's buffers and block, which
 * no read timeout ends; the watchdog closes the connection and the load fails naming the server and the batch. The
 * test starts and freezes its own server, never the shared one.
 */
class RedisFrozenServerTest {

    private RedisTestServer server;
    private long pid;

    /** Resumes and stops the server, also after a hang (the timeout runs the test on its own thread). */
    @AfterEach
    void resumeAndStop() {
        if (server != null) {
            if (pid > 0) {
                signal("CONT", pid);
            }
            server.close();
        }
    }

    /** The timeout only keeps a hang from blocking the build; the test asserts no time. */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aWriteToAFrozenServerEndsWithAnErrorNamingServerAndBatch() throws Exception {
        server = RedisTestServer.startEmbedded(List.of());
        try (Jedis j = server.jedis()) {
            pid = Long.parseLong(j.info("server").lines().filter(l -> l.startsWith("process_id:")).findFirst()
                    .orElseThrow().substring("process_id:".length()).trim());
        }
        long serverPid = pid;
        try (BufferAllocator allocator = new RootAllocator();
             Loader loader = new RedisLoaderProvider().create(server.loaderConfig().with("socket_timeout", "2s")
                     .with("pipeline_size", 100_000));
             VectorSchemaRoot small = rows(allocator, 0, 10, () -> { });
             // The server is frozen when the loader reads the first payload value, i.e. once the batch passed its
             // checks and registered its keys, as its rows are written: 80 MB, more than the socket buffers of both
             // ends hold.
             VectorSchemaRoot big = rows(allocator, 10, 5_000, () -> signal("STOP", serverPid))) {
            loader.loadBatch(small, "frozen", LoadMode.APPEND);
            Throwable t = catchThrowable(() -> loader.loadBatch(big, "frozen", LoadMode.APPEND));
            assertThat(t).isInstanceOf(LoaderException.class)
                    .hasMessageContaining("writing batch 1 (rows 1..5000) of table 'frozen'")
                    .hasMessageContaining("Redis at 127.0.0.1:" + server.port())
                    .hasMessageContaining("made no progress")
                    .hasMessageContaining("socket_timeout")
                    .hasMessageContaining("the batches before it are stored");
            signal("CONT", pid);
            try (Jedis j = server.jedis()) {
                // The first load is stored whole; the frozen one registered its keys before writing any.
                for (int i = 0; i < 10; i++) {
                    assertThat(j.hget("frozen:" + i, "id")).isEqualTo(Integer.toString(i));
                }
                assertThat(j.sismember("frozen" + RedisLoader.REGISTRY_SUFFIX, "frozen:5009")).isTrue();
            }
        }
    }

    /** Rows {@code first..first+n-1} of (id, 16 KB binary); {@code onFirstRead} runs when a text is first read. */
    private static VectorSchemaRoot rows(BufferAllocator allocator, int first, int n, Runnable onFirstRead) {
        byte[] text = new byte[16 * 1024];
        Arrays.fill(text, (byte) 'x');
        BigIntVector id = new BigIntVector("id", allocator);
        // FixedSizeBinaryVector is the one binary vector that is not final: it can tell when it is read.
        FixedSizeBinaryVector payload = new FixedSizeBinaryVector("payload", allocator, text.length) {
            private boolean read;

            private void firstRead() {
                if (!read) {
                    read = true;
                    onFirstRead.run();
                }
            }

            @Override
            public byte[] get(int index) {
                firstRead();
                return super.get(index);
            }

            // The loader copies values straight out of the data buffer (no array per value).
            @Override
            public org.apache.arrow.memory.ArrowBuf getDataBuffer() {
                firstRead();
                return super.getDataBuffer();
            }
        };
        for (int i = 0; i < n; i++) {
            id.setSafe(i, first + i);
            payload.setSafe(i, text);
        }
        VectorSchemaRoot root = new VectorSchemaRoot(List.of(id, payload));
        root.setRowCount(n);
        return root;
    }

    private static void signal(String signal, long pid) {
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
