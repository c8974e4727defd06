/**
 * The command line ({@link org.loadperf.core.cli.PerfCli}): summary, report, changes, export, import and reset of a
 * baseline store.
 */
package org.loadperf.core.cli;
