package org.cklbench.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class HashCacheTest {
    @TempDir
    Path tmp;

    private Path onlyEntry() throws Exception {
        try (var s = Files.list(tmp.resolve("cache"))) {
            return s.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
    }

    /** The cached value is what is returned while the file is unchanged, and never once it changed. */
    @Test
    void anUnchangedFileIsReadOnceAndAChangedOneAgain() throws Exception {
        Path f = Files.writeString(tmp.resolve("weights.bin"), "abc");
        HashCache cache = new HashCache(tmp.resolve("cache"));
        String real = Hashing.sha256(f);
        assertThat(cache.sha256(f)).isEqualTo(real);

        // prove the second answer comes from the entry: plant a value no read of the file could give
        Path entry = onlyEntry();
        String planted = "f".repeat(64);
        Files.writeString(entry, Files.readString(entry).replace(real, planted));
        assertThat(cache.sha256(f)).isEqualTo(planted);

        Files.writeString(f, "abd"); // same size, new content
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        assertThat(cache.sha256(f)).isEqualTo(Hashing.sha256(f)).isNotEqualTo(planted);

        Files.writeString(entry, "{not json");
        assertThat(cache.sha256(f)).as("a damaged entry is a miss").isEqualTo(Hashing.sha256(f));
    }

    @Test
    void aTreeThroughTheCacheEqualsTheDirectOne() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("model/sub"));
        Files.writeString(dir.resolve("a"), "1");
        Files.writeString(tmp.resolve("model/b"), "2");
        HashCache cache = new HashCache(tmp.resolve("cache"));
        assertThat(cache.sha256Tree(tmp.resolve("model"))).isEqualTo(Hashing.sha256Tree(tmp.resolve("model")));
        assertThat(cache.sha256Tree(tmp.resolve("model"))).isEqualTo(Hashing.sha256Tree(tmp.resolve("model")));
        assertThat(HashCache.none().sha256Tree(tmp.resolve("model"))).isEqualTo(Hashing.sha256Tree(tmp.resolve("model")));
    }
}
