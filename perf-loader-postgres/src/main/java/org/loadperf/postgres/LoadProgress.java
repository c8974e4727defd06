package org.loadperf.postgres;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What a load has done so far; read by the caller's thread after the load (the committed counts by workers too). */
final class LoadProgress {
    long rows;
    long arrowBytes;
    long copyBytes;
    long encoderBufferBytes;
    int batches;
    /** Where the caller's thread spent the load (sequential COPY): blocked in socket writes, awaiting the server. */
    long writeNanos;
    long serverWaitNanos;
    final AtomicLong committedRows = new AtomicLong();
    final AtomicInteger committedBatches = new AtomicInteger();
}
