package org.cklbench.lamackl.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.datasets.lama.LamaRelation;
import org.cklbench.datasets.lama.TrexFact;
import org.cklbench.lamackl.LamaCklRow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** LAMA-ckl rows built from LAMA's T-REx input, before scoring (docs/protocols.md, LAMA-ckl, steps 1–2). */
public final class Candidates {
    /** The reference list of time-invariant relations; every other relation is time-variant. */
    public static final Set<String> INVARIANT = Set.of("P19", "P20", "P279", "P37", "P449", "P47", "P138", "P364",
            "P527", "P176", "P27", "P407", "P30", "P178", "P1376", "P131", "P1412", "P17", "P276", "P937", "P140",
            "P103", "P190", "P1001", "P495", "P36", "P740", "P361");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Candidates() {
    }

    /** {@code dir} holds relations.jsonl and TREx/ (LAMA's data folder, or the folder above it). */
    public static Path lamaRoot(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("relations.jsonl"))) {
            return dir;
        }
        if (Files.isRegularFile(dir.resolve("data").resolve("relations.jsonl"))) {
            return dir.resolve("data");
        }
        throw new IOException(dir + " holds no relations.jsonl (nor data/relations.jsonl): point --trex at LAMA's data"
                + " folder (ckl datasets fetch lama)");
    }

    public static List<LamaCklRow> fromLama(Path dir) throws IOException {
        Path root = lamaRoot(dir);
        Map<String, LamaRelation> relations = LamaRelation.read(root.resolve("relations.jsonl"));
        List<LamaCklRow> out = new ArrayList<>();
        for (Path f : TrexFact.relationFiles(root.resolve("TREx"))) {
            String rel = TrexFact.relationOf(f);
            LamaRelation r = relations.get(rel);
            if (r == null) {
                throw new IOException(f + ": relation " + rel + " is not in relations.jsonl");
            }
            TrexFact.forEach(f, rel, fact -> out.add(row(r, fact)));
        }
        return out;
    }

    /** Evidence = the longest masked sentence with [MASK] replaced by the object (first of equals). */
    static LamaCklRow row(LamaRelation rel, TrexFact fact) {
        String masked = fact.maskedSentences().get(0);
        for (String s : fact.maskedSentences()) {
            if (s.length() > masked.length()) {
                masked = s;
            }
        }
        String evidence = masked.replace("[MASK]", fact.object());
        ObjectNode scores = JSON.createObjectNode();
        scores.putObject("descriptive");
        scores.putObject("schematic");
        return new LamaCklRow(rel.relation(), fact.uuid(), rel.fill(fact.subject(), fact.object()),
                LamaCklRow.schematic(fact.subject(), rel.label(), fact.object()), fact.subject(), rel.label(),
                fact.object(), masked, evidence, (double) masked.indexOf("[MASK]") / masked.length(), evidence.length(),
                INVARIANT.contains(rel.relation()), scores);
    }

    /** Step 4's filter: evidence longer than 200 characters that contains subject and object. */
    public static boolean eligible(LamaCklRow r) {
        return r.evidenceLength() > 200 && r.evidence().contains(r.subject()) && r.evidence().contains(r.object());
    }
}
