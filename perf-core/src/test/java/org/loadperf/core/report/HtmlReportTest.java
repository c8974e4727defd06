package org.loadperf.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.loadperf.core.store.InMemoryBaselineStore;

class HtmlReportTest {

    @Test
    void theHtmlReportMarksTheRunWhereAShiftBegan() {
        InMemoryBaselineStore store = new InMemoryBaselineStore();
        for (int i = 0; i < 18; i++) {
            double throughput = (i < 12 ? 100_000 : 90_000) * (i % 2 == 0 ? 1.01 : 0.99);
            store.record(ReportFixtures.result("steady_load", "redis", 10_000, throughput, 20,
                    String.format("%08x", 0xabc00 + i), ReportFixtures.at(i + 1), List.of()).toRecord(), true);
        }
        String page = HtmlReport.render(store, List.of());
        assertThat(page).containsPattern("\"change\":\"sustained 10\\.[0-9]% slower since 000abc0c \\(p=[^)]+, 6 "
                + "runs\\): 100,000 -.u003e 90,000 rows/s\",\"change_worse\":true");
        assertThat(page.split("\"change\":", -1)).hasSize(3); // throughput and duration; memory did not change
    }
}
