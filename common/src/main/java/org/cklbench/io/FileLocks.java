package org.cklbench.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Exclusive locks between processes on a lock file: concurrent sweep tasks share one CKL_HOME and
 * one sweep folder. They are operating-system locks, so the kernel releases them when the holder
 * dies, even by SIGKILL; a stale lock file is never a problem. This JVM's own locks are remembered
 * here because closing a second channel on the same file would silently drop a POSIX lock.
 */
public final class FileLocks {
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private FileLocks() {
    }

    /** A held lock; closing it releases it. */
    public interface Held extends AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /** The lock, or empty when another process (or this one) holds it. */
    public static Optional<Held> tryAcquire(Path lockFile) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        if (!HELD.add(key)) {
            return Optional.empty();
        }
        FileChannel ch = null;
        try {
            Files.createDirectories(key.getParent());
            // never through a link: the lock file's pid is written into whatever it names
            ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                HELD.remove(key);
                return Optional.empty();
            }
            // who holds it, for the message another process prints
            ch.truncate(0).write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            FileChannel open = ch;
            return Optional.of(() -> {
                try {
                    open.close();
                } finally {
                    HELD.remove(key);
                }
            });
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            HELD.remove(key);
            if (e instanceof OverlappingFileLockException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Waits for the lock; tells {@code waiting} once, with the holder's pid, when it has to wait. */
    public static Held acquire(Path lockFile, Consumer<String> waiting) throws IOException {
        boolean told = false;
        while (true) {
            Optional<Held> held = tryAcquire(lockFile);
            if (held.isPresent()) {
                return held.get();
            }
            if (!told) {
                waiting.accept("waiting for process " + holder(lockFile) + ", which holds " + lockFile);
                told = true;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + lockFile, e);
            }
        }
    }

    /**
     * Whether some process holds the lock now (false when the file does not exist). A probe only: it reads
     * folders it may not own (other people's run folders, for the site), so it writes nothing, follows no
     * link (a {@code .lock} linked elsewhere is not a lock any writer of this suite made) and asks for a
     * shared lock on a read-only channel, which an exclusive holder refuses.
     */
    public static boolean isHeld(Path lockFile) throws IOException {
        Path key = lockFile.toAbsolutePath().normalize();
        if (HELD.contains(key)) {
            return true;
        }
        if (!Files.isRegularFile(key, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(key, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            FileLock probe = ch.tryLock(0, Long.MAX_VALUE, true);
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // this JVM holds it through a lock taken a moment ago
        } catch (java.nio.file.FileSystemException e) {
            return false; // replaced by a link or removed between the check and the open
        }
    }

    /** Whether another process holds the lock now. */
    public static boolean heldElsewhere(Path lockFile) throws IOException {
        return !HELD.contains(lockFile.toAbsolutePath().normalize()) && isHeld(lockFile);
    }

    /** The pid written by the last holder, or "?" when unreadable. */
    public static String holder(Path lockFile) {
        try {
            String s = Files.readString(lockFile, StandardCharsets.US_ASCII).trim();
            return s.isEmpty() ? "?" : s;
        } catch (IOException e) {
            return "?";
        }
    }
}
