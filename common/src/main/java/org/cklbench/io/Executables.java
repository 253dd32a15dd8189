package org.cklbench.io;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Programs found as a shell finds them, for the tools the suite starts (a browser, Slurm, a method's command). */
public final class Executables {
    private Executables() {
    }

    /** The first executable regular file {@code name} in a folder of the PATH (an empty entry is the current folder). */
    public static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
