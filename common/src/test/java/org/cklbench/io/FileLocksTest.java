package org.cklbench.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class FileLocksTest {
    @TempDir
    Path tmp;

    @Test
    void aHeldLockIsRefusedUntilReleasedAndNamesItsHolder() throws Exception {
        Path f = tmp.resolve("a/.lock");
        assertThat(FileLocks.isHeld(f)).isFalse();
        try (FileLocks.Held held = FileLocks.tryAcquire(f).orElseThrow()) {
            assertThat(FileLocks.tryAcquire(f)).isEmpty();
            assertThat(FileLocks.isHeld(f)).isTrue();
            assertThat(FileLocks.holder(f)).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        }
        assertThat(FileLocks.isHeld(f)).isFalse();
        FileLocks.tryAcquire(f).orElseThrow().close();
    }

    /** A lock held by another process (a small JVM, to take the same kind of lock) is seen; SIGKILL drops it. */
    @Test
    void anotherProcessSeesTheLockAndGetsItWhenTheHolderDies() throws Exception {
        Path f = tmp.resolve(".lock");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path src = tmp.resolve("Hold.java");
        Files.writeString(src, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Hold {
                    public static void main(String[] a) throws Exception {
                        FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        ch.lock();
                        System.out.println("locked");
                        Thread.sleep(60_000);
                    }
                }""");
        Process p = new ProcessBuilder(java.toString(), src.toString(), f.toString()).start();
        try {
            assertThat(new String(p.getInputStream().readNBytes(6))).isEqualTo("locked");
            assertThat(FileLocks.isHeld(f)).isTrue();
            assertThat(FileLocks.tryAcquire(f)).isEmpty();
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(FileLocks.isHeld(f)).as("the kernel dropped the dead holder's lock").isFalse();
    }
}
