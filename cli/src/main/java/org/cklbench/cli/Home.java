package org.cklbench.cli;

import java.nio.file.Path;

/** CKL_HOME: downloads, generated worlds and cached models (default ~/.cache/ckl). */
final class Home {
    private Home() {
    }

    static Path get() {
        String env = System.getenv("CKL_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "ckl");
    }
}
