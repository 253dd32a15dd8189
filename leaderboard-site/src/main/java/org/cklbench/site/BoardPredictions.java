package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.AtomicFiles;
import org.cklbench.runfolder.Prediction;
import org.cklbench.runfolder.RunFolder;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * A board's per-probe predictions as one JSON Lines file, for statistics of one's own: every probe behind each
 * run's figures ({@link ProbeStats#evaluations}), each line naming its row (method, variant), seed, run page and
 * evaluation, then the probe as the run folder has it (split, uuid, subject, relation, object, predicted,
 * accuracy, object_nll). Rows in the board's order, seeds in order, probes as the files have them.
 */
final class BoardPredictions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BoardPredictions() {
    }

    /** Writes {@code file} (atomically); returns how many probes it holds. */
    static long write(Path file, JsonNode board, Map<String, JsonNode> runsByPage, Path runs) throws IOException {
        long[] n = {0};
        AtomicFiles.write(file, stream -> {
            Writer w = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
            for (JsonNode row : board.path("rows")) {
                for (int i = 0; i < row.path("runs").size(); i++) {
                    JsonNode run = runsByPage.get(row.get("runs").get(i).asText());
                    Path dir = runs.resolve(run.get("folder").asText());
                    for (JsonNode f : run.path("probes").path("evaluations")) {
                        if (!RunDiscovery.regular(dir.resolve(f.asText()))) {
                            continue; // replaced by a link since the summary read it: not published
                        }
                        String evaluation = f.asText().substring(RunFolder.PREDICTIONS.length() + 1)
                                .replaceFirst("\\.jsonl$", "");
                        for (Prediction p : RunFolder.readPredictions(dir.resolve(f.asText()), ProbeStats.MAX_PER_FILE)) {
                            ObjectNode o = JSON.createObjectNode().put("method", row.path("method").asText())
                                    .put("variant", row.path("variant").asText()).put("seed", row.get("seeds").get(i).asLong())
                                    .put("run", run.get("page").asText()).put("evaluation", evaluation)
                                    .put("split", p.split()).put("uuid", p.uuid()).put("subject", p.subject())
                                    .put("relation", p.relation()).put("object", p.object()).put("predicted", p.predicted())
                                    .put("accuracy", p.accuracy()).put("object_nll", p.objectNll());
                            w.write(JSON.writeValueAsString(o));
                            w.write('\n');
                            n[0]++;
                        }
                    }
                }
            }
            w.flush();
        });
        return n[0];
    }
}
