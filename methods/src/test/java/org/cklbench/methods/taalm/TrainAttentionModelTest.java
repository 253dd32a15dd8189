package org.cklbench.methods.taalm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.cklbench.testing.Shared;
import org.cklbench.testing.TinyModels;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.cklbench.engine.lora.LoraConfig;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.testing.Numerics.doubles;

class TrainAttentionModelTest {
    @TempDir
    Path tmp;

    @Test
    void aSavedTrainAttentionModelReloadsToTheSameWeights() throws Exception {
        SafetensorsFile expected = SafetensorsFile.open(Shared.tinyLlama("expected.safetensors"));
        try (LlamaModel base = HfModels.load(Shared.tinyLlama("model"), Device.cpu(), DataType.FLOAT32);
             TrainAttentionModel ta = TrainAttentionModel.load(Shared.tinyLlama("train-attention"), base);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray doc = expected.read("meta.data_ids", m);
            ta.save(tmp, "../model");
            try (TrainAttentionModel again = TrainAttentionModel.load(tmp, base)) {
                assertThat(doubles(again.weights(doc, doc.onesLike()))).containsExactly(doubles(ta.weights(doc, doc.onesLike())));
            }
        }
    }

    @Test
    void aNewTrainAttentionModelStartsNearWeightOne() throws Exception {
        try (LlamaModel base = TinyModels.random(5);
             TrainAttentionModel ta = TrainAttentionModel.init(base, LoraConfig.of(4, 8, 0, LoraConfig.PROJECTIONS), 3);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray doc = m.create(new long[] {1, 5, 9, 33, 2}).reshape(1, 5);
            double[] w = doubles(ta.weights(doc, doc.onesLike()));
            assertThat(w).hasSize(4);
            for (double x : w) {
                assertThat(x).isBetween(0.97, 0.99);
            }
        }
    }
}
