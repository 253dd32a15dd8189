package org.cklbench.datasets.lama;

import org.cklbench.io.JsonLines;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A line of LAMA's {@code relations.jsonl}: a T-REx relation with its cloze template and label. */
public record LamaRelation(String relation, String template, String label) {

    /** The template with [X] and [Y] filled in. */
    public String fill(String subject, String object) {
        return template.replace("[X]", subject).replace("[Y]", object);
    }

    /** Reads relations.jsonl; a template without both [X] and [Y] is an error naming file and line. */
    public static Map<String, LamaRelation> read(Path file) throws IOException {
        Map<String, LamaRelation> out = new LinkedHashMap<>();
        JsonLines.forEach(file, line -> {
            String rel = line.text("relation");
            String template = line.text("template");
            if (!template.contains("[X]") || !template.contains("[Y]")) {
                throw line.error("template of " + rel + " must contain [X] and [Y]: '" + template + "'");
            }
            String label = line.node().hasNonNull("label") ? line.text("label") : rel;
            if (out.put(rel, new LamaRelation(rel, template, label)) != null) {
                throw line.error("relation " + rel + " appears twice");
            }
        });
        return out;
    }
}
