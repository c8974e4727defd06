/**
 * Plain statistics shared by the measuring and the verdict code: medians, spread, summaries with confidence
 * intervals, rank-based intervals (Hodges-Lehmann, signed-rank), Holm's correction, Student's t. No knowledge of
 * benchmarks or stores.
 */
package org.loadperf.core.stats;
