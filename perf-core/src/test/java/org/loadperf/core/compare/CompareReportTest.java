package org.loadperf.core.compare;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The index.html section: added before the body's end once, replaced (not repeated) by the next comparison. */
class CompareReportTest {

    @Test
    void theSectionIsAddedOnceAndReplacedByTheNext() {
        String page = "<html><body><h1>runs</h1>\n</body></html>";
        String first = CompareReport.withSection(page, "<!-- loadperf-compare -->A<!-- /loadperf-compare -->");
        assertThat(first).contains("<h1>runs</h1>").contains(">A<").endsWith("</body></html>");
        String second = CompareReport.withSection(first, "<!-- loadperf-compare -->B<!-- /loadperf-compare -->");
        assertThat(second).contains(">B<").doesNotContain(">A<").contains("<h1>runs</h1>");
    }
}
