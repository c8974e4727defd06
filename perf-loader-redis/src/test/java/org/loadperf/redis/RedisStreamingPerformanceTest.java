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
 * how many ran), per-load latency percentiles in the store. Anchor in the same run: {@code redis-cli --pipe} of the
 * same 1,000 HSET commands, once per load (a process start each, which the figure includes), when redis-cli is on
 * the PATH.
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
                long allocatedBefore = allocatedBytes();
                latency = LatencySeries.run(loads, i -> {
                    try (ArrowReader reader = data.reader(allocator)) {
                        loader.loadTable(reader, table, LoadMode.APPEND);
                    }
                });
                allocatedPerRow = (double) (allocatedBytes() - allocatedBefore) / ((long) loads * ROWS_PER_LOAD);
            }
            try (var jedis = server.jedis()) {
                assertThat(jedis.hlen(table + ":0")).isPositive();
                assertThat(jedis.exists(table + ":" + (ROWS_PER_LOAD - 1))).isTrue();
            }
            Map<String, Object> extras = new LinkedHashMap<>();
            // The loader encodes and sends on the caller's thread: its heap allocations per row, reader included.
            extras.put("load_thread_allocated_bytes_per_row", allocatedPerRow);
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
            Map<String, Object> figures = latency.record(runner.store(), runner.settings(), name, "redis", ROWS_PER_LOAD,
                    latency.peakHeapMb(), extras).extras();
            System.out.printf("%s (redis): %s%n", name, LatencySeries.describe(figures));
        } finally {
            Files.deleteIfExists(commands);
            server.deleteKeys(prefix);
        }
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
