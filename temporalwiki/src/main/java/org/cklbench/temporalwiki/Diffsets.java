package org.cklbench.temporalwiki;

import org.cklbench.io.JsonLines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Diffset lines and the filter of the reference (Appendix C.1). */
public final class Diffsets {
    private Diffsets() {
    }

    /**
     * The reference's filter (its Appendix C.1): drop lines shorter than 50 characters (those with 'nan' among them), and lines whose
     * share of ASCII letters is below 0.3.
     */
    public static boolean keep(String line) {
        String s = line.strip();
        if (s.length() < 50) {
            return false;
        }
        int letters = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                letters++;
            }
        }
        return (double) letters / s.length() >= 0.3;
    }

    /** Lines of a diffset file: JSON Lines ({@code text}) or CSV (a {@code text} column), unfiltered. */
    public static List<String> read(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        String name = file.getFileName().toString();
        if (name.endsWith(".jsonl")) {
            JsonLines.forEach(file, l -> out.add(l.text("text")));
            return out;
        }
        if (!name.endsWith(".csv")) {
            throw new IOException(file + ": diffsets must be .jsonl or .csv");
        }
        CsvFiles.forEach(file, List.of("text"), rec -> out.add(rec.get("text")));
        return out;
    }

    /** The diffset of {@code period} under {@code dir} ({@code <name>.jsonl} or .csv), filtered. */
    public static List<String> filtered(Path dir, Period period) throws IOException {
        for (String ext : List.of(".jsonl", ".csv")) {
            Path f = dir.resolve(period.name() + ext);
            if (Files.isRegularFile(f)) {
                return read(f).stream().filter(Diffsets::keep).toList();
            }
        }
        throw new IOException(dir + " has no " + period.name() + ".jsonl or .csv (the diffset of period " + period.name() + ")");
    }
}
