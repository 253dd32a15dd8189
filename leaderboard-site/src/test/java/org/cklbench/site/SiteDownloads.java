package org.cklbench.site;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What tests read back from a built site's downloads. */
public final class SiteDownloads {
    private SiteDownloads() {
    }

    /** Every board's CSV of the site (downloads/*.csv), one after another. */
    public static String boardCsvs(Path site) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (var s = Files.list(site.resolve("downloads"))) {
            for (Path p : s.filter(x -> x.toString().endsWith(".csv")).sorted().toList()) {
                sb.append(Files.readString(p));
            }
        }
        return sb.toString();
    }
}
