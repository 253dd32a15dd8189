package org.cklbench.methods;

import org.cklbench.methods.taalm.Taalm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.cklbench.testing.Shared;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.cklbench.core.method.CklMethod;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.optim.AdamW;
import org.cklbench.methods.taalm.MetaGradient;
import org.cklbench.methods.taalm.TrainAttentionModel;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.engine.tokenizer.WordLevelTokenizers;
import org.cklbench.core.state.Batch;
import org.cklbench.core.method.CompositeMethod;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.core.state.TrainingState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TokenWeightMethodsTest {
    @TempDir
    Path tmp;

    @Test
    void oracleWeightsCoverExactlyTheLastOccurrenceOfTheObject() throws Exception {
        String text = "Paris lies on a river . Many say Paris is old . Rita moved to Paris in May .";
        WordLevelTokenizers.write(tmp, List.of(text, "Le Havre"));
        try (TextTokenizer tok = TextTokenizer.load(tmp)) {
            long[] ids = tok.encode(text);
            TrainingDocument d = new TrainingDocument("d1", text, ids, Map.of("object", "Paris"));
            float[] w = Oracle.weights(d, tok, ids.length + 2);
            int lastParis = 16; // BOS is token 0; the third "Paris" is word 16 of the text
            assertThat(ids[lastParis]).isEqualTo(tok.encodePlain("Paris")[0]);
            for (int t = 0; t < w.length; t++) {
                assertThat(w[t]).as("target %d", t).isEqualTo(t == lastParis - 1 ? 1f : 0f);
            }
            TrainingDocument none = new TrainingDocument("d2", text, ids, Map.of("object", "Havre"));
            assertThat(Oracle.weights(none, tok, ids.length - 1)).containsOnly(0f);
        }
    }

    @Test
    void leadWeightsCoverExactlyTheFirstSentence() throws Exception {
        String text = "Rita moved to Paris in May . Paris lies on a river ! Many say Paris is old .";
        WordLevelTokenizers.write(tmp, List.of(text));
        try (TextTokenizer tok = TextTokenizer.load(tmp)) {
            long[] ids = tok.encode(text);
            assertThat(Lead.firstSentence(text)).isEqualTo("Rita moved to Paris in May .");
            float[] w = Lead.weights(new TrainingDocument("d1", text, ids, Map.of()), tok, ids.length + 2);
            // BOS is token 0; the first sentence is tokens 1..7, predicted by targets 0..6
            for (int t = 0; t < w.length; t++) {
                assertThat(w[t]).as("target %d", t).isEqualTo(t <= 6 ? 1f : 0f);
            }
            assertThat(Lead.firstSentence("no end mark here")).isEqualTo("no end mark here");
            assertThat(Lead.firstSentence("St.Louis is big. It is old.")).isEqualTo("St.Louis is big.");
            // a window cut inside the first sentence weights what is left of it
            long[] cut = java.util.Arrays.copyOf(ids, 4);
            assertThat(Lead.weights(new TrainingDocument("d2", text, cut, Map.of()), tok, 3)).containsOnly(1f);
        }
    }

    /**
     * Lead's weights reach the trained loss: one step on documents that differ only after their first
     * sentence leaves the same adapter (causal attention, zero weight there), which Finetune's step does not.
     */
    @Test
    void leadTrainsOnTheFirstSentenceAlone() throws Exception {
        String a = "Rita moved to Paris in May . Paris lies on a river .";
        String b = "Rita moved to Paris in May . Tom sold old boats in Rome .";
        WordLevelTokenizers.write(tmp, List.of(a, b));
        try (TextTokenizer tok = TextTokenizer.load(tmp); LlamaModel model = Fixture.model()) {
            assertThat(stepOn(model, tok, new Lead(), a)).containsExactly(stepOn(model, tok, new Lead(), b));
            assertThat(stepOn(model, tok, new Finetune(), a)).isNotEqualTo(stepOn(model, tok, new Finetune(), b));
        }
    }

    /** The trainable tensors, flattened, after one optimiser step of {@code provider} on {@code text}. */
    private static float[] stepOn(LlamaModel model, TextTokenizer tok, org.cklbench.core.method.MethodProvider provider,
            String text) {
        return train(model, tok, Fixture.create(provider, Map.of()),
                List.of(new TrainingDocument("d", text, tok.encode(text), Map.of())), 1, 1).weights();
    }

    /** What {@link #train} leaves: the trainable tensors, flattened, and each stage's mean loss. */
    private record Trained(float[] weights, double[] losses) {
    }

    /** {@code stages} stages of {@code method} on {@code docs} (the same instances each stage), batches of {@code batch}. */
    private static Trained train(LlamaModel model, TextTokenizer tok, CklMethod method, List<TrainingDocument> docs,
            int batch, int stages) {
        try (TrainingState state = new TrainingState(model, tok, Fixture.settings(batch), 1);
             org.cklbench.core.train.Trainer trainer = new org.cklbench.core.train.Trainer(state, method)) {
            trainer.plan(stages * trainer.stepsPerStage(docs.size()));
            double[] losses = new double[stages];
            for (int stage = 1; stage <= stages; stage++) {
                losses[stage - 1] = trainer.trainStage(stage, docs, null).meanLoss();
            }
            List<Float> out = new java.util.ArrayList<>();
            state.trainable().values().forEach(p -> {
                for (float f : p.toFloatArray()) {
                    out.add(f);
                }
                p.setRequiresGradient(false);
            });
            float[] f = new float[out.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = out.get(i);
            }
            return new Trained(f, losses);
        } finally {
            method.close();
        }
    }

    /**
     * TAALM's weights reach the trained loss and its gradient: over two stages (the second reads the weights
     * TAALM keeps from the first), TAALM trains what a method returning φ's output afresh for every batch
     * trains, step for step, and not what uniform weights (Finetune) train. φ here has a head whose
     * weights spread over (0, 1), so no normalisation of the loss could make them look uniform.
     */
    @Test
    void taalmsWeightsReachTheLossAndTheGradient() throws Exception {
        Path phiDir = tmp.resolve("phi");
        List<TrainingDocument> docs = Fixture.documents(6, 41);
        try (LlamaModel model = Fixture.model()) {
            try (TrainAttentionModel fresh = TrainAttentionModel.init(model,
                    org.cklbench.engine.lora.LoraConfig.of(4, 8, 0, org.cklbench.engine.lora.LoraConfig.PROJECTIONS), 3);
                 NDManager m = NDManager.newBaseManager(Device.cpu())) {
                fresh.save(phiDir, "random");
                int hidden = model.config().hiddenSize();
                java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
                float[] w = new float[hidden];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) (org.cklbench.engine.model.HfModels.gaussian(rng) * 0.5);
                }
                Map<String, NDArray> head = new java.util.LinkedHashMap<>();
                head.put(TrainAttentionModel.HEAD_WEIGHT, m.create(w, new ai.djl.ndarray.types.Shape(1, hidden)));
                head.put(TrainAttentionModel.HEAD_BIAS, m.create(new float[] {0f}, new ai.djl.ndarray.types.Shape(1)));
                org.cklbench.engine.safetensors.SafetensorsWriter.write(phiDir.resolve(TrainAttentionModel.HEAD_FILE), head, null);
            }
            try (TrainAttentionModel phi = TrainAttentionModel.load(phiDir, model)) {
                CklMethod direct = new CklMethod() {
                    @Override
                    public NDArray tokenWeights(TrainingState state, Batch batch, NDArray nll) {
                        return phi.weights(batch.ids(), batch.mask()).stopGradient();
                    }
                };
                try (NDManager scope = model.manager().newSubManager()) {
                    float[] spread = phi.weights(Batch.of(docs, scope).ids(), Batch.of(docs, scope).mask()).toFloatArray();
                    float lo = 1;
                    float hi = 0;
                    for (float x : spread) {
                        lo = Math.min(lo, x);
                        hi = Math.max(hi, x);
                    }
                    assertThat(hi - lo).as("φ's weights spread").isGreaterThan(0.5f);
                }
                Trained taalm = train(model, null, Fixture.create(new Taalm(), Map.of("ta", phiDir.toString())), docs, 2, 2);
                Trained want = train(model, null, direct, docs, 2, 2);
                Trained uniform = train(model, null, Fixture.create(new Finetune(), Map.of()), docs, 2, 2);
                assertThat(taalm.losses()).containsExactly(want.losses(), org.assertj.core.data.Offset.offset(1e-6));
                assertThat(taalm.weights()).containsExactly(want.weights(), org.assertj.core.data.Offset.offset(1e-6f));
                assertThat(Math.abs(taalm.losses()[0] - uniform.losses()[0])).as("first-stage loss, TAALM vs uniform")
                        .isGreaterThan(1e-3);
                double moved = 0;
                for (int i = 0; i < taalm.weights().length; i++) {
                    moved = Math.max(moved, Math.abs(taalm.weights()[i] - uniform.weights()[i]));
                }
                assertThat(moved).as("largest difference of a trained tensor, TAALM vs uniform").isGreaterThan(1e-4);
            }
        }
    }

    /** TAALM's weights are the fixture Train-Attention model's output for the batch. */
    @Test
    void taalmWeightsAreTheTrainAttentionOutput() throws Exception {
        SafetensorsFile expected = SafetensorsFile.open(Shared.tinyLlama("expected.safetensors"));
        try (LlamaModel model = Fixture.referenceModel();
             TrainingState state = new TrainingState(model, null, Fixture.settings(1), 1);
             NDManager scope = model.manager().newSubManager()) {
            CklMethod taalm = Fixture.create(new Taalm(), Map.of("ta", Shared.tinyLlama("train-attention").toString()));
            taalm.setup(state);
            long[] ids = expected.read("meta.data_ids", scope).toLongArray();
            Batch b = Batch.of(List.of(new TrainingDocument("d", "", ids, Map.of())), scope);
            NDArray w = taalm.tokenWeights(state, b, null);
            float[] want = expected.read("meta.token_weights", scope).toFloatArray();
            float[] got = w.toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertThat((double) got[i]).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5));
            }
            taalm.close();
        }
    }

    /** One outer AdamW step on the fixture's meta-gradient moves every TA-head weight against its sign. */
    @Test
    void oneMetaTrainingStepMovesTheHeadAlongTheMetaGradient() throws Exception {
        try (org.cklbench.methods.taalm.MetaFixture f = org.cklbench.methods.taalm.MetaFixture.open();
             AdamW opt = new AdamW(f.base().manager(), 0.9, 0.999, 1e-8, 0.0)) {
            NDArray doc = f.expected().read("meta.data_ids", f.m());
            NDArray task = f.expected().read("meta.task_ids", f.m());
            Map<String, NDArray> phi = f.ta().parameters();
            float[] before = phi.get(TrainAttentionModel.HEAD_WEIGHT).toFloatArray();
            phi.values().forEach(p -> p.setRequiresGradient(true));
            MetaGradient.accumulate(f.ta(), f.theta(), new MetaGradient.Example(doc, doc.onesLike(), task,
                    task.onesLike(), f.expected().read("meta.object_target_mask", f.m())), MetaGradient.Settings.sgd(0.5), 1.0);
            try (NDManager scope = f.base().manager().newSubManager()) {
                opt.step(phi, 1e-3, 0, scope);
            }
            float[] after = phi.get(TrainAttentionModel.HEAD_WEIGHT).toFloatArray();
            float[] grad = f.expected().read("meta.ta_head.weight", f.m()).toFloatArray();
            for (int i = 0; i < grad.length; i++) {
                assertThat(Math.signum(after[i] - before[i])).as("element %d", i).isEqualTo(-Math.signum(grad[i]));
            }
        }
    }

    @Test
    void composedMethodsMultiplyTheirTokenWeights() throws Exception {
        try (LlamaModel model = Fixture.model();
             TrainingState state = new TrainingState(model, null, Fixture.settings(2), 1);
             NDManager scope = model.manager().newSubManager()) {
            Batch b = Batch.of(Fixture.documents(2, 3), scope);
            NDArray half = b.ids().get(":, 1:").toType(DataType.FLOAT32, false).zerosLike().add(0.5);
            NDArray third = half.zerosLike().add(1.0 / 3);
            CklMethod a = new CklMethod() {
                @Override
                public NDArray tokenWeights(TrainingState s, Batch x, NDArray nll) {
                    return half;
                }
            };
            CklMethod c = new CklMethod() {
                @Override
                public NDArray tokenWeights(TrainingState s, Batch x, NDArray nll) {
                    return third;
                }
            };
            NDArray w = new CompositeMethod(List.of(a, new CklMethod() { }, c)).tokenWeights(state, b, null);
            for (float f : w.toFloatArray()) {
                assertThat((double) f).isCloseTo(1.0 / 6, org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }
}
