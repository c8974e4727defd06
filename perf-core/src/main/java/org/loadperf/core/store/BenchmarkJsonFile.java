package org.loadperf.core.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.loadperf.api.annotation.Api;

/**
 * Reads and atomically replaces a {@code performance_benchmarks.json}.
 *
 * <p>A write never leaves a half-written file behind: the new content goes to a temporary file in the same
 * directory, is forced to disk, and is renamed over the old file in one atomic step; the directory is then forced
 * so that the rename itself survives a crash. Readers therefore see the old or the new file, never a mix, and need
 * no lock.
 */
@Api(status = Api.Status.INTERNAL, since = "0.2")
public final class BenchmarkJsonFile {

    private BenchmarkJsonFile() {
    }

    /**
     * The top-level object of {@code file}; an empty object when the file does not exist or holds only white space.
     *
     * @throws CorruptStoreException when the file is not one JSON object, naming the line and column
     */
    static ObjectNode read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return BenchmarkJsonCodec.MAPPER.createObjectNode();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read baseline store " + file + ": " + e, e);
        }
        try (JsonParser parser = BenchmarkJsonCodec.MAPPER.createParser(bytes)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return BenchmarkJsonCodec.MAPPER.createObjectNode();
            }
            if (first != JsonToken.START_OBJECT) {
                throw corrupt(file, parser.currentTokenLocation(), "expected a JSON object ('{') at the top, found "
                        + parser.getText(), null);
            }
            JsonNode root = BenchmarkJsonCodec.MAPPER.readTree(parser);
            if (parser.nextToken() != null) {
                throw corrupt(file, parser.currentTokenLocation(), "unexpected content after the top-level object: "
                        + parser.getText(), null);
            }
            return (ObjectNode) root;
        } catch (JsonProcessingException e) {
            throw corrupt(file, e.getLocation(), problem(e), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read baseline store " + file + ": " + e, e);
        }
    }

    /** Jackson's description, except that a duplicate key is named with the path to it. */
    private static String problem(JsonProcessingException e) {
        String original = e.getOriginalMessage();
        if (original != null && original.startsWith("Duplicate field") && e.getProcessor() instanceof JsonParser p) {
            return "duplicate key '" + path(p.getParsingContext()) + "': a JSON object may hold a key once, and "
                    + "a rewrite would keep only the last";
        }
        return original;
    }

    /** {@code key.field[index]...} of the parser's position; the key it is reading is the last part. */
    private static String path(JsonStreamContext context) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.add(0, "[" + c.getCurrentIndex() + "]");
            } else {
                String name = c.getCurrentName();
                parts.add(0, (c.getParent() == null || c.getParent().inRoot() ? "" : ".") + name);
            }
        }
        return String.join("", parts);
    }

    private static CorruptStoreException corrupt(Path file, JsonLocation location, String problem, Exception cause) {
        long line = location == null ? -1 : location.getLineNr();
        long column = location == null ? -1 : location.getColumnNr();
        return new CorruptStoreException(file, line, column, problem, cause);
    }

    /** Replaces {@code file} with {@code root}, atomically. The caller holds the file's {@link BaselineFileLock}. */
    public static void write(Path file, ObjectNode root) {
        byte[] bytes = serialize(root);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = createTemp(dir, file.getFileName().toString());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            copyPermissions(file, tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("Cannot replace baseline store " + file + " atomically (the file system of "
                    + dir + " cannot rename atomically); it was left unchanged", e);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            IOException io = e instanceof IOException i ? i : new IOException(e);
            throw new UncheckedIOException("Cannot write baseline store " + file + " (it was left unchanged): " + e,
                    io);
        }
        forceDirectory(dir);
    }

    static byte[] serialize(ObjectNode root) {
        BenchmarkJsonCodec.sanitize(root);
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try (JsonGenerator gen = BenchmarkJsonCodec.MAPPER.createGenerator(out)) {
            gen.setPrettyPrinter(BenchmarkJsonCodec.PRINTER);
            BenchmarkJsonCodec.MAPPER.writeTree(gen, root);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot serialize the baseline store: " + e, e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static Path createTemp(Path dir, String name) {
        // hidden, unique per writer; not Files.createTempFile, which makes the file owner-only (0600)
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + "." + ProcessHandle.current().pid() + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 10) {
                    throw new UncheckedIOException("Cannot create a temporary file beside " + dir.resolve(name), e);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create a temporary file in " + dir + " to write "
                        + dir.resolve(name) + ": " + e, e);
            }
        }
    }

    /** A rewrite keeps the file's permissions (the temp file starts with the default ones). */
    private static void copyPermissions(Path from, Path to) throws IOException {
        PosixFileAttributeView source = Files.getFileAttributeView(from, PosixFileAttributeView.class);
        if (source == null || !Files.exists(from)) {
            return;
        }
        Files.getFileAttributeView(to, PosixFileAttributeView.class)
                .setPermissions(source.readAttributes().permissions());
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some platforms (Windows) cannot open a directory; the rename is done, only its durability is weaker
        }
    }

    private static void deleteQuietly(Path tmp) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // a stray hidden .tmp file is harmless; the store file is untouched
        }
    }
}
