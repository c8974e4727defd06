package org.loadperf.delta;

import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test's Arrow allocator, registered as an extension ({@code @RegisterExtension}): a fresh one per test, closed after
 * it, which fails the test if it leaked a buffer.
 */
final class TestAllocator extends RootAllocator implements AfterEachCallback {

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }
}
