package org.cklbench.core.state;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * Hyperparameters of the optimisation. {@code batchSize} counts sequences per optimiser step; they
 * run as {@code gradAccumulation} micro-batches whose gradients add up. Unless a method brings its
 * own trainable tensors, the run trains a LoRA adapter ({@code loraR}, {@code loraAlpha},
 * {@code loraDropout}, every projection) or, with {@code full}, every weight of the model. With
 * {@code lengthGrouped}, each batch holds documents of similar length (less padding), the batches
 * still in a seeded random order.
 *
 * <p>{@code loss} says which targets the training loss counts. {@link #LOSS_TOKENS} (the default): the
 * real target tokens, averaged per token (Hugging Face's loss with padding labelled -100). {@link
 * #LOSS_REFERENCE}: as the TAALM authors' code counts them: rows padded with EOS (pad_token = eos_token)
 * and labels = input_ids, so the unweighted loss is the mean over every position of the padded micro-batch,
 * padding included ({@code TAALM.py} 268-276, 305); a weighted loss masks by the input positions'
 * attention mask ({@code attention_mask[:, :-1]}, which counts one EOS target after each shorter row).
 */
public record TrainSettings(int batchSize, int gradAccumulation, double lr, String schedule, double warmupRatio,
                            double weightDecay, double clipNorm, int maxTokens, int loraR, double loraAlpha,
                            double loraDropout, boolean full, boolean lengthGrouped, String loss) {
    public static final String LOSS_TOKENS = "tokens";
    public static final String LOSS_REFERENCE = "reference";

    /** The suite's own loss (real targets only). */
    public TrainSettings(int batchSize, int gradAccumulation, double lr, String schedule, double warmupRatio,
                         double weightDecay, double clipNorm, int maxTokens, int loraR, double loraAlpha,
                         double loraDropout, boolean full, boolean lengthGrouped) {
        this(batchSize, gradAccumulation, lr, schedule, warmupRatio, weightDecay, clipNorm, maxTokens, loraR, loraAlpha,
                loraDropout, full, lengthGrouped, LOSS_TOKENS);
    }

    /** The common case: batches in plain random order. */
    public TrainSettings(int batchSize, int gradAccumulation, double lr, String schedule, double warmupRatio,
                         double weightDecay, double clipNorm, int maxTokens, int loraR, double loraAlpha,
                         double loraDropout, boolean full) {
        this(batchSize, gradAccumulation, lr, schedule, warmupRatio, weightDecay, clipNorm, maxTokens, loraR, loraAlpha,
                loraDropout, full, false);
    }

    /** Every value in its range, or an error naming the setting as {@code --set} names it. */
    public TrainSettings {
        if (batchSize <= 0 || gradAccumulation <= 0 || batchSize % gradAccumulation != 0) {
            throw new IllegalArgumentException("setting batch_size " + batchSize + " must be a positive multiple of"
                    + " grad_accumulation " + gradAccumulation);
        }
        check(Double.isFinite(lr) && lr > 0, "lr", lr, "a finite number above 0");
        check(schedule != null && List.of("constant", "linear", "cosine").contains(schedule), "schedule", schedule,
                "constant, linear or cosine");
        check(warmupRatio >= 0 && warmupRatio < 1, "warmup_ratio", warmupRatio, "a number in [0, 1)");
        check(Double.isFinite(weightDecay) && weightDecay >= 0, "weight_decay", weightDecay, "a finite number, 0 or more");
        check(Double.isFinite(clipNorm) && clipNorm >= 0, "clip_norm", clipNorm, "a finite number, 0 (no clipping) or more");
        check(List.of(LOSS_TOKENS, LOSS_REFERENCE).contains(loss), "loss", loss, "tokens or reference");
        check(maxTokens >= 2, "max_tokens", maxTokens, "2 or more (a document and one target)");
        if (!full) {
            check(loraR >= 1, "lora_r", loraR, "1 or more");
            check(Double.isFinite(loraAlpha) && loraAlpha > 0, "lora_alpha", loraAlpha, "a finite number above 0");
            check(loraDropout >= 0 && loraDropout < 1, "lora_dropout", loraDropout, "a number in [0, 1)");
        }
    }

    private static void check(boolean ok, String name, Object value, String takes) {
        if (!ok) {
            throw new IllegalArgumentException("setting " + name + " = " + value + ": must be " + takes);
        }
    }

    /** From a benchmark's resolved settings (preset plus --set), keys as in run.json. */
    public static TrainSettings of(JsonNode s) {
        for (String k : List.of("batch_size", "grad_accumulation", "lr", "schedule", "warmup_ratio", "weight_decay",
                "clip_norm", "max_tokens", "lora_r", "lora_alpha", "lora_dropout", "full")) {
            if (!s.hasNonNull(k)) {
                throw new IllegalArgumentException("the settings lack '" + k + "', which every preset must give");
            }
        }
        return new TrainSettings(s.get("batch_size").asInt(), s.get("grad_accumulation").asInt(), s.get("lr").asDouble(),
                s.get("schedule").asText(), s.get("warmup_ratio").asDouble(), s.get("weight_decay").asDouble(),
                s.get("clip_norm").asDouble(), s.get("max_tokens").asInt(), s.get("lora_r").asInt(),
                s.get("lora_alpha").asDouble(), s.get("lora_dropout").asDouble(), s.get("full").asBoolean(), false,
                s.path("loss").asText(LOSS_TOKENS));
    }

    /** Whether the loss counts targets as the reference does ({@code loss=reference}). */
    public boolean referenceLoss() {
        return LOSS_REFERENCE.equals(loss);
    }

    public int microBatchSize() {
        return batchSize / gradAccumulation;
    }
}
