package org.cklbench.lamackl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.JsonLines;
import org.cklbench.text.Printable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One fact of LAMA-ckl in the released row format (field names in docs/protocols.md). */
public record LamaCklRow(String relationCode, String uuid, String taskDescriptive, String taskSchematic,
                         String subject, String relationLabel, String object, String maskedEvidence, String evidence,
                         double position, int evidenceLength, boolean invariant, JsonNode scores) {

    public static final List<String> FIELDS = List.of("relation_code", "uuid", "task_descriptive", "task_schematic",
            "subject", "relation_label", "object", "masked_evidence", "evidence", "position", "evidence_length",
            "invariant", "scores");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The probe sentence in the chosen form. */
    public String task(String form) {
        return switch (form) {
            case "descriptive" -> taskDescriptive;
            case "schematic" -> taskSchematic;
            default -> throw new IllegalArgumentException("task form '" + form + "' (descriptive or schematic)");
        };
    }

    public static String schematic(String subject, String relationLabel, String object) {
        return "Guess the object. \n  subject is " + subject + " , relation is " + relationLabel + " , object is " + object;
    }

    /** Reads a file of rows; a missing or mistyped field is an error naming the file and line. */
    public static List<LamaCklRow> read(Path file) throws IOException {
        List<LamaCklRow> rows = new ArrayList<>();
        Map<String, Long> lineOf = new HashMap<>();
        JsonLines.forEach(file, line -> {
            for (String f : FIELDS) {
                line.require(f);
            }
            // a probe is its uuid in predictions and bootstrap: two rows of one uuid would be scored as one
            for (String f : List.of("uuid", "evidence", "object", "subject", "task_descriptive", "task_schematic")) {
                if (line.text(f).isBlank()) {
                    throw line.error("field '" + f + "' is empty" + (f.equals("evidence")
                            ? " (the training text of fact " + Printable.of(line.text("uuid")) + ")" : ""));
                }
            }
            Long first = lineOf.putIfAbsent(line.text("uuid"), line.number());
            if (first != null) {
                throw line.error("uuid " + Printable.of(line.text("uuid")) + " is also on line " + first
                        + "; every fact needs its own uuid");
            }
            JsonNode n = line.node();
            if (!n.get("position").isNumber() || !n.get("evidence_length").canConvertToInt()
                    || !n.get("invariant").isBoolean() || !n.get("scores").isObject()) {
                throw line.error("position and evidence_length must be numbers, invariant a boolean, scores an object");
            }
            rows.add(new LamaCklRow(line.text("relation_code"), line.text("uuid"), line.text("task_descriptive"),
                    line.text("task_schematic"), line.text("subject"), line.text("relation_label"), line.text("object"),
                    line.text("masked_evidence"), line.text("evidence"), n.get("position").asDouble(),
                    n.get("evidence_length").asInt(), n.get("invariant").asBoolean(), n.get("scores")));
        });
        return rows;
    }

    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("relation_code", relationCode);
        o.put("uuid", uuid);
        o.put("task_descriptive", taskDescriptive);
        o.put("task_schematic", taskSchematic);
        o.put("subject", subject);
        o.put("relation_label", relationLabel);
        o.put("object", object);
        o.put("masked_evidence", maskedEvidence);
        o.put("evidence", evidence);
        o.put("position", position);
        o.put("evidence_length", evidenceLength);
        o.put("invariant", invariant);
        o.set("scores", scores);
        return o;
    }
}
