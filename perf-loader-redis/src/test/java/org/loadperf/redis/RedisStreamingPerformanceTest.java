package org.loadperf.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.loadperf.api.loader.LoadMode;
import org.loadperf.api.loader.Loader;
import org.loadperf.core.measure.LatencySeries;
import org.loadperf.core.dataset.PerfDatasets;
import org.loadperf.core.PerfRunner;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.dataset.RecordedDataset;

/**
 * The streaming suite for Redis: consecutive loads of the same 1,000 rows (hashes {@code {table}:{id}}, so each load
 * rewrites the same keys) through one loader ({@code LatencySeries.loads(PERF_TEST_SIZE)} of them; the test name says
 * how many ran), per-load latency percentiles in the store, and the same stream again with {@code key_registry}
 * false ({@code key_registry_false_*}: what the key registry costs a load). Anchor in the same run:
 * {@code redis-cli --pipe} of the same 1,000 HSET commands, once per load (a process start each, which the figure
 * includes), when redis-cli is on the PATH.
 */
@Tag("performance")
@Tag("redis")
@Tag("streaming")
class RedisStreamingPerformanceTest {

    static final int ROWS_PER_LOAD = 1_000;

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void streamingAppend() throws Exception {
        RedisTestServer server = RedisTestServer.shared();
        int loads = LatencySeries.loads(PerfSettings.load().testSize());
        String name = "streaming_append_" + loads + "x" + ROWS_PER_LOAD;
        String prefix = "lps" + UUID.randomUUID().toString().substring(0, 6) + "_";
        String table = prefix + "stream";
        LatencySeries latency;
        LatencySeries unregisteredLatency;
        double allocatedPerRow;
        Path commands = Files.createTempFile("loadperf-stream-hset-", ".resp");
        try (PerfRunner runner = PerfRunner.fromEnvironment();
             BufferAllocator allocator = new RootAllocator();
             Loader loader = new RedisLoaderProvider().create(server.loaderConfig())) {
            RecordedDataset data;
            try (ArrowReader source = PerfDatasets.performance(allocator, ROWS_PER_LOAD, ROWS_PER_LOAD)) {
                data = RecordedDataset.record(source, allocator);
            }
            try (data) {
                try (ArrowReader reader = data.reader(allocator);
                     OutputStream out = new BufferedOutputStream(Files.newOutputStream(commands))) {
                    RedisPerformanceTest.writeHsetCommands(reader, prefix + "pipe", out);
                }
                // Unrecorded loads into a scratch table first: the JIT's first compilations are not the stream's.
                LatencySeries.warmUp(loads, i -> {
                    try (ArrowReader reader = data.reader(allocator)) {
                        loader.loadTable(reader, prefix + "warmup", LoadMode.APPEND);
                    }
                });
                long allocatedBefore = allocatedBytes();
                latency = LatencySeries.run(loads, i -> {
                    try (ArrowReader reader = data.reader(allocator)) {
                        loader.loadTable(reader, table, LoadMode.APPEND);
                    }
                });
                allocatedPerRow = (double) (allocatedBytes() - allocatedBefore) / ((long) loads * ROWS_PER_LOAD);
                // The same stream without the key registry (key_registry false): what the registry costs a load.
                try (Loader unregistered = new RedisLoaderProvider().create(server.loaderConfig()
                        .with("key_registry", false))) {
                    unregisteredLatency = LatencySeries.run(loads, i -> {
                        try (ArrowReader reader = data.reader(allocator)) {
                            unregistered.loadTable(reader, prefix + "unregistered", LoadMode.APPEND);
                        }
                    });
                }
            }
            try (var jedis = server.jedis()) {
                assertThat(jedis.hlen(table + ":0")).isPositive();
                assertThat(jedis.exists(table + ":" + (ROWS_PER_LOAD - 1))).isTrue();
            }
            Map<String, Object> extras = new LinkedHashMap<>();
            // The loader encodes and sends on the caller's thread: its heap allocations per row, reader included.
            extras.put("load_thread_allocated_bytes_per_row", allocatedPerRow);
            extras.put("warmup_loads", LatencySeries.warmupLoads(loads));
            extras.put("key_registry_false_p50_ms", unregisteredLatency.percentileMillis(50));
            extras.put("key_registry_false_p95_ms", unregisteredLatency.percentileMillis(95));
            if (RedisPerformanceTest.onPath("redis-cli")) {
                LatencySeries pipe = new LatencySeries();
                for (int i = 0; i < loads; i++) {
                    pipe.add(redisCliPipe(server, commands));
                }
                extras.put("anchor", "redis-cli --pipe of the same 1,000 HSET commands, a process per load");
                extras.put("anchor_p50_ms", pipe.percentileMillis(50));
                extras.put("anchor_p95_ms", pipe.percentileMillis(95));
                extras.put("anchor_p99_ms", pipe.percentileMillis(99));
            } else {
                extras.put("anchor", "none: redis-cli is not on the PATH");
            }
            // The floor without a process start: the same commands, already encoded, written over one open socket
            // and their replies read, per load.
            LatencySeries socket = socketPipe(server, Files.readAllBytes(commands), loads);
            extras.put("anchor_socket", "the same 1,000 HSET commands pre-encoded, written and answered over one open"
                    + " socket, per load");
            extras.put("anchor_socket_p50_ms", socket.percentileMillis(50));
            extras.put("anchor_socket_p95_ms", socket.percentileMillis(95));
            Map<String, Object> figures = latency.record(runner.store(), runner.settings(), name, "redis", ROWS_PER_LOAD,
                    latency.peakHeapMb(), extras).extras();
            System.out.printf("%s (redis): %s%n", name, LatencySeries.describe(figures));
        } finally {
            Files.deleteIfExists(commands);
            server.deleteKeys(prefix);
        }
    }

