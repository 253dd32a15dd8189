package org.cklbench.testing;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.safetensors.SafetensorsFile;

import java.io.IOException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.testing.Numerics.doubles;
import static org.cklbench.testing.Numerics.normRel;

/** The fixture adapter's float64 reference: its weighted loss and the gradient of every LoRA tensor. */
public final class LoraReference {
    private LoraReference() {
    }

    /**
     * The fixture model in float32 with the fixture adapter over it, a manager for the test's arrays and the
     * reference batch ({@code input_ids}, {@code attention_mask}) read into it; closing it frees all of them.
     */
    public record Adapted(SafetensorsFile expected, LlamaModel model, LoraAdapter lora, NDManager m, NDArray ids,
                          NDArray mask) implements AutoCloseable {
        @Override
        public void close() {
            m.close();
            lora.close();
            model.close();
        }
    }

    /** {@link Adapted}, or a skipped test without ../shared. */
    public static Adapted adapted() throws IOException {
        SafetensorsFile expected = expected();
        LlamaModel model = HfModels.load(Shared.tinyLlama("model"), Device.cpu(), DataType.FLOAT32);
        LoraAdapter lora = null;
        NDManager m = null;
        try {
            lora = LoraAdapter.load(Shared.tinyLlama("lora-adapter"), model);
            m = NDManager.newBaseManager(Device.cpu());
            return new Adapted(expected, model, lora, m, expected.read("input_ids", m),
                    expected.read("attention_mask", m));
        } catch (IOException | RuntimeException e) {
            if (m != null) {
                m.close();
            }
            if (lora != null) {
                lora.close();
            }
            model.close();
            throw e;
        }
    }

    public static SafetensorsFile expected() throws IOException {
        return SafetensorsFile.open(Shared.tinyLlama("expected.safetensors"));
    }

    public static double weightedLoss() throws IOException {
        return new ObjectMapper().readTree(Shared.tinyLlama("expected.json").toFile()).get("lora.weighted_loss").asDouble();
    }

    /** Each LoRA tensor's gradient within 1e-3 (relative norm) of the reference, as shared/README.md sets. */
    public static void assertGradients(LoraAdapter lora, SafetensorsFile expected, NDManager m) throws IOException {
        for (Map.Entry<String, NDArray> p : lora.parameters().entrySet()) {
            double rel = normRel(doubles(p.getValue().getGradient()), doubles(expected.read("grad." + p.getKey(), m)));
            assertThat(rel).as("gradient of %s", p.getKey()).isLessThan(1e-3);
        }
    }
}
