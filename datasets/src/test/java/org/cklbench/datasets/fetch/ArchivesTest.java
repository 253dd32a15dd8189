package org.cklbench.datasets.fetch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchivesTest {
    @TempDir
    Path tmp;

    @Test
    void anEntryPointingOutsideTheFolderIsRefusedAndNothingEscapes() throws Exception {
        Path zip = tmp.resolve("evil.zip");
        Files.write(zip, FetcherTest.zip("ok.txt", "fine", "../../escaped.txt", "gotcha"));
        Path target = tmp.resolve("a/b/out");
        assertThatThrownBy(() -> Archives.unzip(zip, target)).hasMessageContaining("../../escaped.txt")
                .hasMessageContaining("outside the extraction folder");
        assertThat(tmp.resolve("a/escaped.txt")).doesNotExist();
        assertThat(tmp.resolve("escaped.txt")).doesNotExist();
    }

    @Test
    void aTruncatedArchiveIsAClearError() throws Exception {
        byte[] whole = FetcherTest.zip("a.txt", "x".repeat(5000), "b.txt", "y".repeat(5000));
        Path zip = tmp.resolve("cut.zip");
        Files.write(zip, Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> Archives.unzip(zip, tmp.resolve("out"))).hasMessageContaining("cut.zip")
                .hasMessageContaining("truncated or corrupt");
    }

    @Test
    void aCorruptArchiveIsAClearError() throws Exception {
        Path zip = tmp.resolve("junk.zip");
        Files.writeString(zip, "this is not a zip file at all, just text pretending to be one");
        assertThatThrownBy(() -> Archives.unzip(zip, tmp.resolve("out"))).hasMessageContaining("junk.zip")
                .hasMessageContaining("not a readable zip archive");
    }
}
