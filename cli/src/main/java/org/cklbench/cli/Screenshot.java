package org.cklbench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A picture of a built page through a headless Chromium found on the PATH, so that the README's picture of
 * the leaderboard is what the quickstart last produced rather than something drawn by hand long ago.
 */
final class Screenshot {
    private static final List<String> BROWSERS = List.of("chromium", "chromium-browser", "google-chrome");

    private Screenshot() {
    }

    /** The first browser of {@link #BROWSERS} on the PATH. */
    static Optional<Path> browser() {
        return BROWSERS.stream().map(org.cklbench.io.Executables::onPath).flatMap(Optional::stream).findFirst();
    }

    /**
     * Writes a PNG of {@code page} (width 1280 CSS pixels, {@code height} tall) to {@code png}; false, with
     * nothing written, when the browser fails or takes more than a minute.
     */
    static boolean take(Path browser, Path page, Path png, int height) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp.png");
        Path profile = Files.createTempDirectory("ckl-chromium");
        try {
            Process p = new ProcessBuilder(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--hide-scrollbars", "--user-data-dir=" + profile, "--window-size=1280," + height,
                    "--screenshot=" + tmp.toAbsolutePath(), page.toAbsolutePath().toUri().toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(tmp) || Files.size(tmp) == 0) {
                return false;
            }
            Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return true;
        } finally {
            Files.deleteIfExists(tmp);
            org.cklbench.io.Folders.deleteTree(profile);
        }
    }
}
