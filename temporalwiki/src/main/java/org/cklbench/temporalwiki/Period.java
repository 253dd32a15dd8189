package org.cklbench.temporalwiki;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The three periods of TemporalWiki (0910, 1011, 1112): a diffset to train on and the probes to evaluate after. */
public record Period(String name, String probes, int index) {
    public static final List<Period> ALL = List.of(
            new Period("0910", "0901-1001", 0),
            new Period("1011", "1001-1101", 1),
            new Period("1112", "1101-1201", 2));

    /** {@code <probes>_changed} / {@code _unchanged} with extension .jsonl or .csv under {@code dir}. */
    public Path probeFile(Path dir, boolean changed) throws IOException {
        String stem = probes + (changed ? "_changed" : "_unchanged");
        for (String ext : List.of(".jsonl", ".csv")) {
            if (Files.isRegularFile(dir.resolve(stem + ext))) {
                return dir.resolve(stem + ext);
            }
        }
        throw new IOException(dir + " has no " + stem + ".jsonl or .csv (TemporalWiki probes of period " + name + ")");
    }
}
