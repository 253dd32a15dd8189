package org.cklbench.site;

import org.cklbench.runfolder.RunFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of a run folder the site publishes: only those the run-folder format defines ({@link RunFolder}),
 * each a plain file (not a link) of a name the format gives it. Anything else a folder holds (a report.html,
 * an image, an index.html of its own) is not the run's result and is never published, so a submitted bundle
 * cannot place its own pages or scripts on the site.
 */
final class PublishedFiles {
    /** The format's files at the top of a run folder, in the order a run page lists them. */
    static final List<String> TOP = List.of(RunFolder.RUN, RunFolder.BENCHMARK, RunFolder.SUMMARY, RunFolder.METRICS,
            RunFolder.STEPS, RunFolder.BOOTSTRAP, RunFolder.VERIFICATION);
    /** A predictions file: one JSON Lines file per evaluation. */
    private static final String PREDICTION = "[A-Za-z0-9][A-Za-z0-9._+-]{0,199}\\.jsonl";

    private PublishedFiles() {
    }

    /** The run folder's publishable files, relative, '/'-separated, in name order. */
    static List<String> of(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        for (String f : TOP) {
            if (Files.isRegularFile(dir.resolve(f), LinkOption.NOFOLLOW_LINKS)) {
                out.add(f);
            }
        }
        Path predictions = dir.resolve(RunFolder.PREDICTIONS);
        if (Files.isDirectory(predictions, LinkOption.NOFOLLOW_LINKS)) {
            try (var s = Files.list(predictions)) {
                for (Path p : s.sorted().toList()) {
                    String name = p.getFileName().toString();
                    if (name.matches(PREDICTION) && !name.contains("..")
                            && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        out.add(RunFolder.PREDICTIONS + "/" + name);
                    }
                }
            }
        }
        out.sort(null);
        return out;
    }
}
