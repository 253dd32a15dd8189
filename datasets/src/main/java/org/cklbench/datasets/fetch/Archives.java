package org.cklbench.datasets.fetch;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;

/** Zip extraction that refuses any entry that would land outside the target folder. */
public final class Archives {
    private Archives() {
    }

    /** Extracts {@code zip} into {@code target} (created); returns the number of files written. */
    public static int unzip(Path zip, Path target) throws IOException {
        Files.createDirectories(target);
        Path root = target.toAbsolutePath().normalize();
        int files = 0;
        ZipFile zf;
        try {
            zf = ZipFile.builder().setPath(zip).get();
        } catch (IOException e) {
            throw new IOException(zip + " is not a readable zip archive (truncated or corrupt?): " + e.getMessage()
                    + "; delete it and fetch again", e);
        }
        try (zf) {
            for (Enumeration<ZipArchiveEntry> en = zf.getEntries(); en.hasMoreElements(); ) {
                ZipArchiveEntry e = en.nextElement();
                Path out = root.resolve(e.getName()).normalize();
                if (!out.startsWith(root) || Path.of(e.getName()).isAbsolute()) {
                    throw new IOException(zip + ": entry '" + e.getName() + "' points outside the extraction folder;"
                            + " refusing the archive");
                }
                if (e.isUnixSymlink()) {
                    throw new IOException(zip + ": entry '" + e.getName() + "' is a symbolic link; refusing the archive");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = zf.getInputStream(e)) {
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException ex) {
                    throw new IOException(zip + ": entry '" + e.getName() + "' cannot be read (truncated or corrupt"
                            + " archive?): " + ex.getMessage(), ex);
                }
                files++;
            }
        }
        return files;
    }
}
