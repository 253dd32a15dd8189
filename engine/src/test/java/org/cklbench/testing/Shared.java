package org.cklbench.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code ../shared}; tests that need it skip, saying why, when it is absent. */
public final class Shared {
    private Shared() {
    }

    /**
     * {@code -Dckl.shared} when given (the build passes {@code ../shared} beside the repository; a folder that is
     * not there makes every test that needs it skip, which is how a checkout without it is tried); else, run
     * outside Maven, {@code shared} beside the module or beside the repository.
     */
    public static Path root() {
        String prop = System.getProperty("ckl.shared");
        if (prop != null && !prop.isBlank() && !prop.startsWith("${")) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        Path p = Path.of("..", "shared");
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
