package org.cklbench.datasets.lama;

import com.fasterxml.jackson.databind.JsonNode;
import org.cklbench.io.JsonLines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A line of LAMA's {@code TREx/P*.jsonl}: one fact and the masked sentences that state it. */
public record TrexFact(String relation, String uuid, String subject, String object, List<String> maskedSentences) {

    /** What to do with each fact of a file. */
    public interface Handler {
        void accept(TrexFact fact) throws IOException;
    }

    /**
     * Streams one relation file. A line without evidences, or an evidence without {@code [MASK]}, is an
     * error naming file and line.
     */
    public static void forEach(Path file, String relation, Handler handler) throws IOException {
        JsonLines.forEach(file, line -> {
            JsonNode ev = line.require("evidences");
            if (!ev.isArray() || ev.isEmpty()) {
                throw line.error("fact " + line.node().path("uuid").asText("?") + " has no evidences");
            }
            List<String> masked = new ArrayList<>();
            for (JsonNode e : ev) {
                String s = e.path("masked_sentence").asText(null);
                if (s == null || !s.contains("[MASK]")) {
                    throw line.error("an evidence of fact " + line.node().path("uuid").asText("?")
                            + " has no masked_sentence with [MASK]");
                }
                masked.add(s);
            }
            handler.accept(new TrexFact(relation, line.text("uuid"), line.text("sub_label"), line.text("obj_label"), masked));
        });
    }

    /** The relation files of a T-REx folder ({@code P*.jsonl}), sorted by name. */
    public static List<Path> relationFiles(Path trexDir) throws IOException {
        if (!Files.isDirectory(trexDir)) {
            throw new IOException(trexDir + " is not a folder of T-REx relation files (TREx/P*.jsonl)");
        }
        try (var s = Files.list(trexDir)) {
            return s.filter(p -> p.getFileName().toString().matches("P\\d+\\.jsonl")).sorted().toList();
        }
    }

    public static String relationOf(Path file) {
        String n = file.getFileName().toString();
        return n.substring(0, n.length() - ".jsonl".length());
    }
}
