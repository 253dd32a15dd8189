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
import java.time.Instant;
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
        return Set.of(run.resolve("external/stage-001/adapter_out"), clock());
    }

    /** The suite's own file whose change time tells the file system's clock: outside every listing. */
    private Path clock() {
        return run.resolve("external/stage-001/clock.touch");
    }

    private void await(FolderSnapshot before) throws Exception {
        assertThat(FolderSnapshot.awaitDistinctChangeTimes(clock(), before)).as("the clock passed the listing").isTrue();
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
        await(before);
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
            await(before);
            rewriteInPlace(f, "{\"acc\": 0.99}\n");
            assertThat(before.changes(FolderSnapshot.of(run, own()))).as("try %d", i).containsExactly("metrics.jsonl was changed");
        }
    }

    @Test
    void aHardLinkFromTheMethodsOwnFolderToARunFileIsSeen() throws Exception {
        // through it, a later stage (its state_in) or a leftover process could rewrite the run's file
        Path f = metrics();
        FolderSnapshot before = FolderSnapshot.of(run, own());
        await(before);
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
        await(before);
        Files.writeString(run.resolve("external/stage-001/adapter_out/adapter_config.json"), "{}");
        Files.readAllBytes(f);
        assertThat(before.changes(FolderSnapshot.of(run, own()))).isEmpty();
    }

    @Test
    void theWeightsBehindALinkOfAHuggingFaceSnapshotAreWatched() throws Exception {
        // models--org--name/snapshots/<rev>/model.safetensors -> ../../blobs/<sha>: the listing of the
        // snapshot folder alone holds only the link, whose own times the rewrite does not move
        Files.createDirectories(clock().getParent());
        Path blob = Files.createDirectories(run.resolve("models--org--tiny/blobs")).resolve("3f2a");
        Files.writeString(blob, "weights-aaaa");
        Path snapshot = Files.createDirectories(run.resolve("models--org--tiny/snapshots/abc"));
        Files.createSymbolicLink(snapshot.resolve("model.safetensors"), Path.of("../../blobs/3f2a"));
        Files.writeString(snapshot.resolve("config.json"), "{}");
        FolderSnapshot before = FolderSnapshot.withLinkTargets(snapshot, Set.of());
        assertThat(FolderSnapshot.awaitDistinctChangeTimes(clock(), before)).isTrue();
        rewriteInPlace(blob, "weights-bbbb");
        assertThat(before.changes(FolderSnapshot.withLinkTargets(snapshot, Set.of())))
                .containsExactly("model.safetensors was changed");
        // the plain listing, which follows no link, does not see it: the reason for the targets
        FolderSnapshot plain = FolderSnapshot.of(snapshot, Set.of());
        assertThat(FolderSnapshot.awaitDistinctChangeTimes(clock(), plain)).isTrue();
        rewriteInPlace(blob, "weights-cccc");
        assertThat(plain.changes(FolderSnapshot.of(snapshot, Set.of()))).isEmpty();
    }

    @Test
    void aLinkWhoseTargetIsRemovedIsSeen() throws Exception {
        Path blob = Files.writeString(run.resolve("blob"), "w");
        Path model = Files.createDirectories(run.resolve("model"));
        Files.createSymbolicLink(model.resolve("model.safetensors"), blob);
        FolderSnapshot before = FolderSnapshot.withLinkTargets(model, Set.of());
        Files.delete(blob);
        assertThat(before.changes(FolderSnapshot.withLinkTargets(model, Set.of()))).containsExactly("model.safetensors was changed");
    }

    @Test
    void theWaitEndsOnceTheFileSystemsClockPassesTheNewestChangeTime() throws Exception {
        Files.createDirectories(clock().getParent());
        // a listing 300 ms ahead of this clock (a file server's clock ahead, or a coarse tick): waited out
        FileTime ahead = FileTime.from(Instant.now().plusMillis(300));
        long t0 = System.nanoTime();
        assertThat(FolderSnapshot.awaitPast(clock(), ahead, 3_000)).isTrue();
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(250);
        assertThat((FileTime) Files.getAttribute(clock(), "unix:ctime")).isGreaterThan(ahead);
    }

    @Test
    void aClockThatNeverPassesTheListingIsReportedNotWaitedForever() throws Exception {
        Files.createDirectories(clock().getParent());
        FileTime farAhead = FileTime.from(Instant.now().plusSeconds(60));
        long t0 = System.nanoTime();
        assertThat(FolderSnapshot.awaitPast(clock(), farAhead, 200)).isFalse();
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    }
}
