package org.cklbench.core.external;

import org.cklbench.text.Printable;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A listing of a folder (every entry's kind, size, modification time and inode; links not followed)
 * but for some of its paths, to tell what a process changed there: an external method may write only
 * into its {@code adapter_out} and {@code state_out}.
 */
final class FolderSnapshot {
    private final Path root;
    private final TreeMap<String, String> entries;

    private FolderSnapshot(Path root, TreeMap<String, String> entries) {
        this.root = root;
        this.entries = entries;
    }

    /** {@code root} listed without anything under {@code excluded}. */
    static FolderSnapshot of(Path root, Set<Path> excluded) throws IOException {
        TreeMap<String, String> out = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
                if (excluded.contains(dir)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (!dir.equals(root)) {
                    out.put(root.relativize(dir).toString(), describe(a));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                if (!excluded.contains(f)) {
                    out.put(root.relativize(f).toString(), describe(a));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return new FolderSnapshot(root, out);
    }

    private static String describe(BasicFileAttributes a) {
        if (a.isDirectory()) {
            // a folder's time moves with any entry made in it, the method's own result file among them: its
            // entries are compared instead
            return "folder " + a.fileKey();
        }
        String kind = a.isSymbolicLink() ? "link" : a.isRegularFile() ? "file" : "other";
        return kind + " " + a.size() + " " + a.lastModifiedTime().toInstant() + " " + a.fileKey();
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
