package org.cklbench.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.engine.lora.LoraAdapter;
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
