/**
 * Verdicts: comparing a run's samples with its baseline (statistics, run-to-run noise, the correction for
 * the machine's speed) and with its history (change points). Reads the machine keys {@code measure} writes.
 */
package org.loadperf.core.verdict;
