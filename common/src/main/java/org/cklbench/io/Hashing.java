package org.cklbench.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** SHA-256 of files, folders (every regular file, by relative path) and strings. */
public final class Hashing {
    private Hashing() {
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(String text) {
        return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** How one file is hashed (directly, or through a {@link HashCache}). */
    public interface FileHasher {
        String sha256(Path file) throws IOException;
    }

    /** Every regular file under {@code dir} (or the file itself), relative path → SHA-256, sorted. */
    public static Map<String, String> sha256Tree(Path dir) throws IOException {
        return sha256Tree(dir, Hashing::sha256);
    }

    public static Map<String, String> sha256Tree(Path dir, FileHasher hasher) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (Files.isRegularFile(dir)) {
            out.put(dir.getFileName().toString(), hasher.sha256(dir));
            return out;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                out.put(dir.relativize(p).toString(), hasher.sha256(p));
            }
        }
        return out;
    }
}
