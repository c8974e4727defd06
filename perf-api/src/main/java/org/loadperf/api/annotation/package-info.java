/**
 * The {@link org.loadperf.api.annotation.Api} annotation that states how stable each public type is; a package of
 * its own so that every other package can carry it without depending on one another.
 */
package org.loadperf.api.annotation;