    /** {@code loads} times: {@code resp} (ROWS_PER_LOAD commands) written over one socket, every reply read. */
    private static LatencySeries socketPipe(RedisTestServer server, byte[] resp, int loads) throws Exception {
        LatencySeries s = new LatencySeries();
        try (java.net.Socket socket = new java.net.Socket(server.host(), server.port())) {
            socket.setTcpNoDelay(true);
            var out = socket.getOutputStream();
            var in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
            StringBuilder hello = new StringBuilder();
            int setup = 0;
            String password = server.password();
            if (password != null && !password.isEmpty()) {
                hello.append(resp("AUTH", password));
                setup++;
            }
            hello.append(resp("SELECT", String.valueOf(server.db())));
            setup++;
            out.write(hello.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            assertThat(replies(in, setup)).as("AUTH/SELECT errors").isZero();
            for (int i = 0; i < loads; i++) {
                long start = System.nanoTime();
                out.write(resp);
                out.flush();
                int errors = replies(in, ROWS_PER_LOAD);
                s.add(System.nanoTime() - start);
                assertThat(errors).as("errors in the replies").isZero();
            }
        }
        return s;
    }

    private static String resp(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString();
    }

    /** Reads {@code n} one-line replies (integers, statuses, errors); returns how many were errors. */
    private static int replies(java.io.InputStream in, int n) throws java.io.IOException {
        int errors = 0;
        for (int i = 0; i < n; i++) {
            int first = in.read();
            if (first == '-') {
                errors++;
            }
            int c = first;
            while (c != '\n') {
                if (c < 0) {
                    throw new java.io.EOFException("the server closed the connection after " + i + " replies");
                }
                c = in.read();
            }
        }
        return errors;
    }

    /** One {@code redis-cli --pipe} of the commands file; its wall nanoseconds. */
    private static long redisCliPipe(RedisTestServer server, Path commands) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of("redis-cli", "-h", server.host(), "-p",
                String.valueOf(server.port()), "-n", String.valueOf(server.db()), "--pipe"))
                .redirectInput(commands.toFile()).redirectErrorStream(true);
        PerfSettings.load().get("REDIS_PASSWORD").ifPresent(p -> pb.environment().put("REDISCLI_AUTH", p));
        long start = System.nanoTime();
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
        long nanos = System.nanoTime() - start;
        assertThat(output).as("redis-cli --pipe output").contains("errors: 0, replies: " + ROWS_PER_LOAD);
        return nanos;
    }
}
