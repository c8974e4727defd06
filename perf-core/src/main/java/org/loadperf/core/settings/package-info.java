/**
 * Settings: {@link org.loadperf.core.settings.PerfSettings} reads system properties, the environment and
 * {@code .env.test}, in that order; {@link org.loadperf.core.settings.RunnerSetting} declares every {@code PERF_*}
 * setting once (the README's table comes from it) and {@link org.loadperf.core.settings.RunnerSettings} reads and
 * checks the runner's.
 */
package org.loadperf.core.settings;
