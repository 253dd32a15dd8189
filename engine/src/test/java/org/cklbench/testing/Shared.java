package org.cklbench.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code ../shared}; tests that need it skip, saying why, when it is absent. */
public final class Shared {
    private Shared() {
    }

    public static Path root() {
        String prop = System.getProperty("ckl.shared");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isDirectory(p)) {
            p = Path.of("..", "..", "shared");
        }
        return p.toAbsolutePath().normalize();
    }

    /** {@code ../shared/<relative>}, or a skipped test when it is not there. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        Assumptions.assumeTrue(Files.exists(p),
                "skipped: " + p + " is absent (the read-only ../shared folder beside the repository)");
        return p;
    }

    public static Path tinyLlama(String relative) {
        return require("fixtures/tiny-llama/" + relative);
    }
}
