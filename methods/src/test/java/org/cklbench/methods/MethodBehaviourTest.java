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
            assertThat(trained.keySet()).contains("kadapter.2.attn.c_attn.weight", "kadapter.layer_norm.bias");
            assertThat(trained.entrySet()).anyMatch(e -> e.getKey().endsWith("c_proj.bias")
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

    /** Trains {@code method} through {@code stages} planned stages of one step each; returns the trainer's state at the end. */
    private static Map<String, float[]> oneStepAtATime(LlamaModel model, CklMethod method, long seed) {
        try (TrainingState state = new TrainingState(model, null, Fixture.settings(4), seed);
             Trainer t = new Trainer(state, method)) {
            t.plan(1);
            t.trainStage(1, Fixture.documents(4, 9), null);
            Map<String, float[]> out = snapshot(state.trainable());
            state.trainable().values().forEach(p -> p.setRequiresGradient(false));
            return out;
        }
    }

    /**
     * One step from θ* with RecAdam equals θ* + λΔ − lr·(1−λ)·γ·λΔ, Δ being the plain Adam step from the same
     * gradients; in a run of one step, λ = sigmoid(k (1 − t0)): 0.5 at t0 = 1, sigmoid(2) at t0 = 0 (k = 2).
     */
    @Test
    void recadamIsAdamPlusTheAnnealedPull() throws Exception {
        double lr = Fixture.settings(4).lr();
        double gamma = 3.0;
        try (LlamaModel model = Fixture.model()) {
            Map<String, float[]> start;
            try (TrainingState state = new TrainingState(model, null, Fixture.settings(4), 5);
                 Trainer t = new Trainer(state, new CklMethod() {
                 })) {
                start = snapshot(state.trainable());
                state.trainable().values().forEach(p -> p.setRequiresGradient(false));
            }
            Map<String, float[]> adam = oneStepAtATime(model, new CklMethod() {
            }, 5);
            for (double t0 : new double[] {1, 0}) {
                double lam = RecAdam.lambda(2, t0, 1);
                Map<String, float[]> rec = oneStepAtATime(model, Fixture.create(new RecAdam(), Map.of("anneal_k", "2",
                        "anneal_t0", Double.toString(t0), "pretrain_coef", Double.toString(gamma))), 5);
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

    /** The defaults anneal inside any run: λ starts near 0, is 0.5 a quarter in, and ends near 1. */
    @Test
    void recadamsDefaultAnnealCompletesWithinTheRun() {
        RecAdam.Method m = (RecAdam.Method) Fixture.create(new RecAdam(), Map.of());
        for (long steps : new long[] {10, 78, 240, 3000}) {
            assertThat(m.lambda(0, steps)).as("start of %d", steps).isLessThan(0.01);
            assertThat(m.lambda(1, steps)).as("first of %d", steps).isLessThan(0.05);
            assertThat(m.lambda(steps / 4, steps)).isCloseTo(0.5, within(0.5 * 20.0 / steps + 1e-9));
            assertThat(m.lambda(steps, steps)).as("last of %d", steps).isGreaterThan(0.99);
        }
        RecAdam.Method ref = (RecAdam.Method) Fixture.create(new RecAdam(), Map.of("mode", "reference"));
        assertThat(ref.lambda(240, 240)).as("the reference's anneal, in absolute steps, has barely begun by its run's"
                + " last step").isLessThan(0.01);
    }

    /** The authors' grouping puts LoRA tensors (no "bias" or "norm" in their names) in the plain-Adam group. */
    @Test
    void recadamsReferenceModeTrainsLoraTensorsAsPlainAdam() throws Exception {
        try (LlamaModel model = Fixture.model()) {
            Map<String, float[]> adam = oneStepAtATime(model, new CklMethod() {
            }, 5);
            Map<String, float[]> ref = oneStepAtATime(model, Fixture.create(new RecAdam(), Map.of("mode", "reference",
                    "pretrain_coef", "3")), 5);
            assertThat(ref.keySet()).isNotEmpty().noneMatch(RecAdam::referenceAnnealed);
            ref.forEach((name, v) -> assertThat(v).as(name).containsExactly(adam.get(name)));
            Map<String, float[]> paper = oneStepAtATime(model, Fixture.create(new RecAdam(), Map.of("pretrain_coef", "3")), 5);
            assertThat(paper.entrySet()).as("paper mode anneals them").anyMatch(e -> !java.util.Arrays.equals(e.getValue(),
                    adam.get(e.getKey())));
        }
    }

    @Test
    void recadamRefusesAPullThatOvershoots() throws Exception {
        try (LlamaModel model = Fixture.model();
             TrainingState state = new TrainingState(model, null, Fixture.settings(4), 5)) {
            double lr = Fixture.settings(4).lr();
            CklMethod m = Fixture.create(new RecAdam(), Map.of("pretrain_coef", Double.toString(2.5 / lr)));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Trainer(state, m))
                    .hasMessageContaining("overshoot").hasMessageContaining("pretrain_coef below");
        }
    }

    /**
     * Where the optimiser starts afresh (a TemporalWiki period), θ* becomes the weights there; a run resumed
     * inside that period gets θ* back from its checkpoint and ends as the uninterrupted run does.
     */
    @Test
    void recadamReanchorsWhereTheOptimiserStartsAgainAndResumesExactly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        Map<String, String> p = Map.of("pretrain_coef", "3");
        List<TrainingDocument> first = Fixture.documents(4, 11);
        List<TrainingDocument> second = Fixture.documents(8, 12);
        try (LlamaModel model = Fixture.model()) {
            Map<String, float[]> end;
            Map<String, float[]> afterFirst;
            CklMethod m = Fixture.create(new RecAdam(), p);
            try (TrainingState state = new TrainingState(model, null, Fixture.settings(4), 5);
                 Trainer t = new Trainer(state, m)) {
                t.plan(new long[] {1, 2}, new boolean[] {true, true});
                t.trainStage(1, first, null);
                afterFirst = snapshot(state.trainable());
                t.trainStage(2, second, step -> {
                    if (step.step() == 1) {
                        Map<String, NDArray> st = m.state();
                        assertThat(st.get("anchored_at").toLongArray()).containsExactly(1);
                        afterFirst.forEach((name, v) -> assertThat(st.get("anchor." + name).toFloatArray()).as(name)
                                .containsExactly(v));
                        try {
                            t.saveCheckpoint(tmp.resolve("ckpt"), 2, null);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                });
                end = snapshot(state.trainable());
                state.trainable().values().forEach(x -> x.setRequiresGradient(false));
            }
            m.close();
            CklMethod again = Fixture.create(new RecAdam(), p);
            try (TrainingState state = new TrainingState(model, null, Fixture.settings(4), 5);
                 Trainer t = new Trainer(state, again)) {
                t.plan(new long[] {1, 2}, new boolean[] {true, true});
                t.restoreCheckpoint(tmp.resolve("ckpt"));
                t.trainStage(2, second, 1, 0, null);
                Map<String, float[]> resumed = snapshot(state.trainable());
                end.forEach((name, v) -> assertThat(resumed.get(name)).as(name).containsExactly(v));
                state.trainable().values().forEach(x -> x.setRequiresGradient(false));
            }
            again.close();
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
    void rho1KeepsEachSequencesShareWithTheLargestScores() {
        float[] score = {0.5f, -1f, 3f, 2f, 9f, 0.1f, 7f, 4f};
        float[] mask = {1, 1, 1, 1, 0, 1, 1, 1};
        // 7 real targets, keep round(2.8) = 3: the scores 7, 4 and 3 (the 9 is padding)
        assertThat(Rho1.selectTop(score, mask, 0.4, 1)).containsExactly(0, 0, 1, 0, 0, 0, 1, 1);
    }

    /** The authors' rule compares the sorting permutation with a threshold as if it were a rank. */
    @Test
    void rho1sReferenceSelectionIsTheAuthorsArgsortRule() {
        float[] score = {5, 1, 4, 2, 3};
        float[] mask = {1, 1, 1, 1, 1};
        // argsort ascending = [1, 3, 4, 2, 0]; /5 = [.2, .6, .8, .4, 0]; > 0.6 keeps position 2 alone
        assertThat(Rho1.selectReference(score, mask, 0.4)).containsExactly(0, 0, 1, 0, 0);
        assertThat(Rho1.selectTop(score, mask, 0.4, 1)).as("the intended top 40%").containsExactly(1, 0, 1, 0, 0);
    }

    /**
     * selection=reference takes the initial probabilities as the authors' LAMA-ckl path does: each document
     * alone, padded with EOS to max_tokens, its last L−1 positions for a batch of padded length L.
     */
    @Test
    void rho1sReferenceSelectionMisalignsTheInitialProbabilitiesAsTheAuthorsDo() throws Exception {
        try (LlamaModel model = Fixture.model();
             TrainingState state = new TrainingState(model, null, Fixture.settings(2), 3);
             NDManager scope = model.manager().newSubManager()) {
            List<TrainingDocument> docs = Fixture.documents(2, 9);
            Batch b = Batch.of(docs, scope);
            int width = (int) b.ids().getShape().get(1) - 1;
            float[] got = Rho1.misalignedInitial(state, b).toFloatArray();
            float[] aligned = org.cklbench.engine.loss.Losses.tokenNll(model, b.ids(), b.mask(),
                    org.cklbench.engine.model.ForwardHooks.NONE).toFloatArray();
            int maxTokens = state.settings().maxTokens();
            long eos = model.config().eosTokenId();
            for (int r = 0; r < 2; r++) {
                long[] ids = new long[maxTokens];
                long[] mask = new long[maxTokens];
                java.util.Arrays.fill(ids, eos);
                long[] own = docs.get(r).ids();
                System.arraycopy(own, 0, ids, 0, own.length);
                java.util.Arrays.fill(mask, 0, own.length, 1L);
                ai.djl.ndarray.types.Shape shape = new ai.djl.ndarray.types.Shape(1, maxTokens);
                float[] alone = org.cklbench.engine.loss.Losses.tokenNll(model, scope.create(ids, shape),
                        scope.create(mask, shape), org.cklbench.engine.model.ForwardHooks.NONE).toFloatArray();
                for (int i = 0; i < width; i++) {
                    assertThat(got[r * width + i]).as("row %d, position %d", r, i)
                            .isCloseTo(alone[maxTokens - 1 - width + i], within(1e-4f));
                }
                assertThat(got[r * width]).as("not the aligned initial probability").isNotCloseTo(aligned[r * width],
                        within(1e-3f));
            }
        }
    }

    /**
     * On the first step every score is 0 (the adapters still equal the base): the kept share is drawn, not the
     * first 40% by position; the same seed draws the same, other seeds or rows draw otherwise.
     */
    @Test
    void rho1BreaksTiesByASeededDrawNotByPosition() {
        int n = 50;
        float[] score = new float[n];
        float[] mask = new float[n];
        java.util.Arrays.fill(mask, 1f);
        mask[n - 1] = 0; // padding is never drawn
        int k = (int) Math.round(0.4 * (n - 1));
        Set<List<Integer>> selections = new HashSet<>();
        int firstFortyPercent = 0;
        for (int row = 0; row < 20; row++) {
            float[] w = Rho1.selectTop(score, mask, 0.4, Rho1.tieSeed(1, 0, row));
            List<Integer> kept = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (w[i] > 0) {
                    kept.add(i);
                }
            }
            assertThat(kept).hasSize(k).doesNotContain(n - 1);
            assertThat(Rho1.selectTop(score, mask, 0.4, Rho1.tieSeed(1, 0, row))).as("reproducible").containsExactly(w);
            selections.add(kept);
            firstFortyPercent += kept.stream().filter(i -> i < k).count();
        }
        List<Integer> prefix = java.util.stream.IntStream.range(0, k).boxed().toList();
        assertThat(selections).doesNotContain(prefix).hasSizeGreaterThan(15);
        // ties=position, the rule before: the first 40%
        float[] old = Rho1.selectTop(score, mask, 0.4);
        for (int i = 0; i < n; i++) {
            assertThat(old[i]).isEqualTo(i < k ? 1f : 0f);
        }
        // a uniform draw keeps about 40% of the first 40% of positions, the position rule all of them
        assertThat(firstFortyPercent / (20.0 * k)).isBetween(0.25, 0.55);
        assertThat(Rho1.tieSeed(1, 0, 0)).isNotEqualTo(Rho1.tieSeed(2, 0, 0)).isNotEqualTo(Rho1.tieSeed(1, 1, 0));
    }

    /**
     * After a few steps of training, the tokens RHO-1 keeps in each sequence are those whose probability
     * rose most against the frozen base, computed here independently from both models' NLLs.
     */
    @Test
    void rho1KeepsTheTokensWhoseProbabilityRoseMostAfterTraining() throws Exception {
        try (LlamaModel model = Fixture.model()) {
            CklMethod m = Fixture.create(new Rho1(), Map.of("keep", "0.25"));
            try (TrainingState state = new TrainingState(model, null, Fixture.settings(4), 3);
                 Trainer t = new Trainer(state, m);
                 NDManager scope = model.manager().newSubManager()) {
                t.plan(4);
                t.trainStage(1, Fixture.documents(16, 21), null);
                Batch b = Batch.of(Fixture.documents(4, 5), scope);
                NDArray nll = org.cklbench.engine.loss.Losses.tokenNll(model, b.ids(), b.mask(), state.hooks());
                float[] w = m.tokenWeights(state, b, nll).toFloatArray();
                float[] now = nll.toFloatArray();
                float[] base = org.cklbench.engine.loss.Losses.tokenNll(model, b.ids(), b.mask(),
                        org.cklbench.engine.model.ForwardHooks.NONE).toFloatArray();
                float[] mask = org.cklbench.engine.loss.Losses.targetMask(b.mask()).toFloatArray();
                int width = (int) nll.getShape().get(1);
                int distinct = 0;
                for (int r = 0; r < 4; r++) {
                    List<Integer> real = new java.util.ArrayList<>();
                    for (int i = 0; i < width; i++) {
                        if (mask[r * width + i] > 0) {
                            real.add(r * width + i);
                        }
                    }
                    real.sort((x, y) -> Double.compare(Math.exp(-now[y]) - Math.exp(-base[y]), Math.exp(-now[x]) - Math.exp(-base[x])));
                    int keep = (int) Math.round(0.25 * real.size());
                    Set<Integer> want = new HashSet<>(real.subList(0, keep));
                    Set<Integer> kept = new HashSet<>();
                    for (int i = 0; i < width; i++) {
                        if (w[r * width + i] > 0) {
                            kept.add(r * width + i);
                        }
                    }
                    assertThat(kept).as("row %d", r).isEqualTo(want);
                    double top = Math.exp(-now[real.get(0)]) - Math.exp(-base[real.get(0)]);
                    double last = Math.exp(-now[real.get(real.size() - 1)]) - Math.exp(-base[real.get(real.size() - 1)]);
                    distinct += top > last + 1e-6 ? 1 : 0;
                }
                assertThat(distinct).as("training moved the probabilities, so the scores tell tokens apart").isEqualTo(4);
                state.trainable().values().forEach(x -> x.setRequiresGradient(false));
            }
        }
    }
}
