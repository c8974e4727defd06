package org.loadperf.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * States how stable a public type of loadperf is, in the manner of JUnit's {@code @API}.
 *
 * <p>Every public type of {@code perf-api} carries it; a test in this module fails the build when one does not.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Api(status = Api.Status.STABLE, since = "0.1")
public @interface Api {

    /** How far a user may rely on the annotated type. */
    Status status();

    /** The version in which the type got its current status. */
    String since();

    /** Stability levels. */
    @Api(status = Status.STABLE, since = "0.1")
    enum Status {
        /** Kept compatible within a major version. */
        STABLE,
        /** May change in a minor version; feedback welcome. */
        EXPERIMENTAL,
        /** Public for technical reasons only; do not use. */
        INTERNAL
    }
}
