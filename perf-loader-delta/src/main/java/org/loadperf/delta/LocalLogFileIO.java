package org.loadperf.delta;

import io.delta.kernel.defaults.engine.fileio.FileIO;
import io.delta.kernel.defaults.engine.fileio.InputFile;
import io.delta.kernel.defaults.engine.fileio.SeekableInputStream;
import io.delta.kernel.defaults.engine.fileio.OutputFile;
import io.delta.kernel.defaults.engine.fileio.PositionOutputStream;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.BufferedWriter;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Kernel's file access with the log operations of every load done by java.nio on the local file system: the
 * listing of {@code _delta_log}, the reads of its small files and the put-if-absent write of a commit (and of its
 * checksum file). Hadoop's local file system stats every entry of the directory to list it (a cost that grows with
 * the table's age), opens every file through its checksum layer and runs {@code chmod} as a child process per created
 * file. Everything else, and every other file system, goes to {@code delegate}.
 */
final class LocalLogFileIO extends ForwardingFileIO {

    private final Configuration conf;

    LocalLogFileIO(FileIO delegate, Configuration conf) {
        super(delegate);
        this.conf = conf;
    }

    /** The local file for {@code path}, or null when it is on another file system. */
    private java.nio.file.Path local(String path) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(conf);
        if (!(fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem)) {
            return null;
        }
        return Paths.get(fs.makeQualified(p).toUri());
    }

    /**
     * The entries of the directory of {@code filePath} whose names sort at or after its name, sorted by name, as
     * Hadoop's listing gives them (qualified paths; Hadoop's hidden {@code .crc} side files left out). Only those
     * entries are looked at beyond their names.
     */
    @Override
    public CloseableIterator<FileStatus> listFrom(String filePath) throws IOException {
        java.nio.file.Path from = local(filePath);
        if (from == null) {
            return delegate.listFrom(filePath);
        }
        String fromName = from.getFileName().toString();
        java.nio.file.Path dir = from.getParent();
        Path qualifiedDir = new Path(filePath).getParent();
        List<String> names = new ArrayList<>();
        try (DirectoryStream<java.nio.file.Path> entries = Files.newDirectoryStream(dir)) {
            for (java.nio.file.Path e : entries) {
                String name = e.getFileName().toString();
                if (name.compareTo(fromName) >= 0 && !(name.startsWith(".") && name.endsWith(".crc"))) {
                    names.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            // Kernel reads a missing directory as "no table here" from this exception.
            throw new FileNotFoundException("No such directory: " + dir);
        }
        names.sort(null);
        List<FileStatus> statuses = new ArrayList<>(names.size());
        // Log file names are plain: the directory's path and the name, without a Hadoop Path (a URI) per entry.
        String prefix = qualifiedDir.toString() + "/";
        for (String name : names) {
            try {
                BasicFileAttributes a = Files.readAttributes(dir.resolve(name), BasicFileAttributes.class);
                statuses.add(FileStatus.of(prefix + name, a.size(),
                        a.lastModifiedTime().toMillis()));
            } catch (NoSuchFileException gone) {
                // Deleted since the listing (log cleanup, a temporary file renamed): as if listed a moment later.
            }
        }
        return DeltaLoader.toIteratorOf(statuses);
    }





    /**
     * Reads the log's small files (commits, checksums, {@code _last_checkpoint}; every snapshot load reads two or
     * three) by java.nio: Hadoop's local file system opens each through its checksum layer, which looks for a
     * {@code .crc} side file these files never have (they are written here, by java.nio).
     */
    @Override
    public InputFile newInputFile(String path, long fileSize) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        boolean logFile = path.contains("/_delta_log/") && (name.endsWith(".json")
                || (name.endsWith(".crc") && !name.startsWith(".")) || name.equals("_last_checkpoint"));
        java.nio.file.Path file = null;
        if (logFile) {
            try {
                file = local(path);
            } catch (IOException e) {
                file = null;
            }
        }
        if (file == null) {
            return delegate.newInputFile(path, fileSize);
        }
        java.nio.file.Path local = file;
        return new InputFile() {
            @Override
            public long length() throws IOException {
                return fileSize >= 0 ? fileSize : Files.size(local);
            }

            @Override
            public String path() {
                return path;
            }

            @Override
            public SeekableInputStream newStream() throws IOException {
                try {
                    return new ChannelInputStream(FileChannel.open(local, StandardOpenOption.READ));
                } catch (NoSuchFileException e) {
                    // Kernel reads a missing file (a _last_checkpoint not written yet) from this exception.
                    throw new FileNotFoundException("No such file: " + path);
                }
            }
        };
    }

    /** A local file's bytes, with the position Kernel's readers seek to. */
    private static final class ChannelInputStream extends SeekableInputStream {
        private final FileChannel channel;

        ChannelInputStream(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            return channel.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public long getPos() throws IOException {
            return channel.position();
        }

        @Override
        public void seek(long pos) throws IOException {
            channel.position(pos);
        }

        @Override
        public void readFully(byte[] b, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                if (channel.read(buf) < 0) {
                    throw new EOFException("End of file after " + (len - buf.remaining()) + " of " + len + " bytes");
                }
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    @Override
    public OutputFile newOutputFile(String path) {
        OutputFile hadoop = delegate.newOutputFile(path);
        return new OutputFile() {
            @Override
            public String path() {
                return hadoop.path();
            }

            @Override
            public PositionOutputStream create(boolean overwrite) throws IOException {
                return hadoop.create(overwrite);
            }

            @Override
            public void writeAtomically(CloseableIterator<String> lines, boolean overwrite) throws IOException {
                java.nio.file.Path target = local(path);
                if (target == null) {
                    hadoop.writeAtomically(lines, overwrite);
                } else {
                    writeLocal(target, lines, overwrite);
                }
            }
        };
    }

    /**
     * Writes the lines to a temporary file beside {@code target}, then makes it {@code target} in one step: a hard
     * link when the file must not exist yet (link(2) fails if it does, also against another process, so two writers
     * of one version cannot both win), an atomic rename when it may be replaced.
     *
     * @throws FileAlreadyExistsException when {@code target} exists and {@code overwrite} is false; Kernel reads it
     *                                    as a commit lost to another writer
     */
    private static void writeLocal(java.nio.file.Path target, CloseableIterator<String> lines, boolean overwrite)
            throws IOException {
        java.nio.file.Path dir = target.getParent();
        Files.createDirectories(dir);
        java.nio.file.Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (lines; BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                while (lines.hasNext()) {
                    w.write(lines.next());
                    w.write('\n');
                }
            }
            if (overwrite) {
                // A .crc side file Hadoop wrote for an earlier version of the file would fail its next read.
                Files.deleteIfExists(dir.resolve("." + target.getFileName() + ".crc"));
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.createLink(target, tmp);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }


}
