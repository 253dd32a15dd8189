package org.cklbench.io;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Temporary files and folders that are renamed into place as results or cache entries, created with
 * the modes of any new file or folder (0666 and 0777 less the process umask: 0644 and 0755 under umask
 * 022), not the 0600 and 0700 of {@link Files#createTempFile} and {@link Files#createTempDirectory},
 * which are meant for private scratch in a shared /tmp. Result files, sites and a shared CKL_HOME's
 * worlds, bases and built datasets are read by colleagues and web servers; the umask (and any default
 * ACL of the folder) says who may, as for every other file the user makes.
 */
public final class TempPaths {
    private TempPaths() {
    }

    /** A new empty file {@code dir/<prefix><random><suffix>}. */
    public static Path file(Path dir, String prefix, String suffix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve(prefix + random() + suffix);
            try {
                return Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    /** A new empty folder {@code parent/<prefix><random>}. */
    public static Path directory(Path parent, String prefix) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path p = parent.resolve(prefix + random());
            try {
                return Files.createDirectory(p);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    private static String random() {
        return Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
    }
}
