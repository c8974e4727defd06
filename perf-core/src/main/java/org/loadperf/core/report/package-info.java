/**
 * Reporting: the console, the Markdown summary, the HTML report, {@code results.json} and the
 * github-action-benchmark export, with the verdict text they share in {@link org.loadperf.core.report.VerdictText}.
 */
package org.loadperf.core.report;
