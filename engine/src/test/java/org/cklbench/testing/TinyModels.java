package org.cklbench.testing;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaConfig;
import org.cklbench.engine.model.LlamaModel;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A seeded random Llama of the fixture's shape (vocabulary 512, hidden 64, 2 layers, GQA 4/2), for tests
 * that need a model but not the fixture's weights: they run without {@code ../shared}.
 */
public final class TinyModels {
    public static final int VOCAB = 512;

    private TinyModels() {
    }

    /** The shape of {@code ../shared/fixtures/tiny-llama/model} (its config.json), untied. */
    public static LlamaConfig config() {
        return LlamaConfig.create(VOCAB, 64, 176, 2, 4, 2, false, 256);
    }

    /** A float32 model on the CPU with {@code transformers}' initialisation, drawn from {@code seed}. */
    public static LlamaModel random(long seed) {
        return HfModels.init(config(), seed, Device.cpu(), DataType.FLOAT32);
    }

    /** {@link #random} saved as a Hugging Face folder (config.json, model.safetensors) at {@code dir}; returns it. */
    public static Path save(Path dir, long seed) throws IOException {
        try (LlamaModel m = random(seed)) {
            HfModels.save(m, dir);
        }
        return dir;
    }
}
