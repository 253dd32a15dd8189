package org.cklbench.engine.lora;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import org.cklbench.testing.LoraReference;
import org.cklbench.testing.Shared;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.cklbench.engine.loss.Losses;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.testing.Numerics.doubles;
import static org.cklbench.testing.Numerics.attended;
import static org.cklbench.testing.Numerics.maxRel;

class LoraFixtureTest {

    @Test
    void adaptedLogitsLossAndEveryGradientMatchTheReference() throws Exception {
        SafetensorsFile expected = LoraReference.expected();
        double wantLoss = LoraReference.weightedLoss();
        try (LlamaModel model = HfModels.load(Shared.tinyLlama("model"), Device.cpu(), DataType.FLOAT32);
             LoraAdapter lora = LoraAdapter.load(Shared.tinyLlama("lora-adapter"), model);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            assertThat(lora.config().scaling()).isEqualTo(2.0);
            assertThat(lora.parameters()).hasSize(28);
            lora.parameters().values().forEach(p -> p.setRequiresGradient(true));
            NDArray ids = expected.read("input_ids", m);
            NDArray mask = expected.read("attention_mask", m);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.logits(ids, mask, lora);
                double err = maxRel(doubles(logits), doubles(expected.read("lora.logits", m)),
                        attended(doubles(mask), 512));
                assertThat(err).as("LoRA logits").isLessThan(1e-4);
                NDArray loss = Losses.weightedLoss(Losses.tokenNll(logits, ids),
                        expected.read("token_weights", m), Losses.targetMask(mask));
                assertThat(Math.abs(loss.getFloat() - wantLoss) / wantLoss).isLessThan(1e-4);
                gc.backward(loss);
            }
            LoraReference.assertGradients(lora, expected, m);
        }
    }

    @Test
    void savedAdapterReloadsToTheSameLogits(@TempDir Path tmp) throws Exception {
        SafetensorsFile expected = LoraReference.expected();
        try (LlamaModel model = HfModels.load(Shared.tinyLlama("model"), Device.cpu(), DataType.FLOAT32);
             LoraAdapter lora = LoraAdapter.load(Shared.tinyLlama("lora-adapter"), model);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray ids = expected.read("input_ids", m);
            NDArray mask = expected.read("attention_mask", m);
            lora.save(tmp, "../model");
            try (LoraAdapter again = LoraAdapter.load(tmp, model)) {
                assertThat(doubles(model.logits(ids, mask, again))).containsExactly(doubles(model.logits(ids, mask, lora)));
            }
        }
    }

    @Test
    void mergingTheAdapterGivesTheAdaptedLogits() throws Exception {
        SafetensorsFile expected = LoraReference.expected();
        try (LlamaModel model = HfModels.load(Shared.tinyLlama("model"), Device.cpu(), DataType.FLOAT32);
             LoraAdapter lora = LoraAdapter.load(Shared.tinyLlama("lora-adapter"), model);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray ids = expected.read("input_ids", m);
            NDArray mask = expected.read("attention_mask", m);
            lora.mergeInto(model);
            double err = maxRel(doubles(model.logits(ids, mask, org.cklbench.engine.model.ForwardHooks.NONE)),
                    doubles(expected.read("lora.logits", m)), attended(doubles(mask), 512));
            assertThat(err).isLessThan(1e-4);
        }
    }
}
