package org.loadperf.core.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import org.loadperf.api.annotation.Api;

/**
 * Exclusive access to a store file for one read-modify-write, against other threads and other processes.
 *
 * <p>Two layers, because neither is enough alone: an OS file lock ({@link FileChannel#lock()}) is held by the whole
 * JVM, so threads of one JVM would not exclude each other (a second {@code lock()} in the same JVM even throws
 * {@code OverlappingFileLockException}); a {@link ReentrantLock} per file orders the threads of this JVM, across
 * every store instance that points at the same file.
 *
 * <p>The OS lock is taken on a sidecar {@code <file>.lock}, not on the store file itself, because the store file is
 * replaced by a rename on every write: a lock on the old inode would not exclude a writer that opened the new one.
 * The sidecar is never deleted; deleting it while another process waits on it would let two writers in at once.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class BaselineFileLock implements AutoCloseable {

    private static final ConcurrentMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final ReentrantLock jvmLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private BaselineFileLock(ReentrantLock jvmLock, FileChannel channel, FileLock fileLock) {
        this.jvmLock = jvmLock;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** The sidecar lock file of {@code file}. */
    public static Path lockFileOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".lock");
    }

    /**
     * Blocks until this thread holds {@code file} exclusively. Creates the file's directory if needed (the lock
     * file lives there).
     */
    public static BaselineFileLock acquire(Path file) {
        Path canonical;
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            // one JVM lock per real file, however the path was spelled
            canonical = dir.toRealPath().resolve(file.getFileName());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the directory of baseline store " + file + ": " + e, e);
        }
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(canonical, p -> new ReentrantLock());
        jvmLock.lock();
        FileChannel channel = null;
        try {
            Path lockFile = lockFileOf(canonical);
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.lock();
            return new BaselineFileLock(jvmLock, channel, lock);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            jvmLock.unlock();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("Cannot lock baseline store " + file + " through "
                        + lockFileOf(canonical) + ": " + e, io);
            }
            throw (RuntimeException) e;
        }
    }

    @Override
    public void close() {
        try {
            fileLock.release();
        } catch (IOException e) {
            // closing the channel below releases the lock as well
        } finally {
            closeQuietly(channel);
            jvmLock.unlock();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was written through it
            }
        }
    }
}
