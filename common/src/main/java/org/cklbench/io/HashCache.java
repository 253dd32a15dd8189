package org.cklbench.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * SHA-256 of files, remembered under a folder (CKL_HOME/cache/sha256) by the file's real path, size,
 * modification and change times and file key, and computed again when any of them differs. Every run
 * hashes every input; for a 7B checkpoint that is 13 GB read per run, for each run of a sweep.
 * One small file per hashed file, written atomically, so concurrent runs never corrupt the cache.
 */
public final class HashCache {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    /** @param dir where the entries live; null to hash every time */
    public HashCache(Path dir) {
        this.dir = dir;
    }

    public static HashCache none() {
        return new HashCache(null);
    }

    public String sha256(Path file) throws IOException {
        if (dir == null) {
            return Hashing.sha256(file);
        }
        Path real = file.toRealPath();
        ObjectNode stamp = stamp(real);
        Path entry = dir.resolve(Hashing.sha256(real.toString()) + ".json");
        if (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
            try {
                JsonNode cached = JSON.readTree(entry.toFile());
                // compared as text: a number read back may be an int where a long was written
                if (cached != null && stamp.toString().equals(String.valueOf(cached.get("stamp")))
                        && cached.path("sha256").asText("").matches("[0-9a-f]{64}")) {
                    return cached.get("sha256").asText();
                }
            } catch (IOException e) {
                // a damaged entry is only a miss
            }
        }
        String sha = Hashing.sha256(real);
        if (!stamp.equals(stamp(real))) {
            return sha; // changed while being read: neither value is worth remembering
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("stamp", stamp);
        out.put("sha256", sha);
        Files.createDirectories(dir);
        AtomicFiles.writeString(entry, JSON.writeValueAsString(out));
        return sha;
    }

    /** As {@link Hashing#sha256Tree(Path)}, each file through this cache. */
    public Map<String, String> sha256Tree(Path root) throws IOException {
        return Hashing.sha256Tree(root, this::sha256);
    }

    private static ObjectNode stamp(Path real) throws IOException {
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
        ObjectNode s = JSON.createObjectNode();
        s.put("path", real.toString());
        s.put("size", a.size());
        s.put("mtime", nanos(a.lastModifiedTime()));
        try {
            s.put("ctime", nanos((FileTime) Files.getAttribute(real, "unix:ctime")));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // no change time on this file system: size and modification time have to do
        }
        s.put("key", String.valueOf(a.fileKey()));
        return s;
    }

    private static long nanos(FileTime t) {
        var i = t.toInstant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
