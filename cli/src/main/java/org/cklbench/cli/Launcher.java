package org.cklbench.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The command that starts ckl in another process (a sweep's runs, locally or on Slurm nodes). */
final class Launcher {
    private Launcher() {
    }

    /**
     * Whichever it is, the process starting it sets the pinned arithmetic in its environment
     * ({@code ArithmeticPin.apply}); a wrapper that resets the environment still ends in {@code Main},
     * which starts itself again pinned.
     *
     * {@code given} split at spaces (e.g. a container wrapper), else {@code $CKL_LAUNCHER} (set by the
     * {@code ./ckl} script to itself), else this JVM's java with this class path and the launcher's options.
     */
    static List<String> command(String given) {
        if (given != null && !given.isBlank()) {
            return Arrays.asList(given.strip().split("\\s+"));
        }
        String env = System.getenv("CKL_LAUNCHER");
        if (env != null && !env.isBlank()) {
            return List.of(env);
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-XX:+UseSerialGC", "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), Main.class.getName());
    }
}
