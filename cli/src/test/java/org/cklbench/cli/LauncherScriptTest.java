package org.cklbench.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Of two equal Java options the last wins, so the user's CKL_JAVA_OPTS must come after every default
 * the launcher sets: before it, {@code CKL_JAVA_OPTS=-Dai.djl.offline=false} (docs/usage.md's first GPU
 * run) was overridden by the launcher's own {@code -Dai.djl.offline=true}.
 */
class LauncherScriptTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theUsersJavaOptionsComeAfterTheLaunchersDefaults() throws Exception {
        String script = Files.readString(ROOT.resolve("ckl"));
        int exec = script.indexOf("\nexec java ");
        assertThat(exec).as("the launcher's java line").isPositive();
        String javaLine = script.substring(exec, script.indexOf("org.cklbench.cli.Main", exec));
        int user = javaLine.indexOf("${CKL_JAVA_OPTS");
        assertThat(user).as("CKL_JAVA_OPTS on the java line").isPositive();
        for (String option : new String[] {"-Xmx", "-XX:", "-Dai.djl.offline", "-Dorg.slf4j"}) {
            assertThat(javaLine.lastIndexOf(option)).as(option + " comes before CKL_JAVA_OPTS").isBetween(0, user);
        }
    }
}
