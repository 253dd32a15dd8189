package org.cklbench.lamackl.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.eval.Probe;
import org.cklbench.core.eval.ProbeEvaluator;
import org.cklbench.core.eval.ProbeResult;
import org.cklbench.io.JsonLines;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.progress.Progress;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.lamackl.LamaCklRow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-fact probe accuracies by task form and scoring model, in the released {@code scores} shape. */
public final class Scores {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Scores() {
    }

    /** Reads {@code {"uuid", "scores"}} lines. */
    public static Map<String, JsonNode> read(Path file) throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        JsonLines.forEach(file, line -> {
            JsonNode s = line.require("scores");
            if (!s.path("descriptive").isObject() || !s.path("schematic").isObject()) {
                throw line.error("scores must hold 'descriptive' and 'schematic' objects of model → accuracy");
            }
            out.put(line.text("uuid"), s);
        });
        return out;
    }

    public static void write(Path file, List<LamaCklRow> rows) throws IOException {
        JsonLines.write(file, rows.stream().map(r -> {
            ObjectNode o = JSON.createObjectNode();
            o.put("uuid", r.uuid());
            o.set("scores", r.scores());
            return o;
        }).toList());
    }

    /**
     * Scores every row with the model in {@code modelDir} (named by the folder), on both task forms,
     * adding to each row's scores in place.
     */
    public static void score(List<LamaCklRow> rows, Path modelDir, ai.djl.Device device, ai.djl.ndarray.types.DataType dtype,
                             int batch, Progress progress) throws IOException {
        String name = modelDir.getFileName().toString();
        try (LlamaModel model = HfModels.load(modelDir, device, dtype);
             TextTokenizer tok = TextTokenizer.load(modelDir)) {
            ProbeEvaluator eval = new ProbeEvaluator(model, tok, batch);
            for (String form : List.of("descriptive", "schematic")) {
                List<Probe> probes = rows.stream().map(r -> new Probe(r.uuid(), r.task(form), r.object())).toList();
                List<ProbeResult> res;
                try (Progress.Task bar = progress.start("score " + name + " " + form, probes.size(), "fact")) {
                    res = eval.evaluate(probes, ForwardHooks.NONE, bar::step);
                }
                for (int i = 0; i < rows.size(); i++) {
                    ((ObjectNode) rows.get(i).scores().get(form)).put(name, res.get(i).accuracy());
                }
            }
        }
    }

    /** The mean accuracy over scoring models of one form, or NaN without scores. */
    public static double mean(LamaCklRow r, String form) {
        JsonNode m = r.scores().path(form);
        if (!m.isObject() || m.isEmpty()) {
            return Double.NaN;
        }
        double sum = 0;
        int n = 0;
        for (JsonNode v : m) {
            sum += v.asDouble();
            n++;
        }
        return sum / n;
    }
}
