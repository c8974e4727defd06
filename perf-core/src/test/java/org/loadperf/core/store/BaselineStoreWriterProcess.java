package org.loadperf.core.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.loadperf.api.BenchmarkRecord;

/**
 * The other process of {@link JsonFileBaselineStoreTest#twoProcessesLoseNothingAndSetEachPinnedBaselineOnce}: writes {@code count} runs to a
 * shared key and to a key of its own, starting only when the test creates the go file, so that both processes
 * write at the same time.
 *
 * <p>With each of these runs it also records, with the pinned policy, the first run of a new key
 * ({@code proc_pinned<i>}, which the other process races on) and prints {@code baseline proc_pinned<i>} when its run
 * became the baseline.
 *
 * <p>Arguments: store file, writer name, count, history limit, ready file (created when started), go file.
 */
public final class BaselineStoreWriterProcess {

    private BaselineStoreWriterProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String writer = args[1];
        int count = Integer.parseInt(args[2]);
        int limit = Integer.parseInt(args[3]);
        Path ready = Path.of(args[4]);
        Path go = Path.of(args[5]);
        JsonFileBaselineStore store = JsonFileBaselineStore.at(file).withHistoryLimit(limit);
        Files.createFile(ready);
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (!Files.exists(go)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("no go file " + go + " after 2 minutes");
            }
            Thread.sleep(5);
        }
        for (int i = 0; i < count; i++) {
            BenchmarkRecord first = JsonFileBaselineStoreTest.run("pinned" + i, "proc", writer, i);
            if (store.recordSettingBaselineIfAbsent(first)) {
                System.out.println("baseline proc_pinned" + i);
            }
            store.record(JsonFileBaselineStoreTest.run("shared", "proc", writer, i), i % 2 == 0);
            store.record(JsonFileBaselineStoreTest.run(writer, "proc", writer, i), true);
        }
        System.out.println(writer + " wrote " + count);
    }
}
