/**
 * Baseline storage: the {@link org.loadperf.api.BaselineStore} implementations (JSON file, PostgreSQL, in
 * memory), the codec of {@code performance_benchmarks.json} entries and the file lock writers share.
 */
package org.loadperf.core.store;
