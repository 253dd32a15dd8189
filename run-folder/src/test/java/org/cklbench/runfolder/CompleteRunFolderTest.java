package org.cklbench.runfolder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one definition of a complete run folder (run.json and summary.json, regular files, not links), the search
 * for them that every reader uses, and the format this suite reads.
 */
class CompleteRunFolderTest {
    @TempDir
    Path tmp;

    private Path folder(String name, String... files) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name));
        for (String f : files) {
            Files.writeString(d.resolve(f), "{}");
        }
        return d;
    }

    @Test
    void completeMeansRunJsonAndSummaryJsonAsFilesOfTheirOwn() throws Exception {
        assertThat(RunFolder.isComplete(folder("done", RunFolder.RUN, RunFolder.SUMMARY))).isTrue();
        assertThat(RunFolder.isComplete(folder("running", RunFolder.RUN, RunFolder.METRICS))).isFalse();
        assertThat(RunFolder.isComplete(folder("summary-only", RunFolder.SUMMARY))).isFalse();
        Path linked = folder("linked", RunFolder.RUN);
        Files.createSymbolicLink(linked.resolve(RunFolder.SUMMARY), tmp.resolve("done").resolve(RunFolder.SUMMARY));
        assertThat(RunFolder.isComplete(linked)).as("a summary.json that is a link").isFalse();
        assertThat(new RunFolder(tmp.resolve("done")).complete()).isTrue();
    }

    @Test
    void theSearchFindsCompleteFoldersInPathOrderAndSkipsABuiltSite() throws Exception {
        Path b = folder("sweep/b", RunFolder.RUN, RunFolder.SUMMARY);
        Path a = folder("sweep/a", RunFolder.RUN, RunFolder.SUMMARY);
        folder("sweep/c", RunFolder.RUN);
        Path site = folder("sweep/site", RunFolder.SITE_DATA);
        folder("sweep/site/runs/a", RunFolder.RUN, RunFolder.SUMMARY);
        Files.createSymbolicLink(tmp.resolve("sweep/link"), a);
        assertThat(RunFolder.completeUnder(tmp.resolve("sweep"))).containsExactly(a, b);
        assertThat(site).exists();
    }

    @Test
    void aFolderWithoutBenchmarkJsonIsOfNoFormatThisSuiteReads() throws Exception {
        Path d = folder("old", RunFolder.RUN, RunFolder.SUMMARY);
        assertThatThrownBy(() -> new RunFolder(d).benchmarkSpec()).hasMessageContaining("no benchmark.json")
                .hasMessageContaining("run-folder format " + RunFolder.FORMAT_VERSION);
    }
}
