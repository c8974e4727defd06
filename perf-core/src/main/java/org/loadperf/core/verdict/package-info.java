/**
 * Verdicts: {@link org.loadperf.core.verdict.BaselineComparison} judges a run against its baseline (statistics,
 * run-to-run noise, the correction for the machine's speed, change points in the history) for the runner and the
 * HTML report alike; {@link org.loadperf.core.verdict.BuildGate} decides which regressions fail a build and
 * {@link org.loadperf.core.verdict.Acknowledgement} accepts expected ones. Reads the machine keys {@code measure}
 * writes.
 */
package org.loadperf.core.verdict;
