package org.cklbench.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.state.TrainSettings;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.core.state.TrainingState;
import org.cklbench.core.train.Trainer;
import org.cklbench.engine.loss.Losses;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code --set loss=reference}: the loss the TAALM authors' code trains Finetune, RecAdam and Mix-review on
 * (labels = input_ids, pad = EOS, Hugging Face's mean over every position) and K-Adapter on (per-row mean over
 * attention_mask[:, :-1]), against hand computations on a padded batch.
 */
class ReferenceLossTest {

    @Test
    void theFormulasCountTargetsAsTheReferenceDoes() {
        try (NDManager m = NDManager.newBaseManager()) {
            // two rows of 4 positions, the second with 2 real tokens: targets 0..2
            NDArray nll = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3));
            NDArray mask = m.create(new long[] {1, 1, 1, 1, 1, 1, 0, 0}, new Shape(2, 4));
            // the suite: real targets only, per token: (1+2+3+4)/4
            assertThat(Trainer.loss(nll, null, mask, false).getFloat()).isCloseTo(2.5f, within(1e-6f));
            // the reference, unweighted: every position, padding included: 21/6
            assertThat(Trainer.loss(nll, null, mask, true).getFloat()).isCloseTo(3.5f, within(1e-6f));
            // the reference, weighted with ones (K-Adapter): per row over attention_mask[:, :-1] = [1,1,1], [1,1,0]:
            // row 1 (1+2+3)/3, row 2 (4+5)/2 (the EOS after the last real token counts), mean 3.25
            NDArray ones = nll.onesLike();
            assertThat(Trainer.loss(nll, ones, mask, true).getFloat()).isCloseTo(3.25f, within(1e-5f));
            // the suite's weighted loss: row 2 counts its one real target: (2 + 4)/2
            assertThat(Trainer.loss(nll, ones, mask, false).getFloat()).isCloseTo(3f, within(1e-5f));
        }
    }

    /** One training step on a padded batch: its loss is the mean NLL over every position of the EOS-padded ids. */
    @Test
    void aStepTrainsOnTheEosPaddedBatchMean() throws Exception {
        try (LlamaModel model = Fixture.model()) {
            List<TrainingDocument> docs = Fixture.documents(2, 5);
            assertThat(docs.get(0).ids().length).as("the batch is padded").isNotEqualTo(docs.get(1).ids().length);
            double reference = firstStepLoss(model, docs, TrainSettings.LOSS_REFERENCE, new Finetune());
            double tokens = firstStepLoss(model, docs, TrainSettings.LOSS_TOKENS, new Finetune());
            int len = Math.max(docs.get(0).ids().length, docs.get(1).ids().length);
            long eos = model.config().eosTokenId();
            long[] ids = new long[2 * len];
            long[] mask = new long[2 * len];
            java.util.Arrays.fill(ids, eos);
            for (int r = 0; r < 2; r++) {
                long[] own = docs.get(r).ids();
                System.arraycopy(own, 0, ids, r * len, own.length);
                java.util.Arrays.fill(mask, r * len, r * len + own.length, 1L);
            }
            try (NDManager m = model.manager().newSubManager()) {
                Shape shape = new Shape(2, len);
                NDArray nll = Losses.tokenNll(model, m.create(ids, shape), m.create(mask, shape), ForwardHooks.NONE);
                // a fresh LoRA (B = 0) is the base, so the first step's loss is the base's
                double hand = nll.mean().getFloat();
                double real = Losses.meanLoss(nll, Losses.targetMask(m.create(mask, shape))).getFloat();
                assertThat(reference).isCloseTo(hand, within(1e-4));
                assertThat(tokens).isCloseTo(real, within(1e-4));
                assertThat(reference).isNotCloseTo(tokens, within(1e-3));
            }
        }
    }

    private static double firstStepLoss(LlamaModel model, List<TrainingDocument> docs, String loss,
                                        org.cklbench.core.method.MethodProvider provider) throws Exception {
        TrainSettings s = new TrainSettings(2, 1, 1e-2, "constant", 0, 0, 0, 64, 4, 8, 0, false, false, loss);
        CklMethod method = Fixture.create(provider, Map.of());
        try (TrainingState state = new TrainingState(model, null, s, 1);
             Trainer t = new Trainer(state, method)) {
            t.plan(1);
            double out = t.trainStage(1, docs, null).meanLoss();
            state.trainable().values().forEach(x -> x.setRequiresGradient(false));
            return out;
        }
    }
}
