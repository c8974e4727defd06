/**
 * Measuring one benchmark: the loop of warm-up and measured iterations ({@link
 * org.loadperf.core.measure.IterationLoop}), the per-iteration probe (time, rows, memory, allocation, CPU) and how
 * each metric is read from it ({@link org.loadperf.core.measure.MetricReading}), the heap watcher, the machine's
 * fingerprint and calibrated speed, and the sensors that tell whether other work shared the machine. Knows nothing
 * of baselines or verdicts.
 */
package org.loadperf.core.measure;
