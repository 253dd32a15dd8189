package org.cklbench.engine.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.testing.Shared;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.cklbench.engine.loss.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.testing.Numerics.doubles;
import static org.cklbench.testing.Numerics.attended;
import static org.cklbench.testing.Numerics.maxRel;

class FixtureLogitsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"model, logits", "model-sharded, logits", "model-bf16, logits_bf16_weights"})
    void logitsMatchTheReference(String folder, String expectedName) throws Exception {
        Path dir = Shared.tinyLlama(folder);
        SafetensorsFile expected = SafetensorsFile.open(Shared.tinyLlama("expected.safetensors"));
        try (LlamaModel model = HfModels.load(dir, Device.cpu(), DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray ids = expected.read("input_ids", m);
            NDArray mask = expected.read("attention_mask", m);
            NDArray logits = model.logits(ids, mask, ForwardHooks.NONE);
            double[] want = doubles(expected.read(expectedName, m));
            double err = maxRel(doubles(logits), want, attended(doubles(mask), 512));
            assertThat(err).as("max relative logit error of %s", folder).isLessThan(1e-4);
        }
    }

    /** float16 compute, as on a GPU: half-precision rounding only (about 2e-3 here). */
    @Test
    void float16ComputeStaysCloseToTheReference() throws Exception {
        SafetensorsFile expected = SafetensorsFile.open(Shared.tinyLlama("expected.safetensors"));
        try (LlamaModel model = HfModels.load(Shared.tinyLlama("model"), Device.cpu(), DataType.FLOAT16);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray ids = expected.read("input_ids", m);
            NDArray mask = expected.read("attention_mask", m);
            NDArray logits = model.logits(ids, mask, ForwardHooks.NONE);
            assertThat(logits.getDataType()).isEqualTo(DataType.FLOAT16);
            double err = maxRel(doubles(logits), doubles(expected.read("logits", m)), attended(doubles(mask), 512));
            assertThat(err).isLessThan(5e-3);
        }
    }

    @Test
    void nllAndBothLossesMatchTheReference() throws Exception {
        SafetensorsFile expected = SafetensorsFile.open(Shared.tinyLlama("expected.safetensors"));
        JsonNode scalars = new ObjectMapper().readTree(Shared.tinyLlama("expected.json").toFile());
        try (LlamaModel model = HfModels.load(Shared.tinyLlama("model"), Device.cpu(), DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray ids = expected.read("input_ids", m);
            NDArray mask = expected.read("attention_mask", m);
            NDArray nll = Losses.tokenNll(model.logits(ids, mask, ForwardHooks.NONE), ids);
            NDArray tm = Losses.targetMask(mask);
            boolean[] keep = attended(doubles(tm), 1);
            assertThat(maxRel(doubles(nll), doubles(expected.read("token_nll", m)), keep)).isLessThan(1e-4);
            double mean = Losses.meanLoss(nll, tm).getFloat();
            assertThat(mean).isCloseTo(scalars.get("hf_causal_lm_loss").asDouble(),
                    org.assertj.core.data.Percentage.withPercentage(1e-2));
            double weighted = Losses.weightedLoss(nll, expected.read("token_weights", m), tm).getFloat();
            assertThat(weighted).isCloseTo(scalars.get("weighted_loss").asDouble(),
                    org.assertj.core.data.Percentage.withPercentage(1e-2));
        }
    }
}
