/**
 * Datasets to load: the guide's performance dataset, generated batch by batch, and a dataset recorded once
 * in memory to be replayed by every iteration.
 */
package org.loadperf.core.dataset;
