package org.cklbench.engine.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.testing.Shared;
import org.cklbench.testing.TinyModels;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.cklbench.engine.safetensors.TensorDType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cklbench.testing.Numerics.doubles;

class HfModelsTest {
    @TempDir
    Path tmp;

    private static double[] logits(LlamaModel model) throws IOException {
        SafetensorsFile expected = SafetensorsFile.open(Shared.tinyLlama("expected.safetensors"));
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray ids = expected.read("input_ids", m);
            return doubles(model.logits(ids, expected.read("attention_mask", m), ForwardHooks.NONE));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"model", "model-sharded", "model-bf16"})
    void aSavedModelKeepsItsLayoutAndReloadsToIdenticalLogits(String folder) throws Exception {
        Path src = Shared.tinyLlama(folder);
        try (LlamaModel model = HfModels.load(src, Device.cpu(), DataType.FLOAT32)) {
            Path out = tmp.resolve(folder);
            HfModels.save(model, out);
            try (Stream<Path> a = Files.list(src); Stream<Path> b = Files.list(out)) {
                assertThat(b.map(p -> p.getFileName().toString()).sorted())
                        .containsExactlyElementsOf(a.map(p -> p.getFileName().toString()).sorted().toList());
            }
            SafetensorsFile first = SafetensorsFile.open(Files.list(out)
                    .filter(p -> p.toString().endsWith(".safetensors")).findFirst().orElseThrow());
            assertThat(first.metadata()).containsEntry("format", "pt");
            TensorDType stored = folder.equals("model-bf16") ? TensorDType.BF16 : TensorDType.F32;
            assertThat(first.entries().values()).allMatch(e -> e.dtype() == stored);
            try (LlamaModel again = HfModels.load(out, Device.cpu(), DataType.FLOAT32)) {
                assertThat(logits(again)).containsExactly(logits(model));
            }
            // Tensor for tensor the same names, dtypes, shapes, byte ranges and bytes as the files the
            // reference wrote with Hugging Face's safetensors library: only the JSON key order may differ.
            try (Stream<Path> files = Files.list(src)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".safetensors")).toList()) {
                    SafetensorsFile want = SafetensorsFile.open(f);
                    SafetensorsFile got = SafetensorsFile.open(out.resolve(f.getFileName()));
                    assertThat(got.entries().keySet()).isEqualTo(want.entries().keySet());
                    for (String name : want.entries().keySet()) {
                        SafetensorsFile.Entry a = got.entry(name);
                        SafetensorsFile.Entry b = want.entry(name);
                        assertThat(a.dtype()).isEqualTo(b.dtype());
                        assertThat(a.shape()).containsExactly(b.shape());
                        assertThat(a.begin()).isEqualTo(b.begin());
                        assertThat(got.bytes(name)).isEqualTo(want.bytes(name));
                    }
                }
            }
        }
    }

    @Test
    void theSameSeedInitialisesTheSameModel() {
        LlamaConfig c = LlamaConfig.create(64, 16, 32, 1, 2, 1, true, 32);
        try (LlamaModel a = HfModels.init(c, 7, Device.cpu(), DataType.FLOAT32);
             LlamaModel b = HfModels.init(c, 7, Device.cpu(), DataType.FLOAT32);
             LlamaModel d = HfModels.init(c, 8, Device.cpu(), DataType.FLOAT32)) {
            for (String name : a.weights().keySet()) {
                assertThat(doubles(a.weight(name))).containsExactly(doubles(b.weight(name)));
            }
            assertThat(doubles(a.weight("model.embed_tokens.weight")))
                    .isNotEqualTo(doubles(d.weight("model.embed_tokens.weight")));
            assertThat(doubles(a.weight("model.norm.weight"))).containsOnly(1.0);
        }
    }

    /** A model folder of the fixture's shape to break: random weights, so the test runs without ../shared. */
    private Path copyOfFixture(String name) throws IOException {
        return TinyModels.save(tmp.resolve(name), 5);
    }

    private void editConfig(Path dir, java.util.function.Consumer<ObjectNode> edit) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode cfg = (ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        edit.accept(cfg);
        json.writeValue(dir.resolve("config.json").toFile(), cfg);
    }

    @Test
    void aConfigThatDoesNotMatchTheWeightsNamesFileAndTensor() throws Exception {
        Path dir = copyOfFixture("wrong-inter");
        editConfig(dir, c -> c.put("intermediate_size", 128));
        assertThatThrownBy(() -> HfModels.load(dir, Device.cpu(), DataType.FLOAT32))
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("tensor 'model.layers.0.mlp.gate_proj.weight'")
                .hasMessageContaining("disagrees with config.json");
    }

    @Test
    void aMissingTensorIsNamed() throws Exception {
        Path dir = tmp.resolve("missing");
        try (LlamaModel model = TinyModels.random(5)) {
            Map<String, NDArray> w = new LinkedHashMap<>(model.weights());
            w.remove("model.layers.1.self_attn.v_proj.weight");
            HfModels.save(model.config(), w, model.layout(), dir);
        }
        assertThatThrownBy(() -> HfModels.load(dir, Device.cpu(), DataType.FLOAT32))
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("tensor 'model.layers.1.self_attn.v_proj.weight'")
                .hasMessageContaining("missing");
    }

    @Test
    void fewerLayersInTheConfigThanInTheFileIsRefused() throws Exception {
        Path dir = copyOfFixture("fewer-layers");
        editConfig(dir, c -> c.put("num_hidden_layers", 1));
        assertThatThrownBy(() -> HfModels.load(dir, Device.cpu(), DataType.FLOAT32))
                .hasMessageContaining("tensor 'model.layers.1.")
                .hasMessageContaining("does config.json belong to these weights");
    }

    @Test
    void unsupportedConfigFieldsAreErrorsNotIgnored() throws Exception {
        Path dir = copyOfFixture("yarn");
        editConfig(dir, c -> c.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0));
        assertThatThrownBy(() -> HfModels.load(dir, Device.cpu(), DataType.FLOAT32))
                .hasMessageContaining("config.json").hasMessageContaining("rope_scaling type 'yarn'");
        editConfig(dir, c -> {
            c.remove("rope_scaling");
            c.put("sliding_window", 4096);
        });
        assertThatThrownBy(() -> HfModels.load(dir, Device.cpu(), DataType.FLOAT32))
                .hasMessageContaining("unsupported field 'sliding_window'");
    }

    /** Each once loaded and ran to NaN (or divided heads unevenly) instead of being refused. */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"rope_theta\": 0}",
        "{\"rope_theta\": -10000}",
        "{\"rms_norm_eps\": \"NaN\"}",
        "{\"rms_norm_eps\": 0.0}",
        "{\"num_attention_heads\": 3}",
        "{\"num_key_value_heads\": 0}",
        "{\"max_position_embeddings\": -1}",
        "{\"max_position_embeddings\": 1}",
        "{\"max_position_embeddings\": 1e12}",
        "{\"num_hidden_layers\": 100000}",
        "{\"hidden_size\": 1.5}",
    })
    void outOfRangeConfigValuesAreRefusedNamingTheField(String edit) throws Exception {
        Path dir = copyOfFixture("range");
        ObjectNode e = (ObjectNode) new ObjectMapper().readTree(edit);
        editConfig(dir, c -> c.setAll(e));
        String field = e.fieldNames().next();
        assertThatThrownBy(() -> HfModels.load(dir, Device.cpu(), DataType.FLOAT32))
                .hasMessageContaining("config.json").hasMessageContaining(field);
    }

    @Test
    void aGarbageConfigIsNamed() throws Exception {
        Path dir = copyOfFixture("garbage");
        Files.writeString(dir.resolve("config.json"), "{\"hidden_size\": 64,");
        assertThatThrownBy(() -> HfModels.load(dir, Device.cpu(), DataType.FLOAT32))
                .hasMessageContaining(dir.resolve("config.json").toString()).hasMessageContaining("not valid JSON");
    }

    @Test
    void pickledWeightsAreNeverRead() throws Exception {
        Path dir = tmp.resolve("pickle");
        Files.createDirectories(dir);
        Files.copy(copyOfFixture("pickle-source").resolve("config.json"), dir.resolve("config.json"));
        Files.write(dir.resolve("pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        assertThatThrownBy(() -> HfModels.load(dir, Device.cpu(), DataType.FLOAT32))
                .hasMessageContaining("pickle").hasMessageContaining("safetensors");
    }

    /** Once "missing or non-positive 'vocab_size'" for a vocabulary of 10^12. */
    @Test
    void aHugeVocabularyIsCalledTooLargeNotMissing() throws Exception {
        Path dir = copyOfFixture("vocab");
        editConfig(dir, c -> c.put("vocab_size", 1_000_000_000_000L));
        assertThatThrownBy(() -> HfModels.load(dir, Device.cpu(), DataType.FLOAT32))
                .hasMessageContaining("config.json").hasMessageContaining("'vocab_size' 1000000000000 is implausibly large")
                .hasMessageNotContaining("missing");
    }

    @Test
    void theFilesTheLoaderReadsAreListedAfterTheFolderIsChecked() throws Exception {
        Path dir = copyOfFixture("files");
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        Files.writeString(dir.resolve("README.md"), "prose");
        Files.createDirectories(dir.resolve("original"));
        Files.writeString(dir.resolve("original/consolidated.00.pth"), "not read");
        assertThat(ModelFolder.loaderFiles(dir)).doesNotContain("README.md", "original/consolidated.00.pth")
                .containsExactly("config.json", "model.safetensors", "tokenizer.json");
        Path notModel = Files.createDirectories(tmp.resolve("system"));
        Files.writeString(notModel.resolve("passwd"), "root:x:0:0");
        assertThatThrownBy(() -> ModelFolder.loaderFiles(notModel)).hasMessageContaining("holds no config.json");
        assertThatThrownBy(() -> ModelFolder.loaderFiles(notModel.resolve("passwd"))).hasMessageContaining("is a file");
    }
}
