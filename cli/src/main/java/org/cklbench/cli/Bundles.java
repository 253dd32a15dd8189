package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.cklbench.io.Hashing;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.RunRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Submission bundles: one zip with run folders (without checkpoints), the plugin jars they were made
 * with (chosen by the SHA-256 their run.json records) and a manifest. Reading one never writes outside
 * the scratch folder it is given, follows no link, and stops at size and count limits, since a bundle
 * is someone else's file.
 */
final class Bundles {
    static final String MANIFEST = "manifest.json";
    static final String FORMAT = "ckl-bench-submission-1";
    /** Limits on what a site build unpacks in all: a results bundle is megabytes, not a gigabyte. */
    static long maxBytes = 1L << 30;
    static int maxEntries = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Bundles() {
    }

    /** Writes {@code out}: every complete run folder under {@code runs}, the plugin jars they name, a manifest. */
    static ObjectNode write(Path runs, Path plugins, Path out) throws IOException {
        List<Path> folders = new ArrayList<>();
        try (Stream<Path> s = Files.walk(runs)) {
            s.filter(d -> Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) && new RunFolder(d).complete())
                    .sorted().forEach(folders::add);
        }
        if (folders.isEmpty()) {
            throw new IllegalArgumentException(runs + " holds no complete run folder to submit");
        }
        Map<String, Path> jarsBySha = new TreeMap<>();
        if (plugins != null) {
            try (Stream<Path> s = Files.list(plugins)) {
                for (Path jar : s.filter(p -> p.toString().endsWith(".jar") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                    jarsBySha.put(Hashing.sha256(jar), jar);
                }
            }
        }
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", FORMAT);
        manifest.put("created", Instant.now().toString());
        ArrayNode runList = manifest.putArray("runs");
        Map<String, Path> needed = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Path d : folders) {
            if (!seen.add(d.getFileName().toString())) {
                throw new IllegalArgumentException(runs + " holds two run folders named " + d.getFileName()
                        + "; submit them in two bundles");
            }
        }
        for (Path d : folders) {
            RunFolder f = new RunFolder(d);
            RunRecord r = f.run();
            String name = d.getFileName().toString();
            var v = f.verification();
            runList.addObject().put("folder", "runs/" + name).put("id", r.config().id())
                    .put("verification", v == null ? null : v.verdict());
            Map<String, String> code = r.provenance() == null || r.provenance().codeSha256() == null ? Map.of()
                    : r.provenance().codeSha256();
            code.forEach((id, sha) -> {
                if (jarsBySha.containsKey(sha)) {
                    needed.put(sha, jarsBySha.get(sha));
                } else {
                    problems.add(name + " was made with a jar of " + id + " (SHA-256 " + sha + ") that is not in "
                            + (plugins == null ? "--plugins (none given)" : plugins));
                }
            });
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot bundle: " + String.join("; ", problems));
        }
        ArrayNode jars = manifest.putArray("plugins");
        needed.forEach((sha, jar) -> jars.addObject().put("file", "plugins/" + jar.getFileName()).put("sha256", sha));
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try {
            writeZip(tmp, manifest, folders, needed);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return manifest;
    }

