package org.cklbench.sweeps;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What sweep status calls a run that was submitted but never began. */
class SweepStatusTest {
    @TempDir
    Path tmp;

    /** Once "failed" (with "ended without a summary; not started"), as if it had run and failed. */
    @Test
    void aRunThatNeverStartedIsNotStartedNotFailed() throws Exception {
        SweepFolder folder = new SweepFolder(tmp.resolve("sweep"));
        folder.record(new SweepFolder.Submission("local", null, null, List.of("never", "broke"), "2026-12-07T00:00:00Z",
                null));
        Files.createDirectories(folder.logs());
        Files.writeString(folder.logs().resolve("broke.log"), "ckl: error: --data x does not exist\n");
        SweepStatus.Report r = SweepStatus.of(folder, List.of("never", "broke"), new Slurm());
        assertThat(r.rows().get(0).state()).isEqualTo(SweepStatus.State.NOT_STARTED);
        assertThat(r.rows().get(0).state().label()).isEqualTo("not started");
        assertThat(r.rows().get(0).detail()).doesNotContain("failed");
        assertThat(r.rows().get(1).state()).isEqualTo(SweepStatus.State.FAILED);
        assertThat(r.rows().get(1).detail()).contains("does not exist");
    }
}
