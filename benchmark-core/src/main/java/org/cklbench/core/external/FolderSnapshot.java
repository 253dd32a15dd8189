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
     * How long after an entry's change a later change is sure to get another ctime: the kernel stamps
     * it from a clock that moves once per tick (up to 10 ms at HZ=100), so a change within the same tick
     * as the one listed would keep the time listed.
     */
    static final long TICK_MARGIN_MS = 25;

    private final TreeMap<String, String> entries;
    private final FileTime newest;

    private FolderSnapshot(Path root, TreeMap<String, String> entries, FileTime newest) {
        this.root = root;
        this.entries = entries;
        this.newest = newest;
    }

    /** {@code root} listed without anything under {@code excluded}. */
    static FolderSnapshot of(Path root, Set<Path> excluded) throws IOException {
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
                    out.put(root.relativize(f).toString(), describe(f, a, newest));
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
        String mode = Integer.toOctalString((Integer) unix.get("mode"));
        if (a.isDirectory()) {
            // a folder's times move with any entry made in it, the method's own result file among them: its
            // entries are compared instead
            return "folder " + mode + " " + a.fileKey();
        }
        FileTime ctime = (FileTime) unix.get("ctime");
        if (ctime.compareTo(newest[0]) > 0) {
            newest[0] = ctime;
        }
        String kind = a.isSymbolicLink() ? "link" : a.isRegularFile() ? "file" : "other";
        return kind + " " + mode + " " + a.size() + " " + a.lastModifiedTime().toInstant() + " " + ctime.toInstant()
                + " " + a.fileKey();
    }

    /**
     * Waits, at most {@link #TICK_MARGIN_MS}, until a change made from now on to any entry listed is sure
     * to give it a change time other than the one listed (none when every entry is older than that).
     */
    void awaitDistinctChangeTimes() {
        long wait = newest.toMillis() + TICK_MARGIN_MS - System.currentTimeMillis();
        if (wait > 0) {
            try {
                Thread.sleep(Math.min(wait, TICK_MARGIN_MS));
            } catch (InterruptedException e) {
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
