package org.cklbench.temporalwiki.build;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens {@code .json}/{@code .jsonl} as they are, or compressed with gzip ({@code .gz}) or bzip2 ({@code .bz2}). */
final class Compressed {
    private Compressed() {
    }

    static BufferedReader reader(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        String n = file.getFileName().toString();
        try {
            if (n.endsWith(".gz")) {
                in = new GZIPInputStream(in, 1 << 16);
            } else if (n.endsWith(".bz2")) {
                in = new BZip2CompressorInputStream(in, true);
            }
        } catch (IOException e) {
            in.close();
            throw new IOException(file + " is not a readable " + n.substring(n.lastIndexOf('.') + 1) + " file: "
                    + e.getMessage(), e);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }

    /** The first of {@code stem}{.json,.json.gz,.json.bz2,...} that exists in {@code dir}. */
    static Path find(Path dir, String... names) throws IOException {
        for (String n : names) {
            for (String ext : new String[] {"", ".gz", ".bz2"}) {
                Path p = dir.resolve(n + ext);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        throw new IOException(dir + " has none of " + String.join(", ", names) + " (optionally .gz or .bz2)");
    }
}
