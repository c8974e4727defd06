package org.loadperf.core.measure;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.loadperf.api.annotation.Api;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two processes (the base's and the head's runs of one round of {@code compare}) taking turns: a side holds the turn
 * while it sets up, warms up, measures and tears down, and hands it over at the end of every iteration when the other
 * side waits for it. So the two never run at once, and their iterations alternate: whatever the machine does over
 * seconds (busy neighbours, a server's checkpoint) falls on both sides' iterations alike, where rounds of one JVM
 * after the other let it fall on one side only.
 *
 * <p>The state is a small properties file in a directory both sides (and the compare command) share, changed under a
 * file lock and replaced atomically. A side that arrives first waits until the other has arrived too (its JVM and
 * build start alone), or has ended; the compare command marks a side ended when its process exits ({@link #ended}),
 * so a side that dies holding the turn does not block the other. No wait is longer than {@code maxWait}: after it a
 * side goes on alone, saying so.
 */
@Api(status = Api.Status.INTERNAL, since = "0.5")
public final class TurnTaking {

    private static final Logger LOG = LoggerFactory.getLogger(TurnTaking.class);

    /** The sides of a comparison. */
    public static final List<String> SIDES = List.of("base", "head");

    private static final String STATE = "turns.properties";
    private static final String LOCK = "turns.lock";
    private static final String HOLDER = "holder";
    private static final String NONE = "none";
    private static final String MAX_WAIT = "max_wait_ms";
    private static final long POLL_NANOS = 500_000;

    private static final TurnTaking NONE_TAKING = new TurnTaking(null, null, Duration.ZERO, System::nanoTime);

    private final Path dir;
    private final String side;
    private final String other;
    private final Duration maxWait;
    private final LongSupplier clock;
    private boolean holding;
    private boolean alone;
    private long handovers;

    private TurnTaking(Path dir, String side, Duration maxWait, LongSupplier clock) {
        this.dir = dir;
        this.side = side;
        this.other = side == null ? null : SIDES.get(1 - SIDES.indexOf(side));
        this.maxWait = maxWait;
        this.clock = clock;
    }

    /** No turns: a run on its own. */
    public static TurnTaking none() {
        return NONE_TAKING;
    }

    /**
     * The turns of {@code side} ("base" or "head") in {@code dir}, which {@link #prepare} made.
     *
     * @throws IllegalArgumentException for another side name, or a directory without the state file
     */
    public static TurnTaking at(Path dir, String side, LongSupplier clock) {
        Objects.requireNonNull(dir, "dir is null");
        if (!SIDES.contains(side)) {
            throw new IllegalArgumentException("Setting PERF_COMPARE_SIDE must be one of " + SIDES + " when "
                    + "PERF_COMPARE_TURNS is set, got '" + side + "'");
        }
        if (!Files.isRegularFile(dir.resolve(STATE))) {
            throw new IllegalArgumentException("Setting PERF_COMPARE_TURNS: " + dir + " holds no " + STATE
                    + " (the compare command makes it for each round)");
        }
        Duration maxWait = Duration.ofMillis(Long.parseLong(read(dir).getProperty(MAX_WAIT, "600000")));
        return new TurnTaking(dir, side, maxWait, Objects.requireNonNull(clock, "clock is null"));
    }

    /**
     * Makes {@code dir} ready for a round: nobody holds the turn, nobody has arrived; no side waits longer than
     * {@code maxWait} for a turn (the round's own time limit).
     */
    public static void prepare(Path dir, Duration maxWait) {
        try {
            Files.createDirectories(dir);
            Properties p = new Properties();
            p.setProperty(HOLDER, NONE);
            p.setProperty(MAX_WAIT, Long.toString(maxWait.toMillis()));
            write(dir, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the turns in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Marks {@code side}'s process ended (the compare command calls it when the process exits): it holds nothing. */
    public static void ended(Path dir, String side) {
        update(dir, p -> {
            p.setProperty(side + ".ended", "true");
            if (side.equals(p.getProperty(HOLDER))) {
                p.setProperty(HOLDER, NONE);
            }
            return true;
        });
    }

    /** Whether this is a run on its own (no turns). */
    public boolean isNone() {
        return dir == null;
    }

    /** How often this side handed the turn over (and got it back). */
    public long handovers() {
        return handovers;
    }

    /** Waits for the turn, unless this side holds it already. */
    public void take() {
        if (dir == null || alone || holding && side.equals(read(dir).getProperty(HOLDER))) {
            return;
        }
        holding = false; // another runner of this process handed the turn over
        long deadline = clock.getAsLong() + maxWait.toNanos();
        update(dir, p -> {
            p.setProperty(side + ".arrived", "true");
            p.setProperty(side + ".waiting", "true");
            return true;
        });
        long pause = POLL_NANOS;
        while (true) {
            // polled without the lock (the file is replaced atomically); taken under it
            if (mayTake(read(dir)) && update(dir, p -> {
                if (!mayTake(p)) {
                    return false;
                }
                p.setProperty(HOLDER, side);
                p.remove(side + ".waiting");
                return true;
            })) {
                holding = true;
                return;
            }
            if (clock.getAsLong() - deadline > 0) {
                alone = true;
                LOG.warn("The {} side waited {} for its turn (the other side neither took its turns nor ended); it "
                        + "goes on alone, so the two sides may run at once", side, maxWait);
                return;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 4 * POLL_NANOS);
        }
    }

    /** The turn is this side's, or nobody's while the other side is there (or ended): not before it arrives. */
    private boolean mayTake(Properties p) {
        String holder = p.getProperty(HOLDER, NONE);
        return holder.equals(side) || holder.equals(NONE)
                && (p.containsKey(other + ".arrived") || p.containsKey(other + ".ended"));
    }

    /**
     * At the end of an iteration: hands the turn to the other side if it waits for it, then waits to get it back;
     * nothing when the other side does not wait (it has not arrived, is between its runners, or has ended).
     */
    public void pass() {
        if (dir == null || alone || !holding) {
            return;
        }
        Properties state = read(dir);
        if (!side.equals(state.getProperty(HOLDER))) {
            take(); // another runner of this process handed the turn over: wait for it like any other
            return;
        }
        if (!state.containsKey(other + ".waiting")) {
            return; // the common case needs no lock: only the other side sets its waiting mark
        }
        boolean handed = update(dir, p -> {
            if (!side.equals(p.getProperty(HOLDER)) || !p.containsKey(other + ".waiting")) {
                return false;
            }
            p.setProperty(HOLDER, other);
            p.setProperty(side + ".waiting", "true"); // at once: the other's next pass must see this side waits
            return true;
        });
        if (handed) {
            holding = false;
            handovers++;
            take();
        }
    }

    /** This side's runner is done: the turn goes to the other side if it waits, else to nobody. */
    public void release() {
        if (dir == null || !holding) {
            return;
        }
        holding = false;
        update(dir, p -> {
            if (side.equals(p.getProperty(HOLDER))) {
                p.setProperty(HOLDER, p.containsKey(other + ".waiting") ? other : NONE);
                return true;
            }
            return false;
        });
    }

    private interface Change {
        /** Changes {@code p}; true when it is to be written. */
        boolean apply(Properties p);
    }

    /** Reads, changes and writes the state under the directory's file lock; whether it was written. */
    private static synchronized boolean update(Path dir, Change change) {
        // synchronized: a file lock is per process, and two threads of one process would overlap on it
        try (FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
            Properties p = read(dir);
            if (!change.apply(p)) {
                return false;
            }
            write(dir, p);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot change the turns in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Properties read(Path dir) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(dir.resolve(STATE))));
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("the turns file " + dir.resolve(STATE) + " is gone (the compare command "
                    + "removed its directory?)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the turns in " + dir + ": " + e.getMessage(), e);
        }
        return p;
    }

    private static void write(Path dir, Properties p) throws IOException {
        StringWriter w = new StringWriter();
        p.store(w, null);
        Path tmp = dir.resolve(STATE + ".tmp");
        Files.writeString(tmp, w.toString());
        try {
            Files.move(tmp, dir.resolve(STATE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(STATE), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
