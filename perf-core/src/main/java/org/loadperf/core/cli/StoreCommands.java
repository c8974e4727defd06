package org.loadperf.core.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.loadperf.api.BaselineStore;
import org.loadperf.api.BenchmarkRecord;
import org.loadperf.core.report.ReportWriter;
import org.loadperf.core.settings.PerfSettings;
import org.loadperf.core.store.BenchmarkJsonCodec;
import org.loadperf.core.store.BenchmarkJsonFile;
import org.loadperf.core.store.JsonFileBaselineStore;
import org.loadperf.core.store.PostgresBaselineStore;

/**
 * {@link PerfCli}'s commands that work on any {@link BaselineStore}: {@code export} (store to a
 * {@code performance_benchmarks.json} in the guide's format), {@code import} (such a file into the store), and
 * {@code summary}, {@code report} and {@code changes} on a PostgreSQL store.
 */
final class StoreCommands {

    private StoreCommands() {
    }

    static int summary(BaselineStore store, PrintStream out) {
        Map<String, BenchmarkRecord> all = store.baselines();
        if (all.isEmpty()) {
            out.println("No benchmarks in " + store.location());
            return 0;
        }
        out.print(PerfCli.summaryTable(all.values()));
        return 0;
    }

    static int report(BaselineStore store, Path dir, PrintStream out) {
        int count = store.baselines().size();
        Path index = ReportWriter.writeIndex(dir, store);
        out.println("Wrote " + index + " (" + count + " benchmark" + (count == 1 ? "" : "s") + " from "
                + store.location() + ")");
        return 0;
    }

    static int changes(BaselineStore store, String test, String loader, PrintStream out, PrintStream err) {
        Map<String, BenchmarkRecord> all = store.baselines();
        if (all.isEmpty()) {
            out.println("No benchmarks in " + store.location());
            return 0;
        }
        List<String> keys = all.keySet().stream().sorted().filter(k -> (test == null
                || all.get(k).testName().equals(test)) && (loader == null || all.get(k).loaderType().equals(loader)))
                .toList();
        if (keys.isEmpty()) {
            err.println("PerfCli changes: no benchmark" + (test != null ? " of test '" + test + "'" : "")
                    + (loader != null ? " with loader '" + loader + "'" : "") + " in " + store.location() + "; known: "
                    + String.join(", ", all.keySet().stream().sorted().toList()));
            return 1;
        }
        for (String key : keys) {
            List<BenchmarkRecord> history = store.history(key);
            if (history.isEmpty()) {
                history = List.of(all.get(key));
            }
            BenchmarkRecord last = history.get(history.size() - 1);
            out.println(key + String.format(Locale.ROOT, " (%d run%s kept, latest %s at %,d rows)", history.size(),
                    history.size() == 1 ? "" : "s", last.gitCommit(), last.datasetSize()));
            for (String line : PerfCli.changeLines(history, last)) {
                out.println("  " + line);
            }
        }
        return 0;
    }

    /** A PostgreSQL store is shared: reset asks for {@code --yes} rather than a prompt a CI job cannot answer. */
    static int reset(BaselineStore store, boolean yes, PrintStream out) {
        if (!yes) {
            out.println("Not reset: this removes every branch's baselines and history in " + store.location()
                    + "; pass --yes to do it.");
            return 1;
        }
        store.reset();
        out.println("Removed every baseline and run in " + store.location());
        return 0;
    }

    /**
     * Writes the store's baselines (of the current branch and machine class, for a PostgreSQL store) with their
     * history to {@code file}, in the format of the JSON store; an existing file is replaced atomically.
     */
    static int export(BaselineStore store, Path file, PrintStream out) {
        Map<String, BenchmarkRecord> all = store.baselines();
        ObjectNode root = BenchmarkJsonCodec.MAPPER.createObjectNode();
        for (Map.Entry<String, BenchmarkRecord> e : all.entrySet()) {
            ObjectNode entry = BenchmarkJsonCodec.entry(e.getValue());
            ArrayNode history = entry.arrayNode();
            store.history(e.getKey()).forEach(r -> history.add(BenchmarkJsonCodec.historyEntry(r)));
            if (history.isEmpty()) {
                history.add(BenchmarkJsonCodec.historyEntry(e.getValue()));
            }
            entry.set(BenchmarkJsonCodec.HISTORY, history);
            root.set(e.getKey(), entry);
        }
        BenchmarkJsonFile.write(file.toAbsolutePath(), root);
        out.println("Exported " + all.size() + " benchmark" + (all.size() == 1 ? "" : "s") + " from "
                + store.location() + " to " + file);
        return 0;
    }

    /**
     * Records every run of {@code file} (a {@code performance_benchmarks.json}) in the store, oldest first; the
     * file's baseline of each key becomes the key's baseline. The whole file is read and checked before anything
     * is written.
     */
    static int importFile(BaselineStore store, Path file, PrintStream out) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("import: no file " + file);
        }
        JsonFileBaselineStore source = JsonFileBaselineStore.at(file);
        Map<String, BenchmarkRecord> baselines = source.baselines(); // fails on a corrupt file, before any write
        Map<String, List<BenchmarkRecord>> histories = new java.util.LinkedHashMap<>();
        baselines.keySet().forEach(k -> histories.put(k, source.history(k)));
        int runs = 0;
        for (Map.Entry<String, BenchmarkRecord> e : baselines.entrySet()) {
            BenchmarkRecord baseline = e.getValue();
            boolean placed = false;
            for (BenchmarkRecord run : histories.get(e.getKey())) {
                // the history holds the baseline too: the run of the baseline's time and commit moves it there
                boolean isBaseline = !placed && run.timestamp().equals(baseline.timestamp())
                        && run.gitCommit().equals(baseline.gitCommit());
                store.record(isBaseline ? withFingerprintOf(baseline, run) : run, isBaseline);
                placed |= isBaseline;
                runs++;
            }
            if (!placed) {
                store.record(baseline, true);
                runs++;
            }
        }
        out.println("Imported " + runs + " run" + (runs == 1 ? "" : "s") + " of " + baselines.size() + " benchmark"
                + (baselines.size() == 1 ? "" : "s") + " from " + file + " into " + store.location());
        return 0;
    }

    /** The baseline's full record (extras, other fields), measured on the machine its history run names. */
    private static BenchmarkRecord withFingerprintOf(BenchmarkRecord baseline, BenchmarkRecord run) {
        if (!baseline.fingerprint().isEmpty() || run.fingerprint().isEmpty()) {
            return baseline;
        }
        return new BenchmarkRecord(baseline.testName(), baseline.loaderType(), baseline.datasetSize(),
                baseline.values(), baseline.samples(), baseline.timestamp(), baseline.gitCommit(), baseline.gitDirty(),
                baseline.environment(), run.fingerprint(), baseline.extras());
    }
}
