package org.cklbench.core.ta;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.cklbench.core.Shared;
import org.cklbench.core.io.SafetensorsFile;
import org.cklbench.core.lora.LoraConfig;
import org.cklbench.core.model.Checkpoints;
import org.cklbench.core.model.LlamaModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.core.Numerics.doubles;

class TrainAttentionModelTest {
    @TempDir
    Path tmp;

    @Test
    void aSavedTrainAttentionModelReloadsToTheSameWeights() throws Exception {
        SafetensorsFile expected = SafetensorsFile.open(Shared.tinyLlama("expected.safetensors"));
        try (LlamaModel base = Checkpoints.load(Shared.tinyLlama("model"), Device.cpu(), DataType.FLOAT32);
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
        try (LlamaModel base = Checkpoints.load(Shared.tinyLlama("model"), Device.cpu(), DataType.FLOAT32);
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
