package org.cklbench.methods.taalm;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.cklbench.testing.Shared;

import java.io.IOException;

/**
 * The meta-gradient fixture of ../shared: the reference's tensors ({@code expected}), the tiny Llama in float32,
 * θ (its LoRA adapter), φ (its Train-Attention model over the same base) and a manager for the test's arrays;
 * closing it frees all of them. Without ../shared the test skips.
 */
public record MetaFixture(SafetensorsFile expected, LlamaModel base, LoraAdapter theta, TrainAttentionModel ta,
                          NDManager m) implements AutoCloseable {
    public static MetaFixture open() throws IOException {
        SafetensorsFile expected = SafetensorsFile.open(Shared.tinyLlama("expected.safetensors"));
        LlamaModel base = HfModels.load(Shared.tinyLlama("model"), Device.cpu(), DataType.FLOAT32);
        LoraAdapter theta = null;
        TrainAttentionModel ta = null;
        try {
            theta = LoraAdapter.load(Shared.tinyLlama("lora-adapter"), base);
            ta = TrainAttentionModel.load(Shared.tinyLlama("train-attention"), base);
            return new MetaFixture(expected, base, theta, ta, NDManager.newBaseManager(Device.cpu()));
        } catch (IOException | RuntimeException e) {
            if (ta != null) {
                ta.close();
            }
            if (theta != null) {
                theta.close();
            }
            base.close();
            throw e;
        }
    }

    @Override
    public void close() {
        m.close();
        ta.close();
        theta.close();
        base.close();
    }
}
