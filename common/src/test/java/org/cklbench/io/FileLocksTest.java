package org.cklbench.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    /**
     * The attack: a run folder (someone else's, given to the site) whose {@code .lock} links to a file of the
     * reader's. Probing it once wrote the prober's pid into that file; taking it would too.
     */
    @Test
    void aLinkedLockFileIsNeitherWrittenThroughNorTaken() throws Exception {
        Path victim = tmp.resolve("victim.txt");
        Files.writeString(victim, "keep me");
        Path lock = tmp.resolve("run/.lock");
        Files.createDirectories(lock.getParent());
        Files.createSymbolicLink(lock, victim);
        assertThat(FileLocks.isHeld(lock)).isFalse();
        assertThatThrownBy(() -> FileLocks.tryAcquire(lock)).isInstanceOf(java.io.IOException.class);
        assertThat(Files.readString(victim)).isEqualTo("keep me");
    }

    /** Probing a lock nobody holds changes nothing in the folder it reads. */
    @Test
    void probingWritesNothing() throws Exception {
        Path lock = tmp.resolve(".lock");
        Files.writeString(lock, "4242\n");
        java.nio.file.attribute.FileTime before = Files.getLastModifiedTime(lock);
        Thread.sleep(20);
        assertThat(FileLocks.isHeld(lock)).isFalse();
        assertThat(Files.readString(lock)).isEqualTo("4242\n");
        assertThat(Files.getLastModifiedTime(lock)).isEqualTo(before);
    }
}
