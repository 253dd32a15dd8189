package org.cklbench.core.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.io.AtomicFiles;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The files an external method reads at one stage (docs/external-methods.md): {@code request.json}
 * and {@code documents.jsonl}, the stage's documents in the order the suite's own trainer takes them.
 * {@code ckl stages export} writes the same files without the run's paths.
 */
public final class StageRequests {
    public static final String PROTOCOL = "ckl-external/1";
    public static final String REQUEST = "request.json";
    public static final String DOCUMENTS = "documents.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    private StageRequests() {
    }

    /** Where the stage lies in its optimiser segment (the request's {@code schedule}). */
    public record Schedule(long stepsInStage, long stepsBeforeStage, long segmentSteps, boolean freshOptimizer,
                           long warmupSteps) {
        ObjectNode toJson() {
            ObjectNode o = JSON.createObjectNode();
            o.put("steps_in_stage", stepsInStage);
            o.put("steps_before_stage", stepsBeforeStage);
            o.put("segment_steps", segmentSteps);
            o.put("fresh_optimizer", freshOptimizer);
            o.put("warmup_steps", warmupSteps);
            return o;
        }
    }

    /** What the request says of the run and the stage, before the paths are added. */
    public record Stage(String benchmark, String preset, String method, int stage, int stages, String stageName,
                        long seed, JsonNode settings, Map<String, Object> params, Schedule schedule, boolean privileged) {
    }

    /** Paths of one stage of a run (all absolute). */
    public record Paths(Path baseModel, Path adapterIn, Path adapterOut, Path stateIn, Path stateOut, Path documents,
                        Path result) {
    }

    /** The request as an object; {@code paths} null (an export) leaves them out but for {@code documents}. */
    public static ObjectNode request(Stage s, Paths paths) {
        ObjectNode o = JSON.createObjectNode();
        o.put("protocol", PROTOCOL);
        o.put("benchmark", s.benchmark());
        o.put("preset", s.preset());
        if (s.method() != null) {
            o.put("method", s.method());
        }
        o.put("stage", s.stage());
        o.put("stages", s.stages());
        o.put("stage_name", s.stageName());
        o.put("seed", s.seed());
        o.set("settings", s.settings().deepCopy());
        o.set("params", JSON.valueToTree(new java.util.TreeMap<>(s.params())));
        if (paths != null) {
            o.put("base_model", paths.baseModel().toString());
            o.put("adapter_in", paths.adapterIn().toString());
            o.put("adapter_out", paths.adapterOut().toString());
            o.put("state_in", paths.stateIn().toString());
            o.put("state_out", paths.stateOut().toString());
            o.put("documents", paths.documents().toString());
            o.put("result", paths.result().toString());
        } else {
            o.put("documents", DOCUMENTS);
        }
        o.set("schedule", s.schedule().toJson());
        if (s.privileged()) {
            o.put("privileged", true);
        }
        return o;
    }

    public static void writeRequest(Path file, ObjectNode request) throws IOException {
        AtomicFiles.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(request) + "\n");
    }

    /**
     * {@code documents.jsonl}: one line per document in {@code order} (indices into {@code docs}); with
     * {@code privileged}, each line also carries the fact objects Oracle weights ({@code objects}).
     */
    public static void writeDocuments(Path file, List<TrainingDocument> docs, int[] order, boolean privileged)
            throws IOException {
        AtomicFiles.write(file, out -> {
            BufferedWriter w = new BufferedWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8));
            {
                for (int i : order) {
                    TrainingDocument d = docs.get(i);
                    ObjectNode o = JSON.createObjectNode();
                    o.put("index", i);
                    o.put("id", d.id());
                    o.put("text", d.text());
                    ArrayNode ids = o.putArray("input_ids");
                    for (long t : d.ids()) {
                        ids.add(t);
                    }
                    if (privileged) {
                        ArrayNode objects = o.putArray("objects");
                        String raw = d.field("object") != null ? d.field("object") : d.field("objects");
                        if (raw != null) {
                            for (String obj : raw.split("\n")) {
                                if (!obj.isEmpty()) {
                                    objects.add(obj);
                                }
                            }
                        }
                    }
                    w.write(JSON.writeValueAsString(o));
                    w.write('\n');
                }
            }
            w.flush();
        });
    }

    /** The schedule of stage {@code stage} (1-based) of a plan of {@code stageSteps} with segments {@code segment}. */
    public static Schedule schedule(int stage, long[] stageSteps, long segmentStart, long segmentSteps, long warmup) {
        long before = -segmentStart;
        for (int j = 0; j < stage - 1; j++) {
            before += stageSteps[j];
        }
        return new Schedule(stageSteps[stage - 1], before, segmentSteps, before == 0, warmup);
    }
}
