package org.cklbench.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.cklbench.core.method.CklMethod;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.core.state.Batch;
import org.cklbench.core.train.Trainer;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.core.state.TrainingState;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Each method's defining behaviour, on the fixture's tiny Llama. */
class MethodBehaviourTest {

    private static Map<String, float[]> snapshot(Map<String, NDArray> tensors) {
        Map<String, float[]> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    /** Trains {@code method} for {@code steps} optimiser steps of batch 4; returns the trainable tensors after. */
    private static Map<String, float[]> train(LlamaModel model, CklMethod method, int steps, long seed) {
        try (TrainingState state = new TrainingState(model, null, Fixture.settings(4), seed);
             Trainer trainer = new Trainer(state, method)) {
            List<TrainingDocument> docs = Fixture.documents(4 * steps, seed);
            trainer.plan(steps);
            trainer.trainStage(1, docs, null);
            Map<String, float[]> out = snapshot(state.trainable());
            state.trainable().values().forEach(p -> p.setRequiresGradient(false));
            return out;
        }
    }

    @Test
    void kadapterTrainsOnlyItsLayersAndLeavesEveryBaseWeightUnchanged() throws Exception {
        try (LlamaModel model = Fixture.model()) {
            Map<String, float[]> before = snapshot(model.weights());
            CklMethod k = Fixture.create(new KAdapter(), Map.of());
            Map<String, float[]> trained = train(model, k, 3, 1);
            assertThat(trained.keySet()).allMatch(n -> n.startsWith("kadapter."));
            assertThat(trained.keySet()).anyMatch(n -> n.contains(".layers.1.self_attn.q_proj.weight"));
            assertThat(trained.entrySet()).anyMatch(e -> e.getKey().endsWith("up.weight")
                    && java.util.Arrays.stream(toDouble(e.getValue())).anyMatch(x -> x != 0));
            Map<String, float[]> after = snapshot(model.weights());
            for (String name : before.keySet()) {
                assertThat(after.get(name)).as(name).containsExactly(before.get(name));
            }
            k.close();
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /**
     * One step from θ* with RecAdam equals θ* + λΔ − lr·(1−λ)·γ·λΔ, Δ being the plain Adam step from the same
     * gradients, at λ = 0.5 (t0 = 1) and λ = sigmoid(2) (t0 = −3).
     */
    @Test
    void recadamIsAdamPlusTheAnnealedPull() throws Exception {
        double lr = Fixture.settings(4).lr();
        double gamma = 3.0;
        try (LlamaModel model = Fixture.model()) {
            Map<String, float[]> start = null;
            Map<String, float[]> adam;
            try (TrainingState state = new TrainingState(model, null, Fixture.settings(4), 5);
                 Trainer t = new Trainer(state, new CklMethod() {
                 })) {
                start = snapshot(state.trainable());
                t.plan(1);
                t.trainStage(1, Fixture.documents(4, 9), null);
                adam = snapshot(state.trainable());
            }
            for (double t0 : new double[] {1, -3}) {
                double lam = RecAdam.lambda(0.5, t0, 1);
                Map<String, String> p = new HashMap<>();
                p.put("anneal_k", "0.5");
                p.put("anneal_t0", Double.toString(t0));
                p.put("pretrain_coef", Double.toString(gamma));
                Map<String, float[]> rec;
                try (TrainingState state = new TrainingState(model, null, Fixture.settings(4), 5);
                     Trainer t = new Trainer(state, Fixture.create(new RecAdam(), p))) {
                    t.plan(1);
                    t.trainStage(1, Fixture.documents(4, 9), null);
                    rec = snapshot(state.trainable());
                }
                for (String name : start.keySet()) {
                    float[] s = start.get(name);
                    float[] a = adam.get(name);
                    float[] r = rec.get(name);
                    for (int i = 0; i < s.length; i++) {
                        double delta = a[i] - s[i];
                        double want = s[i] + lam * delta - lr * (1 - lam) * gamma * lam * delta;
                        assertThat((double) r[i]).as("%s[%d] at lambda %.3f", name, i, lam).isCloseTo(want, within(1e-6));
                    }
                }
            }
        }
    }

    @Test
    void mixReviewAddsReviewRowsAtTheRatio() throws Exception {
        try (LlamaModel model = Fixture.model();
             TrainingState state = new TrainingState(model, null, Fixture.settings(4), 3);
             NDManager scope = model.manager().newSubManager()) {
            List<TrainingDocument> review = Fixture.documents(10, 77);
            state.setCorpus("review", review);
            Set<String> reviewIds = new HashSet<>();
            review.forEach(d -> reviewIds.add(d.id()));
            for (double ratio : new double[] {0.5, 1.0, 2.0}) {
                CklMethod m = Fixture.create(new MixReview(), Map.of("ratio", Double.toString(ratio)));
                m.beforeStage(state, 1);
                List<Batch> mixed = m.mixBatches(state, Batch.of(Fixture.documents(4, 1), scope));
                assertThat(mixed).hasSize(1);
                List<TrainingDocument> rows = mixed.get(0).documents();
                long fromReview = rows.stream().filter(d -> reviewIds.contains(d.id())).count();
                assertThat(rows).hasSize(4 + (int) Math.round(4 * ratio));
                assertThat(fromReview).isEqualTo(Math.round(4 * ratio));
                assertThat(rows.subList(0, 4)).allMatch(d -> !reviewIds.contains(d.id()));
            }
        }
    }

    @Test
    void rho1KeepsExactlyTheShareWithTheLargestScores() {
        float[] score = {0.5f, -1f, 3f, 2f, 9f, 0.1f, 7f, 4f};
        float[] mask = {1, 1, 1, 1, 0, 1, 1, 1};
        float[] w = Rho1.select(score, mask, 0.4);
        // 7 real targets, keep round(2.8) = 3: the scores 7, 4 and 3 (the 9 is padding)
        assertThat(w).containsExactly(0, 0, 1, 0, 0, 0, 1, 1);
    }

    @Test
    void rho1WeightsComeFromTheRiseAgainstTheFrozenBase() throws Exception {
        try (LlamaModel model = Fixture.model()) {
            CklMethod m = Fixture.create(new Rho1(), Map.of("keep", "0.25"));
            try (TrainingState state = new TrainingState(model, null, Fixture.settings(4), 3);
                 Trainer t = new Trainer(state, m);
                 NDManager scope = model.manager().newSubManager()) {
                Batch b = Batch.of(Fixture.documents(4, 5), scope);
                NDArray nll = org.cklbench.engine.loss.Losses.tokenNll(model, b.ids(), b.mask(), state.hooks());
                float[] w = m.tokenWeights(state, b, nll).toFloatArray();
                float[] mask = org.cklbench.engine.loss.Losses.targetMask(b.mask()).toFloatArray();
                int real = 0;
                int kept = 0;
                for (int i = 0; i < w.length; i++) {
                    real += mask[i] > 0 ? 1 : 0;
                    kept += w[i] > 0 ? 1 : 0;
                    if (mask[i] == 0) {
                        assertThat(w[i]).isZero();
                    }
                }
                assertThat(kept).isEqualTo(Math.round(0.25 * real));
            }
        }
    }
}
