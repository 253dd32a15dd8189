package org.cklbench.core.external;

import org.cklbench.text.Printable;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A listing of a folder (every entry's kind, size, modification time, inode, permissions and, for all
 * but folders, change time; links not followed) but for some of its paths, to tell what a process
 * changed there: an external method may write only into its {@code adapter_out} and {@code state_out}.
 * The change time (ctime) is what makes the listing unforgeable without reading any content: the
 * kernel sets it to the current time on every write, rename, link, chmod and {@code touch -d}, and no
 * user can set it, so bytes rewritten in place with the size and modification time put back are seen.
 */
final class FolderSnapshot {
    private final Path root;
    /**
     * How long the suite waits, at most, until its clock file's change time passes the newest one listed
     * (a file system with 1 or 2 s timestamps, an NFS server whose clock runs ahead).
     */
    static final long CLOCK_WAIT_MS = 3_000;

    private final TreeMap<String, String> entries;
    private final FileTime newest;

    private FolderSnapshot(Path root, TreeMap<String, String> entries, FileTime newest) {
        this.root = root;
        this.entries = entries;
        this.newest = newest;
    }

    /** {@code root} listed without anything under {@code excluded}. */
    static FolderSnapshot of(Path root, Set<Path> excluded) throws IOException {
        return of(root, excluded, false);
    }

    /**
     * As {@link #of(Path, Set)}, each link also described by what its target is now (kind, size, times,
     * inode; "missing" where there is none): a Hugging Face cache's snapshot folder holds links into
     * {@code ../../blobs/}, the real weights, which a listing of the links alone would not watch.
     */
    static FolderSnapshot withLinkTargets(Path root, Set<Path> excluded) throws IOException {
        return of(root, excluded, true);
    }

    private static FolderSnapshot of(Path root, Set<Path> excluded, boolean linkTargets) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        FileTime[] newest = {FileTime.fromMillis(0)};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
                if (excluded.contains(dir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (!dir.equals(root)) {
                    out.put(root.relativize(dir).toString(), describe(dir, a, newest));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                if (!excluded.contains(f)) {
                    String d = describe(f, a, newest);
                    out.put(root.relativize(f).toString(), linkTargets && a.isSymbolicLink() ? d + " -> " + target(f, newest) : d);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return new FolderSnapshot(root, out, newest[0]);
    }

    /**
     * Only the files {@code names} of {@code dir} (relative paths; a missing one is listed as absent), for
     * a folder where other writes are allowed: a method's own declaration folder, where Python leaves
     * its {@code __pycache__}.
     */
    static FolderSnapshot ofFiles(Path dir, List<String> names) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        FileTime[] newest = {FileTime.fromMillis(0)};
        for (String n : names) {
            Path f = dir.resolve(n);
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (java.nio.file.NoSuchFileException absent) {
                continue;
            }
            out.put(n, describe(f, a, newest));
        }
        return new FolderSnapshot(dir, out, newest[0]);
    }

    private static String describe(Path p, BasicFileAttributes a, FileTime[] newest) throws IOException {
        Map<String, Object> unix = Files.readAttributes(p, "unix:mode,ctime", LinkOption.NOFOLLOW_LINKS);
        if (a.isDirectory()) {
            // a folder's times move with any entry made in it, the method's own result file among them: its
            // entries are compared instead
            return "folder " + Integer.toOctalString((Integer) unix.get("mode")) + " " + a.fileKey();
        }
        return line(a.isSymbolicLink() ? "link" : a.isRegularFile() ? "file" : "other", a, unix, newest);
    }

    /** What the link {@code link} points to now, described as an entry is (following every link on the way). */
    private static String target(Path link, FileTime[] newest) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(link, BasicFileAttributes.class);
        } catch (java.nio.file.NoSuchFileException | java.nio.file.FileSystemLoopException dangling) {
            return "missing";
        }
        return line(a.isDirectory() ? "folder" : a.isRegularFile() ? "file" : "other", a, Files.readAttributes(link,
                "unix:mode,ctime"), newest);
    }

    /** One entry's line (kind, mode, size, modification and change times, inode), its ctime kept if the newest. */
    private static String line(String kind, BasicFileAttributes a, Map<String, Object> unix, FileTime[] newest) {
        FileTime ctime = (FileTime) unix.get("ctime");
        if (ctime.compareTo(newest[0]) > 0) {
            newest[0] = ctime;
        }
        return kind + " " + Integer.toOctalString((Integer) unix.get("mode")) + " " + a.size() + " "
                + a.lastModifiedTime().toInstant() + " " + ctime.toInstant() + " " + a.fileKey();
    }

    /**
     * Waits until a change made from now on to any entry of {@code listings} is sure to give it a change
     * time other than the one listed: the kernel stamps ctime from a clock that moves in ticks (10 ms at
     * HZ=100, 1 or 2 s on some file systems, the server's clock on NFS), so a change within the tick of
     * the newest entry listed would keep its time. The file system itself is asked: {@code clock}, a file
     * of the suite's own (kept out of the listings) on the listed folder's file system, is touched until its
     * ctime passes the newest one listed, for at most {@link #CLOCK_WAIT_MS}. False when it never did:
     * the check cannot then see a rewrite in the same tick, and the caller says so.
     */
    static boolean awaitDistinctChangeTimes(Path clock, FolderSnapshot... listings) throws IOException {
        FileTime newest = FileTime.fromMillis(0);
        for (FolderSnapshot l : listings) {
            if (l.newest.compareTo(newest) > 0) {
                newest = l.newest;
            }
        }
        return awaitPast(clock, newest, CLOCK_WAIT_MS);
    }

    /** Touches {@code clock} until its ctime is later than {@code newest}, for at most {@code capMs}; whether it got there. */
    static boolean awaitPast(Path clock, FileTime newest, long capMs) throws IOException {
        long deadline = System.nanoTime() + capMs * 1_000_000L;
        boolean interrupted = false;
        try {
            while (true) {
                if (!Files.exists(clock, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createFile(clock);
                }
                // setting the modification time sets the change time to the file system's now
                Files.setLastModifiedTime(clock, FileTime.from(java.time.Instant.now()));
                FileTime ctime = (FileTime) Files.getAttribute(clock, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
                if (ctime.compareTo(newest) > 0) {
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    interrupted = true; // the wait is short and bounded: finished, the interrupt kept for the caller
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What differs in {@code after} (a later listing of the same folder): one line per path, in path order. */
    List<String> changes(FolderSnapshot after) {
        List<String> out = new ArrayList<>();
        Set<String> all = new TreeSet<>(entries.keySet());
        all.addAll(after.entries.keySet());
        for (String p : all) {
            String was = entries.get(p);
            String is = after.entries.get(p);
            if (was == null) {
                out.add(Printable.of(p) + " was created");
            } else if (is == null) {
                out.add(Printable.of(p) + " was removed");
            } else if (!was.equals(is)) {
                out.add(Printable.of(p) + " was changed");
            }
        }
        return out;
    }

    Path root() {
        return root;
    }
}
