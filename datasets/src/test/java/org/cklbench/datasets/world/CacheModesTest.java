package org.cklbench.datasets.world;

import org.cklbench.progress.Progress;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The caches under CKL_HOME (a world and its base) honour the umask, as results do: a shared CKL_HOME
 * is read by colleagues' runs. A JVM started under a given umask (a JVM cannot set or read its own)
 * builds a tiny world and base; their modes are checked here.
 */
class CacheModesTest {
    private static final World.Spec TINY = new World.Spec(5L, 24, 12, 6, 12, 2, 0.3, 0.05, 0.4);
    private static final WorldBase.Recipe TINY_BASE = new WorldBase.Recipe(8, 16, 1, 2, 1, 1, 16, 1e-3, 1);

    /** Run in the child JVM: builds the world of ARG0 (a CKL_HOME), and its base when ARG1 is "base". */
    public static void main(String[] args) throws IOException {
        Path world = WorldFiles.ensure(Path.of(args[0]), TINY);
        if (args[1].equals("base")) {
            WorldBase.ensure(world, TINY_BASE, Progress.NONE);
        }
    }

    @ParameterizedTest(name = "umask {0}")
    // the base takes half a minute to pretrain, so only one umask builds one; the world takes seconds
    @CsvSource({"022, base, rwxr-xr-x, rw-r--r--", "077, world, rwx------, rw-------", "027, world, rwxr-x---, rw-r-----"})
    void worldAndBaseFollowTheUmask(String umask, String what, String dirMode, String fileMode, @TempDir Path home)
            throws Exception {
        assumeTrue(Files.getFileStore(home).supportsFileAttributeView("posix"), "a POSIX file system");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = "umask " + umask + " && exec \"$0\" -cp \"$1\" " + CacheModesTest.class.getName() + " \"$2\" \"$3\"";
        Process p = new ProcessBuilder(List.of("/bin/sh", "-c", cmd, java, System.getProperty("java.class.path"),
                home.toString(), what)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        Path world = home.resolve("worlds").resolve(WorldFiles.id(TINY));
        Path base = world.resolve(TINY_BASE.id());
        List<Path> dirs = new java.util.ArrayList<>(List.of(home.resolve("worlds"), world));
        List<Path> files = new java.util.ArrayList<>(List.of(world.resolve("world.json")));
        if (what.equals("base")) {
            dirs.add(base);
            files.add(base.resolve("model.safetensors"));
        }
        for (Path dir : dirs) {
            assertThat(mode(dir)).as(dir.toString()).isEqualTo(dirMode);
        }
        for (Path file : files) {
            assertThat(mode(file)).as(file.toString()).isEqualTo(fileMode);
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
