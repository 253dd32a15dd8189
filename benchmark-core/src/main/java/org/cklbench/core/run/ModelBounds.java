package org.cklbench.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import org.cklbench.core.state.TrainSettings;
import org.cklbench.engine.model.LlamaConfig;
import org.cklbench.engine.model.ModelFolder;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The run's sizes against what its model can hold, checked from config.json before anything is
 * hashed, prepared or allocated: {@code --set lora_r=1000000} on a hidden-32 model once grew to
 * 16 GB without finishing a step.
 */
public final class ModelBounds {
    /**
     * Values in one batch's logits (rows × tokens × vocabulary): 2^31, 8 GiB of float32, far above
     * the paper's 8 × 512 × 32,000 per micro-batch.
     */
    static final long MAX_LOGITS = 1L << 31;

    private ModelBounds() {
    }

    /** Checks {@code model}'s folder (its shape, then its config.json) and the settings against it. */
    public static void check(Path model, JsonNode settings) throws IOException {
        ModelFolder.loaderFiles(model);
        LlamaConfig c = LlamaConfig.read(model);
        String cfg = model.resolve("config.json").toString();
        TrainSettings s = TrainSettings.of(settings);
        if (!s.full()) {
            // LoRA adapts every projection; a rank above a projection's smaller side adds nothing but memory
            int kv = c.numKeyValueHeads() * c.headDim();
            int most = Math.min(c.hiddenSize(), Math.min(kv, c.intermediateSize()));
            if (s.loraR() > most) {
                throw new IllegalArgumentException("setting lora_r = " + s.loraR() + ": must be at most " + most
                        + ", the smallest side of the projections LoRA adapts (hidden " + c.hiddenSize()
                        + ", key/value " + kv + ", MLP " + c.intermediateSize() + " in " + cfg + ")");
            }
        }
        if (s.maxTokens() > c.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("setting max_tokens = " + s.maxTokens() + ": must be at most "
                    + c.maxPositionEmbeddings() + ", the model's max_position_embeddings in " + cfg);
        }
        long micro = s.microBatchSize();
        if ((double) micro * s.maxTokens() * c.vocabSize() > MAX_LOGITS) {
            throw new IllegalArgumentException("setting batch_size = " + s.batchSize() + " (grad_accumulation "
                    + s.gradAccumulation() + "): a micro-batch of " + micro + " rows of up to " + s.maxTokens()
                    + " tokens over a vocabulary of " + c.vocabSize() + " would hold more than " + MAX_LOGITS
                    + " logits; lower batch_size or raise grad_accumulation");
        }
        JsonNode eval = settings.get("eval_batch_size");
        if (eval != null && eval.canConvertToLong()
                && (double) eval.asLong() * s.maxTokens() * c.vocabSize() > MAX_LOGITS) {
            throw new IllegalArgumentException("setting eval_batch_size = " + eval + ": " + eval + " probes of up to "
                    + s.maxTokens() + " tokens over a vocabulary of " + c.vocabSize() + " would hold more than "
                    + MAX_LOGITS + " logits; lower it");
        }
    }
}
