package org.cklbench.cli;

import java.nio.file.Path;

/**
 * CKL_HOME: downloads, generated worlds and cached models (default ~/.cache/ckl). The system
 * property {@code ckl.home} takes precedence, for tests that run the tool in-process.
 */
final class Home {
    private Home() {
    }

    static Path get() {
        String prop = System.getProperty("ckl.home");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("CKL_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "ckl");
    }
}
