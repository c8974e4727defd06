package org.loadperf.core.compare;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.loadperf.api.Thresholds;
import org.loadperf.core.store.JsonFileBaselineStore;

/**
 * Judges the rounds of a finished comparison again from its store files ({@code <dir>/base-NN.json},
 * {@code head-NN.json}, as scripts/compare-validation.sh keeps them), with this build's {@link RoundVerdicts} and the
 * default thresholds: for the validation record, to judge the same rounds two ways. One tab-separated line per
 * benchmark and metric: key, metric, status, fails build, change, bound, MDE, rounds.
 *
 * <p>With {@code --rounds-max N} first, the comparison's stopping rule is replayed on its rounds: it stops at the first
 * round from {@link CompareOptions#DEFAULT_ROUNDS_MIN} on where every verdict is decided, else at round N (or the last
 * round kept), so a series run at one cap tells what a lower cap would have said.
 */
public final class Rejudge {

    private Rejudge() {
    }

    public static void main(String[] args) throws Exception {
        boolean replay = args.length >= 2 && args[0].equals("--rounds-max");
        int cap = replay ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        int first = replay ? 2 : 0;
        RoundVerdicts judge = new RoundVerdicts(0.99, Thresholds.defaults(), 1.0);
        for (String arg : List.of(args).subList(first, args.length)) {
            Path dir = Path.of(arg);
            List<RoundVerdicts.Round> rounds = new ArrayList<>();
            for (int r = 1; Files.exists(dir.resolve(String.format(Locale.ROOT, "base-%02d.json", r))); r++) {
                Path b = dir.resolve(String.format(Locale.ROOT, "base-%02d.json", r));
                Path h = dir.resolve(String.format(Locale.ROOT, "head-%02d.json", r));
                if (!Files.exists(h)) {
                    break;
                }
                rounds.add(new RoundVerdicts.Round(JsonFileBaselineStore.at(b).baselines(),
                        JsonFileBaselineStore.at(h).baselines()));
            }
            int used = Math.min(cap, rounds.size());
            List<RoundVerdicts.Row> rows = judge.judge(rounds.subList(0, used), new ArrayList<>());
            for (int r = CompareOptions.DEFAULT_ROUNDS_MIN; replay && r < used; r++) {
                List<RoundVerdicts.Row> early = judge.judge(rounds.subList(0, r), new ArrayList<>());
                if (RoundVerdicts.allDecided(early)) {
                    rows = early;
                    used = r;
                    break;
                }
            }
            for (RoundVerdicts.Row row : rows) {
                System.out.printf(Locale.ROOT, "%s\t%s\t%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%d%n", arg, row.key(),
                        row.metric().key(), row.verdict().status(), row.failing(), row.verdict().regressionPercent(),
                        row.verdict().confidenceBound(), row.verdict().minDetectablePercent(), used);
            }
        }
    }
}
