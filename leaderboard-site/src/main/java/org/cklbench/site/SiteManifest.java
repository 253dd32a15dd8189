package org.cklbench.site;

import org.cklbench.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The list of files a build wrote ({@value #NAME} in the site), so that the next build into the same folder
 * replaces exactly those and keeps the rest: a {@code CNAME} or {@code .nojekyll} that a static host needs,
 * notes the maintainer keeps beside the site.
 */
final class SiteManifest {
    static final String NAME = ".ckl-site-files";
    /** What a build wrote before the manifest existed: these names at the top of the site and all below them. */
    private static final Set<String> BEFORE_MANIFEST = Set.of("index.html", org.cklbench.runfolder.RunFolder.SITE_DATA, "leaderboard.json",
            "leaderboard.csv", "assets", "runs", "methods");
    /** A manifest larger than this was not written by a build (a line per file of the site). */
    private static final long MAX_BYTES = 64L << 20;

    private SiteManifest() {
    }

    /** Writes the manifest of {@code site}: every file under it, relative, '/'-separated, in name order. */
    static void write(Path site) throws IOException {
        List<String> files = new ArrayList<>(files(site));
        files.remove(NAME);
        AtomicFiles.writeString(site.resolve(NAME), String.join("\n", files) + "\n");
    }

    /** What the build that made {@code site} wrote there (by its manifest, or by the layout of a build before it). */
    static Set<String> written(Path site) throws IOException {
        Path m = site.resolve(NAME);
        Set<String> out = new TreeSet<>();
        if (Files.isRegularFile(m, LinkOption.NOFOLLOW_LINKS) && Files.size(m) <= MAX_BYTES) {
            for (String line : Files.readAllLines(m, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.add(line);
                }
            }
            out.add(NAME);
            return out;
        }
        for (String f : files(site)) {
            if (BEFORE_MANIFEST.contains(f.split("/", 2)[0])) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * Copies into {@code fresh} every file (or link, as a link) of {@code site} that {@code written} does not
     * name and that the fresh build did not write itself, so that replacing {@code site} by {@code fresh} keeps it.
     */
    static void keepOthers(Path site, Set<String> written, Path fresh) throws IOException {
        for (String f : files(site)) {
            Path target = SiteBuilder.inside(fresh, f);
            if (!written.contains(f) && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(target.getParent());
                Files.copy(site.resolve(f), target, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /** Every file and link under {@code root} (links not followed), relative, '/'-separated, in name order. */
    private static Set<String> files(Path root) throws IOException {
        Set<String> out = new TreeSet<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                out.add(root.relativize(file).toString().replace('\\', '/'));
                return FileVisitResult.CONTINUE;
            }
        });
        return out;
    }
}
