package org.cklbench.engine.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cklbench.testing.Numerics.attended;
import static org.cklbench.testing.Numerics.doubles;
import static org.cklbench.testing.Numerics.maxRel;

/**
 * Llama 3.1/3.2 checkpoints: rope_scaling of type llama3, rope_theta 500000, grouped-query attention and
 * tied embeddings, against the float64 logits of fixtures/tiny-llama3 (written by
 * src/test/python/make_tiny_llama3.py, whose reference forward pass also reproduces ../shared's
 * tiny-llama logits).
 */
class Llama3RopeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(Llama3RopeTest.class.getResource("/fixtures/tiny-llama3/" + name).toURI());
    }

    @Test
    void logitsMatchTheFloat64Reference() throws Exception {
        SafetensorsFile expected = SafetensorsFile.open(fixture("expected.safetensors"));
        try (LlamaModel model = HfModels.load(fixture(""), Device.cpu(), DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            assertThat(model.config().ropeScaling().type()).isEqualTo("llama3");
            assertThat(model.config().tieWordEmbeddings()).isTrue();
            NDArray ids = expected.read("input_ids", m);
            NDArray mask = expected.read("attention_mask", m);
            double[] got = doubles(model.logits(ids, mask, ForwardHooks.NONE));
            boolean[] keep = attended(doubles(mask), 128);
            double err = maxRel(got, doubles(expected.read("logits", m)), keep);
            assertThat(err).as("max relative logit error").isLessThan(1e-4);
            // the fixture tells the scalings apart: unscaled RoPE lands far from these logits
            assertThat(maxRel(got, doubles(expected.read("logits_without_scaling", m)), keep)).isGreaterThan(1e-2);
        }
    }

    /** All three bands of the fixture's 8 frequencies: kept, blended, divided by factor. */
    @Test
    void inverseFrequenciesAreTransformersOnes() throws Exception {
        LlamaConfig c = LlamaConfig.read(fixture(""));
        double[] got = c.ropeScaling().inverseFrequencies(c.ropeTheta(), c.headDim());
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            double[] want = doubles(SafetensorsFile.open(fixture("expected.safetensors")).read("inv_freq", m));
            assertThat(maxRel(got, want, null)).isLessThan(1e-12);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"rope_type\": \"yarn\", \"factor\": 4.0}|rope_scaling type 'yarn'",
        "{\"type\": \"dynamic\", \"factor\": 2.0}|rope_scaling type 'dynamic'",
        "{\"rope_type\": \"longrope\", \"short_factor\": [1], \"long_factor\": [1]}|rope_scaling type 'longrope'",
        "{\"factor\": 2.0}|rope_scaling type ''",
        "{\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0}"
                + "|'original_max_position_embeddings'",
        "{\"rope_type\": \"llama3\", \"factor\": 8.0, \"low_freq_factor\": 4.0, \"high_freq_factor\": 4.0,"
                + " \"original_max_position_embeddings\": 8192}|high_freq_factor (4.0) above low_freq_factor (4.0)",
        "{\"rope_type\": \"llama3\", \"factor\": \"8\", \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0,"
                + " \"original_max_position_embeddings\": 8192}|positive 'factor', not \"8\"",
        "{\"rope_type\": \"linear\", \"factor\": 0}|positive 'factor'",
    })
    void otherScalingsAreRefusedByName(String scaling, String message) throws Exception {
        ObjectNode o = (ObjectNode) JSON.readTree(fixture("config.json").toFile());
        o.set("rope_scaling", JSON.readTree(scaling));
        assertThatThrownBy(() -> LlamaConfig.parse(o, "x/config.json")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x/config.json").hasMessageContaining(message);
    }
}
