package org.cklbench.io;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;

/** Whole folders: built aside and renamed into place, or deleted. */
public final class Folders {
    private Folders() {
    }

    /**
     * Renames the finished folder {@code tmp} to {@code target}. When another process published
     * {@code target} first (concurrent runs sharing CKL_HOME build the same cache entry, identical by
     * construction), drops {@code tmp} and keeps theirs. Returns whether ours was published.
     */
    public static boolean publish(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (FileSystemException e) {
            // rename(2) onto a non-empty folder fails with ENOTEMPTY, which Java reports as a plain FileSystemException
            if (!Files.isDirectory(target)) {
                throw e;
            }
            deleteTree(tmp);
            return false;
        }
    }

    /** Deletes {@code p} and everything under it; nothing when absent. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
