package org.loadperf.core.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * One of the processes of {@link PostgresBaselineStoreTest#fourProcessesOfEightThreadsLoseNothing}: eight threads
 * each record {@code count} runs to a shared key, to a key of their own, and (pinned policy) the first run of key
 * {@code pinned<i>}, which every thread of every process races on; prints {@code baseline proc_pinned<i>} when its
 * run became that key's baseline. Starts when the test creates the go file.
 *
 * <p>Arguments: store URL, writer name, count, ready file, go file.
 */
public final class PostgresStoreWriterProcess {

    static final int THREADS = 8;

    private PostgresStoreWriterProcess() {
    }

    public static void main(String[] args) throws Exception {
        PostgresBaselineStore store = PostgresBaselineStore.parse(args[0], null, "main", "main", "test-class");
        String writer = args[1];
        int count = Integer.parseInt(args[2]);
        Path ready = Path.of(args[3]);
        Path go = Path.of(args[4]);
        store.baseline("warm-up"); // creates or checks the schema before the race
        Files.createFile(ready);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!Files.exists(go)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("no go file " + go + " after 2 minutes");
            }
            Thread.sleep(5);
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<List<String>>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            String name = writer + "t" + t;
            futures.add(pool.submit(() -> {
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    if (store.recordSettingBaselineIfAbsent(JsonFileBaselineStoreTest.run("pinned" + i, "proc", name,
                            i))) {
                        lines.add("baseline proc_pinned" + i + " " + name);
                    }
                    store.record(JsonFileBaselineStoreTest.run("shared", "proc", name, i), i % 2 == 0);
                    store.record(JsonFileBaselineStoreTest.run(name, "proc", name, i), true);
                }
                return lines;
            }));
        }
        pool.shutdown();
        for (Future<List<String>> f : futures) {
            f.get(5, TimeUnit.MINUTES).forEach(System.out::println);
        }
        System.out.println(writer + " wrote " + count);
    }
}
