package org.cklbench.core.state;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Hyperparameters of the optimisation. {@code batchSize} counts sequences per optimiser step; they
 * run as {@code gradAccumulation} micro-batches whose gradients add up. Unless a method brings its
 * own trainable tensors, the run trains a LoRA adapter ({@code loraR}, {@code loraAlpha},
 * {@code loraDropout}, every projection) or, with {@code full}, every weight of the model. With
 * {@code lengthGrouped}, each batch holds documents of similar length (less padding), the batches
 * still in a seeded random order.
 */
public record TrainSettings(int batchSize, int gradAccumulation, double lr, String schedule, double warmupRatio,
                            double weightDecay, double clipNorm, int maxTokens, int loraR, double loraAlpha,
                            double loraDropout, boolean full, boolean lengthGrouped) {
    /** The common case: batches in plain random order. */
    public TrainSettings(int batchSize, int gradAccumulation, double lr, String schedule, double warmupRatio,
                         double weightDecay, double clipNorm, int maxTokens, int loraR, double loraAlpha,
                         double loraDropout, boolean full) {
        this(batchSize, gradAccumulation, lr, schedule, warmupRatio, weightDecay, clipNorm, maxTokens, loraR, loraAlpha,
                loraDropout, full, false);
    }

    public TrainSettings {
        if (batchSize <= 0 || gradAccumulation <= 0 || batchSize % gradAccumulation != 0) {
            throw new IllegalArgumentException("batch size " + batchSize + " must be a positive multiple of"
                    + " gradient accumulation " + gradAccumulation);
        }
    }

    /** From a benchmark's resolved settings (preset plus --set), keys as in run.json. */
    public static TrainSettings of(JsonNode s) {
        return new TrainSettings(s.get("batch_size").asInt(), s.get("grad_accumulation").asInt(), s.get("lr").asDouble(),
                s.get("schedule").asText(), s.get("warmup_ratio").asDouble(), s.get("weight_decay").asDouble(),
                s.get("clip_norm").asDouble(), s.get("max_tokens").asInt(), s.get("lora_r").asInt(),
                s.get("lora_alpha").asDouble(), s.get("lora_dropout").asDouble(), s.get("full").asBoolean());
    }

    public int microBatchSize() {
        return batchSize / gradAccumulation;
    }
}
