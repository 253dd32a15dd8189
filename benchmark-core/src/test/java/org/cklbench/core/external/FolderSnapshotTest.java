package org.cklbench.core.external;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The listing an external method's stage is checked against sees every change outside the method's own
 * paths, forged ones included: bytes rewritten in place with the size and modification time put back.
 */
class FolderSnapshotTest {
    @TempDir
    Path run;

    private Path metrics() throws Exception {
        Files.createDirectories(run.resolve("external/stage-001/adapter_out"));
        return Files.writeString(run.resolve("metrics.jsonl"), "{\"acc\": 0.25}\n");
    }

    private Set<Path> own() {
        return Set.of(run.resolve("external/stage-001/adapter_out"));
    }

    /** What {@code touch -d} with the old time does: the modification time put back. */
    private static void rewriteInPlace(Path f, String same) throws Exception {
        FileTime mtime = Files.getLastModifiedTime(f);
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(same.getBytes(StandardCharsets.UTF_8)), 0);
        }
        Files.setLastModifiedTime(f, mtime);
        assertThat(Files.getLastModifiedTime(f)).isEqualTo(mtime);
    }

    @Test
    void sameSizeBytesWithTheModificationTimePutBackAreSeen() throws Exception {
        Path f = metrics();
        long size = Files.size(f);
        FolderSnapshot before = FolderSnapshot.of(run, own());
        before.awaitDistinctChangeTimes();
        rewriteInPlace(f, "{\"acc\": 0.99}\n");
        assertThat(Files.size(f)).isEqualTo(size);
        assertThat(before.changes(FolderSnapshot.of(run, own()))).containsExactly("metrics.jsonl was changed");
    }

    @Test
    void aChangeRightAfterTheSuiteWroteTheFileIsSeen() throws Exception {
        // the suite writes the request just before it lists the folder and starts the method
        for (int i = 0; i < 20; i++) {
            Path f = metrics();
            FolderSnapshot before = FolderSnapshot.of(run, own());
            before.awaitDistinctChangeTimes();
            rewriteInPlace(f, "{\"acc\": 0.99}\n");
            assertThat(before.changes(FolderSnapshot.of(run, own()))).as("try %d", i).containsExactly("metrics.jsonl was changed");
        }
    }

    @Test
    void aHardLinkFromTheMethodsOwnFolderToARunFileIsSeen() throws Exception {
        // through it, a later stage (its state_in) or a leftover process could rewrite the run's file
        Path f = metrics();
        FolderSnapshot before = FolderSnapshot.of(run, own());
        before.awaitDistinctChangeTimes();
        Files.createLink(run.resolve("external/stage-001/adapter_out/metrics-link"), f);
        assertThat(before.changes(FolderSnapshot.of(run, own()))).containsExactly("metrics.jsonl was changed");
    }

    @Test
    void aChangedModeIsSeen() throws Exception {
        Path f = metrics();
        FolderSnapshot before = FolderSnapshot.of(run, own());
        Files.setPosixFilePermissions(run.resolve("external"), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(before.changes(FolderSnapshot.of(run, own()))).containsExactly("external was changed");
        assertThat(f).exists();
    }

    @Test
    void whatTheMethodMayWriteAndReadingAreNoChange() throws Exception {
        Path f = metrics();
        FolderSnapshot before = FolderSnapshot.of(run, own());
        before.awaitDistinctChangeTimes();
        Files.writeString(run.resolve("external/stage-001/adapter_out/adapter_config.json"), "{}");
        Files.readAllBytes(f);
        assertThat(before.changes(FolderSnapshot.of(run, own()))).isEmpty();
    }
}
