package org.cklbench.temporalwiki;

import org.cklbench.core.eval.Probe;
import org.cklbench.io.JsonLines;

import java.io.IOException;
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
        CsvFiles.forEach(file, List.of("subject", "relation", "object"),
                rec -> out.add(new TwikiProbe(rec.get("subject"), rec.get("relation"), rec.get("object"))));
        return out;
    }
}
