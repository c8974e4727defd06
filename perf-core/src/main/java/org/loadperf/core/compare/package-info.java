/**
 * Two commits compared in one job ({@code PerfCli compare}): the base checked out into a git worktree, both trees
 * built, their suites run in JVM rounds (the two sides taking turns per iteration), and a paired verdict per
 * benchmark and metric over the rounds.
 * Uses settings, stats, verdict and store, and {@link org.loadperf.core.PerfRunner.Builder} for the thresholds;
 * only the command line uses it.
 */
package org.loadperf.core.compare;
