package org.cklbench.datasets.fetch;

import java.util.List;

/**
 * A public dataset: the files to download (with their SHA-256 where it is known in advance) and
 * whether they are zip archives to extract.
 */
public record Source(String name, String description, String license, List<RemoteFile> files, boolean extract) {

    /** One file of a source. {@code sha256} is null when it is recorded on first download instead. */
    public record RemoteFile(String fileName, List<String> urls, String sha256) {
    }
}
