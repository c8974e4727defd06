/**
 * Loader discovery: {@link org.loadperf.core.discovery.Loaders} finds the loader providers on the class
 * path through {@link java.util.ServiceLoader} and creates a loader by type.
 */
package org.loadperf.core.discovery;
