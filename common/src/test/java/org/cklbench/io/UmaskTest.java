package org.cklbench.io;

import org.junit.jupiter.api.Test;
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
 * Result files and folders honour the umask, as every other new file does: a JVM started under a
 * given umask (a JVM cannot set or read its own) writes a file with {@link AtomicFiles} and makes a
 * folder with {@link TempPaths}; their modes are checked here.
 */
class UmaskTest {

    /** Run in the child JVM: writes ARG/result.json atomically and makes ARG/.site.* (a site's folder). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        AtomicFiles.writeString(dir.resolve("result.json"), "{}\n");
        Path site = TempPaths.directory(dir, ".site.");
        Files.move(site, dir.resolve("site"));
    }

    @ParameterizedTest(name = "umask {0}")
    @CsvSource({"022, rw-r--r--, rwxr-xr-x", "027, rw-r-----, rwxr-x---", "077, rw-------, rwx------"})
    void modesFollowTheUmask(String umask, String fileMode, String dirMode, @TempDir Path tmp) throws Exception {
        assumeTrue(Files.getFileStore(tmp).supportsFileAttributeView("posix"), "a POSIX file system");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cmd = "umask " + umask + " && exec \"$0\" -cp \"$1\" " + UmaskTest.class.getName() + " \"$2\"";
        Process p = new ProcessBuilder(List.of("/bin/sh", "-c", cmd, java, System.getProperty("java.class.path"),
                tmp.toString())).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("result.json"))))
                .isEqualTo(fileMode);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("site"))))
                .isEqualTo(dirMode);
    }

    /** In this JVM, whatever its umask: the same mode as a file or folder made plainly beside them. */
    @Test
    void sameModesAsPlainNewFilesAndFolders(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.getFileStore(tmp).supportsFileAttributeView("posix"), "a POSIX file system");
        Path probeFile = Files.createFile(tmp.resolve("probe"));
        Path probeDir = Files.createDirectory(tmp.resolve("probe-dir"));
        AtomicFiles.writeString(tmp.resolve("a.json"), "{}");
        Path dir = TempPaths.directory(tmp, ".x.");
        Path file = TempPaths.file(tmp, ".y.", ".tmp");
        assertThat(Files.getPosixFilePermissions(tmp.resolve("a.json"))).isEqualTo(Files.getPosixFilePermissions(probeFile));
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Files.getPosixFilePermissions(probeFile));
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(Files.getPosixFilePermissions(probeDir));
        assertThat(dir.getFileName().toString()).startsWith(".x.");
        assertThat(file.getFileName().toString()).startsWith(".y.").endsWith(".tmp");
        try (var s = Files.list(tmp)) {
            assertThat(s.filter(x -> x.getFileName().toString().endsWith(".tmp")).count()).as("only the one made here")
                    .isEqualTo(1);
        }
    }
}
