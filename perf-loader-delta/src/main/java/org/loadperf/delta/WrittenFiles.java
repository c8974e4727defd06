package org.loadperf.delta;

import io.delta.kernel.defaults.engine.fileio.FileIO;
import io.delta.kernel.defaults.engine.fileio.OutputFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The data files (and the local directories) one load or one compaction creates, recorded before each is created,
 * so that a load that does not commit deletes them again instead of leaving them to a vacuum. A file is recorded
 * before it exists, so one that a failure left half written is deleted too.
 */
final class WrittenFiles {

    private static final Pattern COMMIT = Pattern.compile("(\\d{20})\\.json");

    private final Configuration conf;
    private final List<Path> files = new ArrayList<>();
    /** Local directories this load created, parents first. */
    private final List<java.nio.file.Path> dirs = new ArrayList<>();

    WrittenFiles(Configuration conf) {
        this.conf = conf;
    }

    /** Records a data file about to be created. */
    synchronized void file(Path p) {
        files.add(p);
    }

    synchronized int count() {
        return files.size();
    }

    /** Creates {@code dir} and its missing parents, recording those it created. */
    void createDirectories(java.nio.file.Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        List<java.nio.file.Path> missing = new ArrayList<>();
        for (java.nio.file.Path d = dir; d != null && !Files.exists(d); d = d.getParent()) {
            missing.add(0, d);
        }
        for (java.nio.file.Path d : missing) {
            try {
                Files.createDirectory(d);
                synchronized (this) {
                    dirs.add(d);
                }
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // Created by a concurrent writer (or it is a file, which the file's creation reports).
            }
        }
    }

    /**
     * Deletes every recorded file, then every recorded directory that is empty (deepest first).
     *
     * @return what could not be deleted, empty if everything was
     */
    synchronized String deleteAll() {
        StringBuilder problems = new StringBuilder();
        for (Path p : files) {
            try {
                FileSystem fs = p.getFileSystem(conf);
                fs.delete(p, false);
            } catch (IOException | RuntimeException e) {
                problems.append(p).append(": ").append(e).append("; ");
            }
        }
        for (int i = dirs.size() - 1; i >= 0; i--) {
            try {
                Files.delete(dirs.get(i));
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                // Another writer's files are in it, or it is gone already: not ours to remove.
            } catch (IOException e) {
                problems.append(dirs.get(i)).append(": ").append(e).append("; ");
            }
        }
        files.clear();
        dirs.clear();
        return problems.toString();
    }

    /**
     * Whether a commit after {@code readVersion} in the log of {@code tablePath} names one of the recorded files:
     * after a commit that failed in an unknown state, the files are deleted only if no commit references them.
     *
     * @throws IOException if the log cannot be read (then nothing may be deleted)
     */
    synchronized boolean referencedAfter(String tablePath, long readVersion) throws IOException {
        Path log = new Path(tablePath, "_delta_log");
        FileSystem fs = log.getFileSystem(conf);
        if (!fs.exists(log)) {
            return false;
        }
        List<String> names = files.stream().map(Path::getName).toList();
        for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(log)) {
            Matcher m = COMMIT.matcher(st.getPath().getName());
            if (!m.matches() || Long.parseLong(m.group(1)) <= readVersion) {
                continue;
            }
            String commit;
            try (InputStream in = fs.open(st.getPath())) {
                commit = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            // Data file names are random UUIDs without characters a path escapes: a plain search finds them.
            for (String name : names) {
                if (commit.contains(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Kernel's file access with every output file recorded here first (compaction writes through Kernel). */
    FileIO recording(FileIO delegate) {
        return new ForwardingFileIO(delegate) {
            @Override
            public OutputFile newOutputFile(String path) {
                file(new Path(path));
                return delegate.newOutputFile(path);
            }
        };
    }
}
