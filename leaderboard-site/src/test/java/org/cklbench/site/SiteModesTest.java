package org.cklbench.site;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A built site is readable by whoever the umask lets read any new folder (a web server), not 0700. */
class SiteModesTest {
    @Test
    void theSiteFolderHasThePlainModeOfANewFolder(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.getFileStore(tmp).supportsFileAttributeView("posix"), "a POSIX file system");
        Path probe = Files.createDirectory(tmp.resolve("probe"));
        Path probeFile = Files.createFile(tmp.resolve("probe.txt"));
        Path site = tmp.resolve("site");
        SiteBuilder.build(Files.createDirectories(tmp.resolve("runs")), site, List.of(), Map.of());
        assertThat(Files.getPosixFilePermissions(site)).isEqualTo(Files.getPosixFilePermissions(probe));
        assertThat(Files.getPosixFilePermissions(site.resolve("index.html")))
                .isEqualTo(Files.getPosixFilePermissions(probeFile));
    }
}
