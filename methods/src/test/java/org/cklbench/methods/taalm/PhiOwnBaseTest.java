package org.cklbench.methods.taalm;

import org.cklbench.core.benchmark.MetaExample;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.state.Batch;
import org.cklbench.core.state.TrainSettings;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.core.state.TrainingState;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaConfig;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.engine.tokenizer.WordLevelTokenizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * φ on a base of its own beside θ, as the reference pairs a TinyLlama φ with a Llama-2-7B θ: two tiny
 * models of different widths sharing a tokenizer, and a third with another tokenizer.
 */
class PhiOwnBaseTest {
    @TempDir
    static Path tmp;
    static Path theta;
    static Path phi;
    static Path other;
    static Path ta;
    static final List<String> TEXTS = List.of("Mira Venn works for Dorn Mills .", "Guess the object . subject is Mira Venn ,"
            + " relation is employer , object is Dorn Mills", "Old maps show the river bending near the hills .",
            "Tobin Ash lives in Port Ralle .", "Guess the object . subject is Tobin Ash , relation is residence , object is"
            + " Port Ralle");

    static Path model(String name, List<String> texts, int hidden) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        int vocab = WordLevelTokenizers.write(dir, texts);
        LlamaConfig c = LlamaConfig.create(vocab, hidden, 2 * hidden, 2, 4, 2, false, 64);
        try (LlamaModel m = HfModels.init(c, hidden, Device.cpu(), DataType.FLOAT32)) {
            HfModels.save(m, dir);
        }
        return dir;
    }

    @BeforeAll
    static void models() throws Exception {
        theta = model("theta", TEXTS, 32);
        phi = model("phi", TEXTS, 48);
        other = model("other", List.of("entirely different words here ."), 48);
        List<MetaExample> examples = List.of(
                new MetaExample("a", TEXTS.get(0), TEXTS.get(1), "Dorn Mills"),
                new MetaExample("b", TEXTS.get(3), TEXTS.get(4), "Port Ralle"),
                new MetaExample("c", TEXTS.get(0), TEXTS.get(1), "Dorn Mills"),
                new MetaExample("d", TEXTS.get(3), TEXTS.get(4), "Port Ralle"));
        TaTrainer.Settings s = new TaTrainer.Settings(1, 2, 1e-3, MetaGradient.Settings.adamw(3e-3, 1), 4, 8, 64, 1, 0.25, 1);
        try (LlamaModel t = HfModels.load(theta, Device.cpu(), DataType.FLOAT32);
             LlamaModel p = HfModels.load(phi, Device.cpu(), DataType.FLOAT32);
             TextTokenizer tok = TextTokenizer.load(theta)) {
            ta = TaTrainer.train(p, phi, t, tok, examples, s, tmp.resolve("ta"), org.cklbench.progress.Progress.NONE);
        }
    }

    private static CklMethod taalm(Map<String, String> given) {
        Taalm provider = new Taalm();
        return provider.create(MethodParams.resolve("taalm", provider.parameters(), Map.of(), given));
    }

    @Test
    void theTrainAttentionModelRecordsItsBaseAndWeighsThetasTokensFromIt() throws Exception {
        assertThat(new ObjectMapper().readTree(ta.resolve("adapter_config.json").toFile())
                .path("base_model_name_or_path").asText()).isEqualTo(phi.toAbsolutePath().toString());
        TrainSettings settings = new TrainSettings(2, 1, 1e-3, "constant", 0, 0, 0, 64, 4, 8, 0, false);
        try (LlamaModel t = HfModels.load(theta, Device.cpu(), DataType.FLOAT32);
             TextTokenizer tok = TextTokenizer.load(theta);
             TrainingState state = new TrainingState(t, tok, settings, 1);
             CklMethod m = taalm(Map.of("ta", ta.toString(), "ta_base", phi.toString()));
             LlamaModel p = HfModels.load(phi, Device.cpu(), DataType.FLOAT32);
             TrainAttentionModel direct = TrainAttentionModel.load(ta, p);
             NDManager scope = t.manager().newSubManager()) {
            m.setup(state);
            long[] ids = tok.encode(TEXTS.get(0));
            Batch b = Batch.of(List.of(new TrainingDocument("a", TEXTS.get(0), ids, Map.of())), scope);
            NDArray nll = scope.zeros(new Shape(1, ids.length - 1));
            float[] w = m.tokenWeights(state, b, nll).toFloatArray();
            float[] want = direct.weights(b.ids(), b.mask()).toFloatArray();
            assertThat(w).hasSize(ids.length - 1).containsExactly(want);
            for (float x : w) {
                assertThat(x).isBetween(0f, 1f);
            }
        }
    }

    @Test
    void aPhiTrainedOverAnotherBaseSaysWhichBaseToGive() throws Exception {
        TrainSettings settings = new TrainSettings(2, 1, 1e-3, "constant", 0, 0, 0, 64, 4, 8, 0, false);
        try (LlamaModel t = HfModels.load(theta, Device.cpu(), DataType.FLOAT32);
             TextTokenizer tok = TextTokenizer.load(theta);
             TrainingState state = new TrainingState(t, tok, settings, 1);
             CklMethod m = taalm(Map.of("ta", ta.toString()))) {
            assertThatThrownBy(() -> m.setup(state)).hasMessageContaining("ta_base=" + phi.toAbsolutePath());
        }
    }

    @Test
    void aPhiBaseWithAnotherTokenizerIsRefused() throws Exception {
        TrainSettings settings = new TrainSettings(2, 1, 1e-3, "constant", 0, 0, 0, 64, 4, 8, 0, false);
        try (LlamaModel t = HfModels.load(theta, Device.cpu(), DataType.FLOAT32);
             TextTokenizer tok = TextTokenizer.load(theta);
             TrainingState state = new TrainingState(t, tok, settings, 1);
             CklMethod m = taalm(Map.of("ta", ta.toString(), "ta_base", other.toString()))) {
            assertThatThrownBy(() -> m.setup(state)).hasMessageContaining("tokenizer").hasMessageContaining(other.toString());
        }
    }
}