    private static void writeZip(Path tmp, ObjectNode manifest, List<Path> folders, Map<String, Path> needed)
            throws IOException {
        try (OutputStream os = Files.newOutputStream(tmp); ZipArchiveOutputStream zip = new ZipArchiveOutputStream(os)) {
            put(zip, MANIFEST, JSON.writeValueAsBytes(manifest));
            for (Path d : folders) {
                try (Stream<Path> s = Files.walk(d)) {
                    for (Path file : s.sorted().toList()) {
                        Path rel = d.relativize(file);
                        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || rel.startsWith(RunFolder.CHECKPOINT)
                                || rel.toString().equals(RunFolder.LOCK)) {
                            continue;
                        }
                        put(zip, "runs/" + d.getFileName() + "/" + rel.toString().replace('\\', '/'), Files.readAllBytes(file));
                    }
                }
            }
            for (Path jar : needed.values()) {
                put(zip, "plugins/" + jar.getFileName(), Files.readAllBytes(jar));
            }
        }
    }

    private static void put(ZipArchiveOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipArchiveEntry e = new ZipArchiveEntry(name);
        e.setTime(0); // the same runs give the same bytes
        zip.putArchiveEntry(e);
        zip.write(bytes);
        zip.closeArchiveEntry();
    }

    /**
     * What {@code ckl site build --runs} should read: the folder itself, or, for a bundle or a folder of
     * bundles, each bundle unpacked into its own folder under {@code scratch}.
     */
    static Path expand(Path runs, Path scratch) throws IOException {
        if (Files.isRegularFile(runs) && runs.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".zip")) {
            unpack(runs, scratch.resolve("1-" + stem(runs)), new long[] {maxBytes});
            return scratch;
        }
        if (!Files.isDirectory(runs)) {
            return runs;
        }
        List<Path> zips;
        try (Stream<Path> s = Files.list(runs)) {
            zips = s.filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".zip")
                    && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        if (zips.isEmpty()) {
            return runs;
        }
        try (Stream<Path> s = Files.list(runs)) {
            if (s.anyMatch(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))) {
                throw new IllegalArgumentException(runs + " holds both bundles (.zip) and folders; give a folder of one"
                        + " kind, so that nothing is left out unsaid");
            }
        }
        long[] budget = {maxBytes}; // for all the bundles together
        for (int i = 0; i < zips.size(); i++) {
            // numbered, so two names that clean up alike never share a folder
            unpack(zips.get(i), scratch.resolve((i + 1) + "-" + stem(zips.get(i))), budget);
        }
        return scratch;
    }

    private static String stem(Path zip) {
        String n = zip.getFileName().toString();
        return n.substring(0, n.length() - ".zip".length()).replaceAll("[^A-Za-z0-9._+-]", "_");
    }

    /** A part of an entry name: what a run folder's files are named, on any file system. */
    private static final java.util.regex.Pattern SAFE_PART = java.util.regex.Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9._+-]{0,199}");

    /** Unpacks one bundle into {@code target}, which must not exist yet. */
    static void unpack(Path bundle, Path target) throws IOException {
        unpack(bundle, target, new long[] {maxBytes});
    }

    /**
     * Unpacks {@code bundle} into the new folder {@code target}, spending at most {@code budget[0]} bytes
     * (counted as written, whatever the archive declares). Refused, with the entry named: a name that is not
     * plain parts ({@code ..}, absolute, backslashes, drive letters, trailing dots, control characters),
     * the same name twice (ignoring case, as some file systems do), links, a missing or foreign manifest,
     * too many entries, too many bytes.
     */
    static void unpack(Path bundle, Path target, long[] budget) throws IOException {
        if (Files.size(bundle) > maxBytes) {
            throw new IOException(bundle + " is larger than " + maxBytes + " bytes; refusing it");
        }
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path root;
        try {
            root = Files.createDirectory(target).toAbsolutePath().normalize();
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new IOException(target + " already exists; unpack into a new folder", e);
        }
        ZipFile zf;
        try {
            zf = ZipFile.builder().setPath(bundle).get();
        } catch (IOException e) {
            throw new IOException(bundle + " is not a readable zip archive: " + e.getMessage(), e);
        }
        try (zf) {
            ZipArchiveEntry manifest = zf.getEntry(MANIFEST);
            if (manifest == null) {
                throw new IOException(bundle + " has no " + MANIFEST + "; not a bundle made by ckl submit");
            }
            JsonNode m;
            try (InputStream in = zf.getInputStream(manifest)) {
                byte[] bytes = in.readNBytes((1 << 20) + 1);
                if (bytes.length > 1 << 20) {
                    throw new IOException(bundle + ": " + MANIFEST + " is larger than 1 MiB");
                }
                m = JSON.readTree(bytes);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IOException(bundle + ": " + MANIFEST + " is not JSON: " + e.getOriginalMessage(), e);
            }
            if (m == null || !FORMAT.equals(m.path("format").asText())) {
                throw new IOException(bundle + ": " + MANIFEST + " is not of format " + FORMAT);
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            int count = 0;
            for (Enumeration<ZipArchiveEntry> en = zf.getEntriesInPhysicalOrder(); en.hasMoreElements(); ) {
                ZipArchiveEntry e = en.nextElement();
                String name = e.getName();
                if (++count > maxEntries) {
                    throw new IOException(bundle + " has more than " + maxEntries + " entries; refusing it");
                }
                String where = bundle + ": entry '" + name.replaceAll("\\p{Cntrl}", "?") + "' ";
                String clean = e.isDirectory() && name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
                for (String part : clean.split("/", -1)) {
                    if (!SAFE_PART.matcher(part).matches() || part.endsWith(".")) {
                        throw new IOException(where + "is not a plain relative name (letters, digits, . _ + - and /);"
                                + " refusing the bundle");
                    }
                }
                if (!names.add(clean.toLowerCase(java.util.Locale.ROOT))) {
                    throw new IOException(where + "appears twice (or differs from another only in case); refusing the bundle");
                }
                if (e.isUnixSymlink()) {
                    throw new IOException(where + "is a symbolic link; refusing the bundle");
                }
                Path out = root.resolve(clean).normalize();
                if (!out.startsWith(root)) {
                    throw new IOException(where + "points outside its folder; refusing the bundle");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = zf.getInputStream(e);
                     OutputStream os = Files.newOutputStream(out, java.nio.file.StandardOpenOption.CREATE_NEW,
                             java.nio.file.StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        budget[0] -= n;
                        if (budget[0] < 0) {
                            throw new IOException(bundle + " unpacks to more than " + maxBytes + " bytes; refusing it");
                        }
                        os.write(buf, 0, n);
                    }
                } catch (java.nio.file.FileAlreadyExistsException ex) {
                    throw new IOException(where + "collides with another entry; refusing the bundle", ex);
                }
            }
        }
    }
}
