package org.cklbench.temporalwiki;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.cklbench.core.eval.Probe;
import org.cklbench.io.JsonLines;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A TemporalWiki probe: a (subject, relation, object) triple, scored through its schematic sentence. */
public record TwikiProbe(String subject, String relation, String object) {

    /** The probe's schematic sentence, whose last span is the object. */
    public String sentence() {
        return "Guess the object. \n  subject is " + subject + " , relation is " + relation + " , object is " + object;
    }

    public Probe probe(String id) {
        return new Probe(id, sentence(), object, subject, relation);
    }

    /** Reads a probe file: JSON Lines ({@code .jsonl}) or CSV with a header naming subject, relation, object. */
    public static List<TwikiProbe> read(Path file) throws IOException {
        List<TwikiProbe> out = new ArrayList<>();
        String name = file.getFileName().toString();
        if (name.endsWith(".jsonl")) {
            JsonLines.forEach(file, l -> out.add(new TwikiProbe(l.text("subject"), l.text("relation"), l.text("object"))));
            return out;
        }
        if (!name.endsWith(".csv")) {
            throw new IOException(file + ": probes must be .jsonl or .csv");
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(r)) {
            for (String col : List.of("subject", "relation", "object")) {
                if (!csv.getHeaderMap().containsKey(col)) {
                    throw new IOException(file + ": the CSV header has no '" + col + "' column (has " + csv.getHeaderNames() + ")");
                }
            }
            for (CSVRecord rec : csv) {
                if (!rec.isConsistent()) {
                    throw new IOException(file + ":" + (rec.getRecordNumber() + 1) + ": " + rec.size()
                            + " fields, the header has " + csv.getHeaderMap().size());
                }
                out.add(new TwikiProbe(rec.get("subject"), rec.get("relation"), rec.get("object")));
            }
        }
        return out;
    }
}
