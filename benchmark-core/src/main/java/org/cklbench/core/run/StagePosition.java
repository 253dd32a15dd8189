package org.cklbench.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a resumed run goes on: at optimiser step {@code step} of stage {@code stage} (1-based; step 0
 * is the stage's start), with the stage's training loss summed so far. Saved in the checkpoint's
 * state.json; checkpoints of older versions of the suite (LAMA-ckl's epochs, TemporalWiki's period
 * indices, or only the finished stage) are read too.
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

    /** From a checkpoint's state.json (the trainer's, whose {@code extra} is what {@link #toJson} wrote). */
    public static StagePosition of(JsonNode state) {
        JsonNode at = state.path("extra");
        if (at.has("stage")) {
            return new StagePosition(at.get("stage").asInt(), at.path("step_in_stage").asLong(),
                    at.path("loss_sum_in_stage").asDouble());
        }
        if (at.has("epoch")) {
            return new StagePosition(at.get("epoch").asInt(), at.path("step_in_epoch").asLong(),
                    at.path("loss_sum_in_epoch").asDouble());
        }
        if (at.has("period_index")) {
            return new StagePosition(at.get("period_index").asInt() + 1, at.path("step_in_period").asLong(),
                    at.path("loss_sum_in_period").asDouble());
        }
        // the first checkpoints were written at the end of a stage and held only its number
        return new StagePosition(state.get("stage").asInt() + 1, 0, 0);
    }
}
