/**
 * Measuring one benchmark: the per-iteration probe (time, rows, memory, allocation, CPU), the heap watcher,
 * the machine's fingerprint and calibrated speed, and the sensors that tell whether other work shared the machine.
 * Knows nothing of baselines or verdicts.
 */
package org.loadperf.core.measure;
