package org.cklbench.methods;

import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.ParamSpec;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.core.state.Batch;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.core.state.TrainingState;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Mix-review (He et al., 2021): every optimiser step mixes training rows with rows of review data (what
 * the model should keep: Not-To-Forget evidence on LAMA-ckl, the earlier snapshot's text on
 * TemporalWiki), {@code ratio} review rows per training row, the ratio decaying by {@code decay} each
 * stage. As in the TAALM authors' runs, a step holds the batch size in all: batch/(1+ratio) training
 * rows and the rest review rows (their LAMA-ckl run: 32 + 32 of 64), so an epoch takes more steps.
 * Review rows are drawn without replacement within a stage, in a seeded order. The review set is the
 * benchmark's {@code corpus}; LAMA-ckl also offers {@code review_reference}, every row of every split
 * beside the Not-To-Forget file, which is what the authors' loader read (To-Learn facts included).
 */
public final class MixReview implements MethodProvider {
    @Override
    public String id() {
        return "mixreview";
    }

    @Override
    public String description() {
        return "Mix-review: each batch mixed with review rows (the benchmark's review corpus) at a fixed ratio by"
                + " default, as the TAALM authors ran it; decay < 1 shrinks it each stage, as He et al. do";
    }

    @Override
    public String resultNote() {
        return "NF Acc is measured on rehearsed facts: the review corpus holds the Not-To-Forget facts' evidence (as in"
                + " the TAALM authors' runs, whose review.sh passes the same file as review and Not-To-Forget data)";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.real("ratio", 1.0, 0, 64, "review rows per training row"),
                ParamSpec.real("decay", 1.0, 0, 1e3, "factor applied to the ratio after each stage; 1: none, as the"
                        + " TAALM authors' runs (a fixed --review_ratio); He et al. decay it").openBelow(),
                ParamSpec.string("corpus", "review", "[a-z][a-z0-9_]*", "the benchmark's corpus to review from"
                        + " (LAMA-ckl: review = Not-To-Forget evidence; review_reference = what the authors' loader read)"));
    }

    @Override
    public CklMethod create(MethodParams params) {
        return new Method(params.getDouble("ratio"), params.getDouble("decay"), params.getString("corpus"));
    }

    /** Review rows for a batch of {@code n} training rows at {@code ratio}: round(n·ratio). */
    static int reviewRows(int n, double ratio) {
        return (int) Math.round(n * ratio);
    }

    static final class Method implements CklMethod {
        private final double ratio;
        private final double decay;
        private final String corpus;
        private List<TrainingDocument> order = List.of();
        private double current;
        private long drawnStep = -1;
        private int drawnInStep;

        Method(double ratio, double decay, String corpus) {
            this.ratio = ratio;
            this.decay = decay;
            this.corpus = corpus;
        }

        @Override
        public int trainingRowsPerStep(TrainingState state, int batchSize) {
            return Math.max(1, (int) Math.round(batchSize / (1 + ratio)));
        }

        @Override
        public Map<String, Object> describe(TrainingState state) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("mixreview_corpus", corpus);
            d.put("mixreview_corpus_rows", state.corpus(corpus).size());
            return d;
        }

        @Override
        public void beforeStage(TrainingState state, int stage) {
            List<TrainingDocument> review = state.corpus(corpus);
            if (review.isEmpty() && ratio > 0) {
                throw new IllegalStateException("mixreview: the benchmark provides no '" + corpus + "' corpus to review");
            }
            List<TrainingDocument> shuffled = new ArrayList<>(review);
            SplittableRandom rng = state.random("mixreview", stage);
            for (int i = shuffled.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                TrainingDocument t = shuffled.get(i);
                shuffled.set(i, shuffled.get(j));
                shuffled.set(j, t);
            }
            order = shuffled;
            current = ratio * StrictMath.pow(decay, stage - 1);
        }

        /**
         * The batch's rows with the review rows appended, as one batch. Which rows follows from the
         * optimiser step (restored with a checkpoint), so a resumed run reviews what an uninterrupted one
         * would.
         */
        @Override
        public List<Batch> mixBatches(TrainingState state, Batch batch) {
            int n = reviewRows(batch.size(), current);
            if (n == 0 || order.isEmpty()) {
                return List.of(batch);
            }
            if (drawnStep != state.step()) {
                drawnStep = state.step();
                drawnInStep = 0;
            }
            long base = (state.step() * (long) state.settings().batchSize()) * Math.max(1, (long) Math.ceil(current))
                    + drawnInStep;
            List<TrainingDocument> rows = new ArrayList<>(batch.documents());
            for (int i = 0; i < n; i++) {
                rows.add(order.get((int) ((base + i) % order.size())));
            }
            drawnInStep += n;
            return List.of(Batch.of(rows, batch.scope()));
        }
    }
}
