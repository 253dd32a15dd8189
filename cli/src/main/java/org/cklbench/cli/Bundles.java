package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.cklbench.core.external.ExternalDeclaration;
import org.cklbench.io.Hashing;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.RunRecord;
import org.cklbench.text.Printable;

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
        List<Path> folders = RunFolder.completeUnder(runs);
        if (folders.isEmpty()) {
            throw new IllegalArgumentException(Printable.of(runs) + " holds no complete run folder to submit");
        }
        // every name checked by the rule unpacking applies, before anything is read or written
        Map<String, Path> files = entries(folders);
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
        for (Path d : folders) {
            RunFolder f = new RunFolder(d);
            RunRecord r = f.run();
            if (r.config() == null) {
                throw new IllegalArgumentException(Printable.of(d.resolve(RunFolder.RUN)) + " holds no configuration");
            }
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
                    problems.add(name + " was made with a jar of " + Printable.of(id) + " (SHA-256 " + Printable.of(sha)
                            + ") that is not in " + (plugins == null ? "--plugins (none given)" : plugins));
                }
            });
        }
        // external methods declared in --plugins: the declaration and the files it lists, so that ckl verify can run them
        Map<String, Path> declared = new TreeMap<>();
        ArrayNode externals = manifest.putArray("external_methods");
        for (Path d : folders) {
            RunRecord r = new RunFolder(d).run();
            for (org.cklbench.runfolder.MethodInfo m : r.methods() == null ? List.<org.cklbench.runfolder.MethodInfo>of()
                    : r.methods()) {
                if (m.origin() != null && m.origin().endsWith(ExternalDeclaration.SUFFIX)) {
                    // every run's recorded files checked; the manifest names each method once
                    boolean first = !declared.containsKey("plugins/" + m.id() + ExternalDeclaration.SUFFIX);
                    ObjectNode listed = declaration(d, m.id(), plugins, declared, problems);
                    if (listed != null && first) {
                        externals.add(listed);
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot bundle: " + String.join("; ", problems));
        }
        ArrayNode jars = manifest.putArray("plugins");
        BundleNames names = new BundleNames();
        files.keySet().forEach(names::refusal);
        for (Path jar : needed.values()) {
            String entry = "plugins/" + jar.getFileName();
            String why = names.refusal(entry);
            if (why != null) {
                throw new IllegalArgumentException("cannot bundle the plugin jar " + Printable.of(jar) + ": its name " + why
                        + "; rename it");
            }
        }
        for (Map.Entry<String, Path> e : declared.entrySet()) {
            String why = names.refusal(e.getKey());
            if (why != null) {
                throw new IllegalArgumentException("cannot bundle " + Printable.of(e.getValue()) + ": its name in the"
                        + " bundle " + why + "; rename it");
            }
        }
        needed.forEach((sha, jar) -> jars.addObject().put("file", "plugins/" + jar.getFileName()).put("sha256", sha));
        long bytes = 0;
        for (Path p : files.values()) {
            bytes += Files.size(p);
        }
        for (Path p : needed.values()) {
            bytes += Files.size(p);
        }
        for (Path p : declared.values()) {
            bytes += Files.size(p);
        }
        int count = files.size() + needed.size() + declared.size() + 1;
        if (count > maxEntries || bytes > maxBytes) {
            throw new IllegalArgumentException("cannot bundle: " + count + " files of "
                    + bytes + " bytes, more than a bundle may hold (" + maxEntries + " files, " + maxBytes + " bytes)");
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try {
            writeZip(tmp, manifest, files, needed, declared);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return manifest;
    }

    /**
     * Adds to {@code into} the declaration of the external method {@code id} that run folder {@code run} was made
     * with, found in {@code plugins}, and every file it lists (entries {@code plugins/...}, as the declaration's
     * folder holds them). The files it lists must be exactly those whose SHA-256 the run recorded, each with that
     * SHA-256: a file listed since (never recorded) would be packed unchecked, and one no longer listed would be
     * left out, so that the bundle fails at verify. Each must be a regular file the declaration's folder itself
     * holds (no linked folder on the way), checked again here as it is read. Returns the manifest's line for it,
     * or null after adding to {@code problems}.
     */
    private static ObjectNode declaration(Path run, String id, Path plugins, Map<String, Path> into, List<String> problems)
            throws IOException {
        String name = run.getFileName().toString();
        Path file = plugins == null ? null : plugins.resolve(id + ExternalDeclaration.SUFFIX);
        if (file == null || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            problems.add(name + " was made with the external method " + Printable.of(id) + ", whose declaration "
                    + Printable.of(id + ExternalDeclaration.SUFFIX) + " is not in "
                    + (plugins == null ? "--plugins (none given)" : Printable.of(plugins)));
            return null;
        }
        ExternalDeclaration decl = ExternalDeclaration.read(file);
        JsonNode recorded = JSON.readTree(run.resolve(RunFolder.RUN).toFile()).at("/training/methods/files_sha256");
        java.util.Set<String> was = new java.util.TreeSet<>();
        recorded.fieldNames().forEachRemaining(was::add);
        java.util.Set<String> now = new java.util.TreeSet<>(decl.files());
        java.util.Set<String> added = new java.util.TreeSet<>(now);
        added.removeAll(was);
        java.util.Set<String> dropped = new java.util.TreeSet<>(was);
        dropped.removeAll(now);
        if (!added.isEmpty() || !dropped.isEmpty()) {
            problems.add(name + " was made with other files of the external method " + Printable.of(id) + " than "
                    + Printable.of(file) + " lists now" + (added.isEmpty() ? "" : "; listed but not recorded by the run: "
                    + Printable.of(String.join(", ", added))) + (dropped.isEmpty() ? "" : "; recorded by the run but no"
                    + " longer listed: " + Printable.of(String.join(", ", dropped)))
                    + " (submit the declaration the run was made with)");
            return null;
        }
        ObjectNode line = JSON.createObjectNode().put("id", id).put("declaration", "plugins/" + id + ExternalDeclaration.SUFFIX)
                .put("sha256", Hashing.sha256(file));
        ObjectNode listed = line.putObject("files");
        into.put("plugins/" + id + ExternalDeclaration.SUFFIX, file);
        for (String f : decl.files()) {
            Path p;
            try {
                p = ExternalDeclaration.listedFile(decl.folder(), f, Printable.of(file));
            } catch (IOException e) {
                problems.add("cannot bundle " + e.getMessage());
                continue;
            }
            String sha = Hashing.sha256(p);
            String want = recorded.path(f).asText("");
            if (!want.equals(sha)) {
                problems.add(name + " was made with another " + Printable.of(f) + " of the external method "
                        + Printable.of(id) + " than the one in " + Printable.of(plugins) + " (SHA-256 " + Printable.of(want)
                        + " recorded, " + sha + " there)");
            }
            String entry = "plugins/" + f.replace('\\', '/');
            into.put(entry, p);
            listed.put(entry, sha);
        }
        return line;
    }

    /** An external method's per-stage adapter and state (weights: gigabytes at 7B), left out as checkpoints are. */
    private static boolean externalWeights(Path rel) {
        return rel.getNameCount() >= 3 && rel.getName(0).toString().equals("external")
                && (rel.getName(2).toString().equals("adapter_out") || rel.getName(2).toString().equals("state_out"));
    }

    /**
     * The entries the run folders give, by name in the bundle: every plain file but the checkpoint, the
     * trained adapter (weights, not results), an external method's adapter_out and state_out, and the lock. Refused, naming the file: a name unpacking would refuse, a link, anything else not a plain file.
     */
    private static Map<String, Path> entries(List<Path> folders) throws IOException {
        Map<String, Path> out = new java.util.LinkedHashMap<>();
        BundleNames names = new BundleNames();
        names.refusal(MANIFEST);
        for (Path d : folders) {
            try (Stream<Path> s = Files.walk(d)) {
                for (Path file : s.sorted().toList()) {
                    Path rel = d.relativize(file);
                    if (rel.toString().isEmpty() || rel.startsWith(RunFolder.CHECKPOINT)
                            || rel.startsWith(RunFolder.TOP_ADAPTER) || externalWeights(rel)
                            || rel.toString().equals(RunFolder.LOCK)) {
                        continue;
                    }
                    if (Files.isSymbolicLink(file)) {
                        throw new IllegalArgumentException("cannot bundle " + Printable.of(file) + ": it is a symbolic"
                                + " link, and a run folder's files must be its own; replace it by what it points to");
                    }
                    boolean dir = Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS);
                    if (!dir && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                        throw new IllegalArgumentException("cannot bundle " + Printable.of(file) + ": not a plain file");
                    }
                    String entry = "runs/" + d.getFileName() + "/" + rel.toString().replace('\\', '/');
                    String why = names.refusal(entry);
                    if (why != null) {
                        throw new IllegalArgumentException("cannot bundle " + Printable.of(file) + ": its name in the"
                                + " bundle " + why + ", and unpacking would refuse it; rename it or move it out of the run folder");
                    }
                    if (!dir) {
                        out.put(entry, file);
                    }
                }
            }
        }
        return out;
    }

    private static void writeZip(Path tmp, ObjectNode manifest, Map<String, Path> files, Map<String, Path> needed,
                                 Map<String, Path> declared) throws IOException {
        try (OutputStream os = Files.newOutputStream(tmp); ZipArchiveOutputStream zip = new ZipArchiveOutputStream(os)) {
            put(zip, MANIFEST, JSON.writeValueAsBytes(manifest));
            for (Map.Entry<String, Path> e : files.entrySet()) {
                put(zip, e.getKey(), Files.readAllBytes(e.getValue()));
            }
            for (Path jar : needed.values()) {
                put(zip, "plugins/" + jar.getFileName(), Files.readAllBytes(jar));
            }
            for (Map.Entry<String, Path> e : declared.entrySet()) {
                // a script the declaration runs (./train.sh) keeps its executable bit
                put(zip, e.getKey(), Files.readAllBytes(e.getValue()), Files.isExecutable(e.getValue()) ? 0755 : 0644);
            }
        }
    }

    private static void put(ZipArchiveOutputStream zip, String name, byte[] bytes) throws IOException {
        put(zip, name, bytes, 0);
    }

    private static void put(ZipArchiveOutputStream zip, String name, byte[] bytes, int unixMode) throws IOException {
        ZipArchiveEntry e = new ZipArchiveEntry(name);
        if (unixMode != 0) {
            e.setUnixMode(unixMode);
        }
        e.setTime(0); // the same runs give the same bytes
        zip.putArchiveEntry(e);
        zip.write(bytes);
        zip.closeArchiveEntry();
    }

    /**
     * What {@code ckl site build --runs} should read: the folder itself, or, for a bundle or a folder of
     * bundles, each bundle unpacked into its own folder under {@code scratch}. One bundle given alone must be
     * accepted; in a folder of bundles a refused one is left out (nothing of it unpacked, its reason added to
     * {@code refused}) and the others are read.
     */
    static Path expand(Path runs, Path scratch, List<String> refused) throws IOException {
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
                throw new IllegalArgumentException(Printable.of(runs) + " holds both bundles (.zip) and folders; give a"
                        + " folder of one kind, so that nothing is left out unsaid");
            }
        }
        long[] budget = {maxBytes}; // for all the bundles together
        for (int i = 0; i < zips.size(); i++) {
            long before = budget[0];
            try {
                // numbered, so two names that clean up alike never share a folder
                unpack(zips.get(i), scratch.resolve((i + 1) + "-" + stem(zips.get(i))), budget);
            } catch (IOException e) {
                budget[0] = before; // nothing of it was kept
                refused.add("left out bundle " + Printable.of(zips.get(i).getFileName()) + ": " + e.getMessage());
            }
        }
        if (refused.size() == zips.size()) {
            throw new IOException("every bundle in " + Printable.of(runs) + " was refused: " + String.join("; ", refused));
        }
        return scratch;
    }

    private static String stem(Path zip) {
        String n = zip.getFileName().toString();
        return n.substring(0, n.length() - ".zip".length()).replaceAll("[^A-Za-z0-9._+-]", "_");
    }

    /** Unpacks one bundle into {@code target}, which must not exist yet; returns the verifications it dropped. */
    static List<String> unpack(Path bundle, Path target) throws IOException {
        return unpack(bundle, target, new long[] {maxBytes});
    }

    /**
     * Unpacks {@code bundle} into the new folder {@code target}, spending at most {@code budget[0]} bytes
     * (counted as written, whatever the archive declares). Every entry is checked before anything is
     * written, and it is written into a temporary folder beside {@code target} that becomes {@code target}
     * (one rename) only once the whole bundle is accepted: a refused bundle leaves nothing. Refused, with
     * the entry named: a name {@link BundleNames} refuses, links, a compression other than stored or
     * deflated, a missing or foreign manifest, too many entries, too many bytes. A {@code verification.json}
     * is dropped (returned): only a maintainer's own verification, made after unpacking, counts.
     */
    static List<String> unpack(Path bundle, Path target, long[] budget) throws IOException {
        String b = Printable.of(bundle);
        if (Files.size(bundle) > maxBytes) {
            throw new IOException(b + " is larger than " + maxBytes + " bytes; refusing it");
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(Printable.of(target) + " already exists; unpack into a new folder");
        }
        Path parent = target.toAbsolutePath().normalize().getParent();
        ZipFile zf;
        try {
            zf = ZipFile.builder().setPath(bundle).get();
        } catch (IOException e) {
            throw new IOException(b + " is not a readable zip archive: " + Printable.of(e.getMessage()), e);
        }
        try (zf) {
            List<ZipArchiveEntry> entries = checked(zf, b, budget[0]);
            Files.createDirectories(parent);
            Path tmp = org.cklbench.io.TempPaths.directory(parent, "." + target.getFileName() + ".unpacking-");
            try {
                List<String> dropped = extract(zf, entries, tmp.toRealPath(), b, budget);
                Files.move(tmp, target.toAbsolutePath().normalize(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                return dropped;
            } finally {
                org.cklbench.io.Folders.deleteTree(tmp);
            }
        }
    }

    /** Every entry of the central directory, each checked before any is written. */
    private static List<ZipArchiveEntry> checked(ZipFile zf, String b, long budget) throws IOException {
        List<ZipArchiveEntry> entries = new ArrayList<>();
        BundleNames names = new BundleNames();
        long declared = 0;
        for (Enumeration<ZipArchiveEntry> en = zf.getEntriesInPhysicalOrder(); en.hasMoreElements(); ) {
            ZipArchiveEntry e = en.nextElement();
            if (entries.size() >= maxEntries) {
                throw new IOException(b + " has more than " + maxEntries + " entries; refusing it");
            }
            String name = e.getName();
            String where = b + ": entry '" + BundleNames.shown(name) + "' ";
            String clean = e.isDirectory() && name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
            String why = names.refusal(clean);
            if (why != null) {
                throw new IOException(where + why + "; refusing the bundle");
            }
            if (e.isUnixSymlink()) {
                throw new IOException(where + "is a symbolic link; refusing the bundle");
            }
            if (!e.isDirectory() && e.getMethod() != ZipArchiveEntry.STORED && e.getMethod() != ZipArchiveEntry.DEFLATED) {
                throw new IOException(where + "is packed with compression method " + e.getMethod() + " ("
                        + org.apache.commons.compress.archivers.zip.ZipMethod.getMethodByCode(e.getMethod())
                        + "); bundles hold stored or deflated entries only (as ckl submit writes them); refusing the bundle");
            }
            if (e.getSize() > 0) {
                declared += e.getSize();
            }
            if (declared > budget) {
                throw new IOException(b + " unpacks to more than " + maxBytes + " bytes; refusing it");
            }
            entries.add(e);
        }
        ZipArchiveEntry manifest = zf.getEntry(MANIFEST);
        if (manifest == null || manifest.isDirectory()) {
            throw new IOException(b + " has no " + MANIFEST + "; not a bundle made by ckl submit");
        }
        JsonNode m;
        try (InputStream in = zf.getInputStream(manifest)) {
            byte[] bytes = in.readNBytes((1 << 20) + 1);
            if (bytes.length > 1 << 20) {
                throw new IOException(b + ": " + MANIFEST + " is larger than 1 MiB");
            }
            m = JSON.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(b + ": " + MANIFEST + " is not JSON: " + Printable.of(e.getOriginalMessage()), e);
        }
        if (m == null || !FORMAT.equals(m.path("format").asText())) {
            throw new IOException(b + ": " + MANIFEST + " is not of format " + FORMAT);
        }
        return entries;
    }

    /**
     * An external method's script packed as executable becomes executable again (for whoever may read it, as the
     * umask left it); nothing else of the archive's modes is taken (no setuid, no write for others).
     */
    private static void executable(Path file) throws IOException {
        if (!Files.getFileStore(file).supportsFileAttributeView("posix")) {
            return;
        }
        var perms = java.util.EnumSet.copyOf(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
        perms.add(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
        if (perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_READ)) {
            perms.add(java.nio.file.attribute.PosixFilePermission.GROUP_EXECUTE);
        }
        if (perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)) {
            perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
        }
        Files.setPosixFilePermissions(file, perms);
    }

    private static List<String> extract(ZipFile zf, List<ZipArchiveEntry> entries, Path root, String b, long[] budget)
            throws IOException {
        List<String> dropped = new ArrayList<>();
        for (ZipArchiveEntry e : entries) {
            String name = e.getName();
            String clean = e.isDirectory() && name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
            Path out = root.resolve(clean).normalize();
            if (!out.startsWith(root)) { // the name rule already keeps every entry inside; this says so again
                throw new IOException(b + ": entry '" + BundleNames.shown(name) + "' points outside its folder; refusing the bundle");
            }
            if (out.getFileName().toString().equals(RunFolder.VERIFICATION)) {
                dropped.add(clean);
                continue;
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
                        throw new IOException(b + " unpacks to more than " + maxBytes + " bytes; refusing it");
                    }
                    os.write(buf, 0, n);
                }
            } catch (java.nio.file.FileAlreadyExistsException ex) {
                throw new IOException(b + ": entry '" + BundleNames.shown(name) + "' collides with another entry;"
                        + " refusing the bundle", ex);
            }
            if (clean.startsWith("plugins/") && (e.getUnixMode() & 0100) != 0) {
                executable(out);
            }
        }
        return dropped;
    }
}
