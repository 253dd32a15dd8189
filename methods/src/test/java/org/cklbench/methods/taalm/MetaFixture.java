package org.cklbench.methods.taalm;

import ai.djl.ndarray.NDManager;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.cklbench.testing.LoraReference;
import org.cklbench.testing.Shared;

import java.io.IOException;

/**
 * The meta-gradient fixture of ../shared: the LoRA fixture ({@link LoraReference.Adapted}: the reference's tensors,
 * the tiny Llama in float32 and θ, its adapter) and φ, its Train-Attention model over the same base; closing it
 * frees all of them. Without ../shared the test skips.
 */
public record MetaFixture(LoraReference.Adapted adapted, TrainAttentionModel ta) implements AutoCloseable {
    public static MetaFixture open() throws IOException {
        LoraReference.Adapted a = LoraReference.adapted();
        try {
            return new MetaFixture(a, TrainAttentionModel.load(Shared.tinyLlama("train-attention"), a.model()));
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e;
        }
    }

    public SafetensorsFile expected() {
        return adapted.expected();
    }

    public LlamaModel base() {
        return adapted.model();
    }

    public LoraAdapter theta() {
        return adapted.lora();
    }

    public NDManager m() {
        return adapted.m();
    }

    @Override
    public void close() {
        ta.close();
        adapted.close();
    }
}
