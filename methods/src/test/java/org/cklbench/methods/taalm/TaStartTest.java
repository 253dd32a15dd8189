package org.cklbench.methods.taalm;

import org.cklbench.core.benchmark.MetaExample;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.core.method.MethodParams;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.lora.LoraConfig;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.progress.Progress;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where meta-training starts: θ and φ from a given PEFT adapter ({@code init_adapter}, as the reference
 * loads its trained adapters), φ's head as the reference re-creates it, and the meta-gradient's clipping.
 */
class TaStartTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path adapter;
    static final List<String> TEXTS = PhiOwnBaseTest.TEXTS;

    @BeforeAll
    static void models() throws Exception {
        PhiOwnBaseTest.tmp = tmp;
        model = PhiOwnBaseTest.model("theta", TEXTS, 32);
        adapter = tmp.resolve("adapter");
        // a "trained" adapter: B nonzero, so it changes the model
        try (LlamaModel m = HfModels.load(model, Device.cpu(), DataType.FLOAT32);
             LoraAdapter a = LoraAdapter.init(LoraConfig.of(4, 8, 0.1, LoraConfig.PROJECTIONS), m, 7)) {
            java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
            for (Map.Entry<String, NDArray> e : a.parameters().entrySet()) {
                if (e.getKey().endsWith("lora_B.weight")) {
                    NDArray p = e.getValue();
                    float[] v = new float[(int) p.size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (rng.nextDouble() - 0.5);
                    }
                    p.set(new NDIndex("..."), p.getManager().create(v, p.getShape()));
                }
            }
            a.save(adapter, null);
        }
    }

    private static List<MetaExample> examples() {
        return List.of(new MetaExample("a", TEXTS.get(0), TEXTS.get(1), "Dorn Mills"),
                new MetaExample("b", TEXTS.get(3), TEXTS.get(4), "Port Ralle"),
                new MetaExample("c", TEXTS.get(0), TEXTS.get(1), "Dorn Mills"),
                new MetaExample("d", TEXTS.get(3), TEXTS.get(4), "Port Ralle"));
    }

    private static JsonNode firstMetrics(Path out) throws Exception {
        return new ObjectMapper().readTree(Files.readAllLines(out.resolve("metrics.jsonl")).get(0));
    }

    @Test
    void thetaStartsFromTheGivenAdapter() throws Exception {
        // no dummy step, so that the task loss "before" is θ0's own
        MetaGradient.Settings inner = MetaGradient.Settings.reference(3e-3, 0);
        TaTrainer.Settings fresh = new TaTrainer.Settings(1, 2, 1e-3, inner, 4, 8, 64, 100, 0.25, 1, 0,
                TrainAttentionModel.HeadInit.REFERENCE, null, null);
        TaTrainer.Settings started = new TaTrainer.Settings(1, 2, 1e-3, inner, 4, 8, 64, 100, 0.25, 1, 0,
                TrainAttentionModel.HeadInit.REFERENCE, adapter, adapter);
        try (LlamaModel m = HfModels.load(model, Device.cpu(), DataType.FLOAT32);
             TextTokenizer tok = TextTokenizer.load(model)) {
            TaTrainer.train(m, model, m, tok, examples(), fresh, tmp.resolve("fresh"), Progress.NONE);
            TaTrainer.train(m, model, m, tok, examples(), started, tmp.resolve("started"), Progress.NONE);
            // the task loss before any update is θ0's: the base's with a fresh LoRA (B = 0), the adapter's otherwise
            double base = firstMetrics(tmp.resolve("fresh")).get("val_task_loss_before").asDouble();
            double withAdapter = firstMetrics(tmp.resolve("started")).get("val_task_loss_before").asDouble();
            assertThat(withAdapter).isNotCloseTo(base, org.assertj.core.data.Offset.offset(1e-3));
            // the same θ0 read directly gives the same loss on the held-out example
            int[] perm = org.cklbench.core.train.Trainer.order(4, 1, 0);
            MetaExample held = examples().get(perm[0]);
            try (LoraAdapter a = LoraAdapter.load(adapter, m);
                 ai.djl.ndarray.NDManager scope = m.manager().newSubManager()) {
                double direct = MetaGradient.taskLoss(m, a, TaTrainer.encode(java.util.List.of(held), tok, 64, scope))[0];
                assertThat(withAdapter).isCloseTo(direct, org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    @Test
    void phiStartsFromTheAdapterWithTheReferenceHead() throws Exception {
        try (LlamaModel m = HfModels.load(model, Device.cpu(), DataType.FLOAT32);
             LoraAdapter loaded = LoraAdapter.load(adapter, m);
             TrainAttentionModel ta = TrainAttentionModel.init(m, LoraAdapter.load(adapter, m), 5,
                     TrainAttentionModel.HeadInit.REFERENCE);
             TrainAttentionModel normal = TrainAttentionModel.init(m, LoraConfig.of(4, 8, 0, LoraConfig.PROJECTIONS), 5)) {
            loaded.parameters().forEach((k, v) ->
                    assertThat(ta.parameters().get(k).toFloatArray()).containsExactly(v.toFloatArray()));
            float[] w = ta.parameters().get(TrainAttentionModel.HEAD_WEIGHT).toFloatArray();
            double bound = 1 / Math.sqrt(32);
            double maxAbs = 0;
            for (float x : w) {
                assertThat(Math.abs(x)).isLessThanOrEqualTo((float) bound);
                maxAbs = Math.max(maxAbs, Math.abs(x));
            }
            // nn.Linear's uniform init spreads over the bound, far beyond N(0, 0.001)
            assertThat(maxAbs).isGreaterThan(bound / 2);
            float[] n = normal.parameters().get(TrainAttentionModel.HEAD_WEIGHT).toFloatArray();
            for (float x : n) {
                assertThat(Math.abs(x)).isLessThan(0.01f);
            }
            assertThat(ta.parameters().get(TrainAttentionModel.HEAD_BIAS).toFloatArray()).containsExactly(4f);
        }
    }

    @Test
    void theParametersResolveAsTheReferenceRuns() {
        Taalm provider = new Taalm();
        TaTrainer.Settings d = Taalm.settings(MethodParams.resolve("taalm", provider.parameters(), Map.of(), Map.of()));
        assertThat(d.clipNorm()).isEqualTo(1.0);
        assertThat(d.headInit()).isEqualTo(TrainAttentionModel.HeadInit.NORMAL);
        assertThat(d.inner().optimizer()).isEqualTo(MetaGradient.Inner.ADAMW);
        assertThat(d.thetaStart()).isNull();
        assertThat(d.phiStart()).isNull();
        TaTrainer.Settings r = Taalm.settings(MethodParams.resolve("taalm", provider.parameters(), Map.of(),
                Map.of("ta_inner", "reference", "ta_clip", "0", "ta_head_init", "reference",
                        "init_adapter", adapter.toString())));
        assertThat(r.clipNorm()).isZero();
        assertThat(r.headInit()).isEqualTo(TrainAttentionModel.HeadInit.REFERENCE);
        assertThat(r.inner().optimizer()).isEqualTo(MetaGradient.Inner.REFERENCE);
        assertThat(r.thetaStart()).isEqualTo(adapter);
        assertThat(r.phiStart()).as("phi on the run's model starts from the same adapter").isEqualTo(adapter);
        TaTrainer.Settings own = Taalm.settings(MethodParams.resolve("taalm", provider.parameters(), Map.of(),
                Map.of("init_adapter", adapter.toString(), "ta_base", model.toString())));
        assertThat(own.thetaStart()).isEqualTo(adapter);
        assertThat(own.phiStart()).as("phi on its own base needs its own adapter").isNull();
    }
}
