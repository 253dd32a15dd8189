package org.cklbench.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a resumed run goes on: at optimiser step {@code step} of stage {@code stage} (1-based; step 0
 * is the stage's start), with the stage's training loss summed so far. Saved in the checkpoint's
 * state.json.
 */
public record StagePosition(int stage, long step, double lossSum) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("stage", stage);
        o.put("step_in_stage", step);
        o.put("loss_sum_in_stage", lossSum);
        return o;
    }

    /**
     * From a checkpoint's state.json (the trainer's, whose {@code extra} is what {@link #toJson} wrote). Only
     * run-folder format {@link org.cklbench.runfolder.RunFolder#FORMAT_VERSION}'s checkpoints are read: one without
     * the position is refused rather than resumed from a guess.
     */
    public static StagePosition of(JsonNode state) {
        JsonNode at = state.path("extra");
        if (!at.path("stage").isInt() || !at.path("step_in_stage").isIntegralNumber() || !at.has("loss_sum_in_stage")) {
            throw new IllegalArgumentException("the checkpoint's state.json has no stage position (stage, step_in_stage,"
                    + " loss_sum_in_stage): a checkpoint older than run-folder format "
                    + org.cklbench.runfolder.RunFolder.FORMAT_VERSION + ", which cannot be resumed; delete the checkpoint");
        }
        return new StagePosition(at.get("stage").asInt(), at.get("step_in_stage").asLong(),
                at.get("loss_sum_in_stage").asDouble());
    }
}
