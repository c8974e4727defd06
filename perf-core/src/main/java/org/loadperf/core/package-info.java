/**
 * The runner users embed: {@link org.loadperf.core.PerfRunner} (wiring, {@code run}, {@code compare},
 * {@code close}), the result of a paired comparison and the error a failing build throws. Everything the runner
 * needs lives in the sub-packages by role: {@code measure}, {@code verdict}, {@code store}, {@code report},
 * {@code settings}, {@code dataset}, {@code discovery}, {@code stats} and {@code cli}.
 */
package org.loadperf.core;
