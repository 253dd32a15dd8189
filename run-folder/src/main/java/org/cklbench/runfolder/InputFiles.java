package org.cklbench.runfolder;

import java.util.SortedMap;

/** One named input of a run (a file or a folder): where it was, and the SHA-256 of every file in it. */
public record InputFiles(String path, SortedMap<String, String> sha256) {
}
