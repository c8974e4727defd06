/**
 * Settings: {@link org.loadperf.core.settings.PerfSettings} reads system properties, the environment and
 * {@code .env.test}, in that order.
 */
package org.loadperf.core.settings;
