package org.cklbench.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ScreenshotTest {

    @Test
    void aPageBecomesAPngOfTheAskedSize(@TempDir Path tmp) throws Exception {
        var browser = Screenshot.browser();
        Assumptions.assumeTrue(browser.isPresent(), "skipped: no Chromium on the PATH (.ci/run installs Debian's chromium)");
        Path page = tmp.resolve("index.html");
        Files.writeString(page, "<!doctype html><title>t</title><h1 style='color:#c00'>board</h1>");
        Path png = tmp.resolve("shots").resolve("home.png");
        assertThat(Screenshot.take(browser.get(), page, png, 300)).isTrue();
        byte[] b = Files.readAllBytes(png);
        assertThat(b).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        // IHDR: width and height, big-endian, at bytes 16..23
        int width = ((b[16] & 0xff) << 24) | ((b[17] & 0xff) << 16) | ((b[18] & 0xff) << 8) | (b[19] & 0xff);
        int height = ((b[20] & 0xff) << 24) | ((b[21] & 0xff) << 16) | ((b[22] & 0xff) << 8) | (b[23] & 0xff);
        assertThat(width).isEqualTo(1280);
        assertThat(height).isEqualTo(300);
        assertThat(tmp.resolve("shots")).isDirectoryNotContaining(p -> p.toString().endsWith(".tmp.png"));
    }

    @Test
    void aBrowserThatFailsWritesNothing(@TempDir Path tmp) throws Exception {
        Path fake = tmp.resolve("chromium");
        Files.writeString(fake, "#!/bin/sh\nexit 3\n");
        fake.toFile().setExecutable(true);
        Path png = tmp.resolve("home.png");
        assertThat(Screenshot.take(fake, tmp.resolve("index.html"), png, 300)).isFalse();
        assertThat(png).doesNotExist();
    }
}
