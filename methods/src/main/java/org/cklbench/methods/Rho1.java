package org.cklbench.methods;

import ai.djl.ndarray.NDArray;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.core.method.ParamSpec;
import org.cklbench.core.state.Batch;
import org.cklbench.core.state.TrainingState;
import org.cklbench.engine.loss.Losses;
import org.cklbench.engine.model.ForwardHooks;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The TAALM authors' adaptation of RHO-1, not Lin et al.'s method. RHO-1 (Lin et al., 2024) keeps the
 * tokens with the highest excess loss against a reference model trained on target-quality data; the
 * TAALM authors score a token by how much its probability rose against the initial model (the frozen
 * base, which the untrained adapters equal): p_now − p_initial. Per sequence, only the top {@code keep}
 * share of its real target tokens by score is trained (weight 1), the rest get weight 0.
 *
 * <p>Ties are broken by a seeded draw (the run's seed, the step and the row), never by position: on the
 * first step every score is 0, and breaking ties by position would train the first 40% of every
 * document, a bias towards openings the method does not mean. A draw, rather than keeping every tied
 * token, keeps the trained share at {@code keep} on every step (keeping all ties would make the first
 * step plain fine-tuning on every token).
 *
 * <p>{@code selection=reference} reproduces the authors' code instead: per sequence it keeps position i
 * when {@code argsort(score)[i] / L > 1 − keep}, L the padded length. That compares the sorting
 * permutation (which position holds the i-th smallest score) with a threshold as if it were a rank, so
 * it keeps a share of tokens unrelated to how much their probability rose. It also reproduces how the
 * authors' LAMA-ckl path aligns the initial probabilities ({@code evaluation_run.py} 235, 366): they are
 * precomputed per document padded with EOS to max_length, and at training time the last L−1 of them are
 * taken for a batch padded to its longest row L, so for every document shorter than max_length a token is
 * compared with the initial probability of a later position (mostly of the padding).
 */
public final class Rho1 implements MethodProvider {
    @Override
    public String id() {
        return "rho1";
    }

    @Override
    public String description() {
        return "RHO-1 as the TAALM authors adapted it (not Lin et al.'s reference-model excess loss): trains only each"
                + " sequence's tokens whose probability rose most against the initial model, ties broken by a seeded draw";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.real("keep", 0.4, 0, 1, "share of each sequence's target tokens trained").openBelow(),
                ParamSpec.choice("selection", "top", List.of("top", "reference"), "top: the share with the largest rise;"
                        + " reference: the authors' code, argsort(score)/L > 1 - keep against initial probabilities misaligned as"
                        + " their LAMA-ckl path takes them (precomputed padded to max_tokens, the last L-1 taken)"),
                ParamSpec.choice("ties", "draw", List.of("draw", "position"), "top: how equal scores are ordered (every"
                        + " score is 0 on the first step); draw: a draw seeded by the run's seed, the step and the row;"
                        + " position: the earlier token first (the order of run folders made before this parameter existed)"));
    }

    @Override
    public CklMethod create(MethodParams params) {
        double keep = params.getDouble("keep");
        boolean reference = params.getString("selection").equals("reference");
        boolean byPosition = params.getString("ties").equals("position");
        return new CklMethod() {
            @Override
            public void setup(TrainingState state) {
                if (state.settings().full()) {
                    throw new IllegalArgumentException("rho1 scores tokens against the frozen initial model; with --full"
                            + " the base itself is trained, so there is no reference (use LoRA)");
                }
            }

            @Override
            public NDArray tokenWeights(TrainingState state, Batch batch, NDArray nll) {
                NDArray initial = reference ? misalignedInitial(state, batch)
                        : Losses.tokenNll(state.model(), batch.ids(), batch.mask(), ForwardHooks.NONE);
                float[] score = nll.stopGradient().neg().exp().sub(initial.neg().exp()).toFloatArray();
                float[] mask = Losses.targetMask(batch.mask()).toFloatArray();
                int width = (int) nll.getShape().get(1);
                float[] w = new float[score.length];
                for (int r = 0; r < batch.size(); r++) {
                    float[] row = Arrays.copyOfRange(score, r * width, (r + 1) * width);
                    float[] m = Arrays.copyOfRange(mask, r * width, (r + 1) * width);
                    float[] kept = reference ? selectReference(row, m, keep)
                            : byPosition ? selectTop(row, m, keep) : selectTop(row, m, keep, tieSeed(state.seed(), state.step(), r));
                    System.arraycopy(kept, 0, w, r * width, width);
                }
                return batch.scope().create(w, nll.getShape());
            }
        };
    }

    /**
     * The authors' initial NLLs: each row padded with EOS to max_tokens (masked out), the last L−1 columns,
     * L the batch's own padded length.
     */
    static NDArray misalignedInitial(TrainingState state, Batch batch) {
        Batch full = Batch.of(batch.documents(), state.settings().maxTokens(), state.eosId(), batch.scope());
        NDArray nll = Losses.tokenNll(state.model(), full.ids(), full.mask(), ForwardHooks.NONE);
        long fullWidth = nll.getShape().get(1);
        long width = batch.ids().getShape().get(1) - 1;
        return nll.get(new ai.djl.ndarray.index.NDIndex(":, {}:", fullWidth - width));
    }

    /** The top share with ties by position ({@code ties=position}). */
    static float[] selectTop(float[] score, float[] mask, double keep) {
        return select(score, mask, keep, null);
    }

    /** The seed of a row's tie-breaking draw: the same run, step and row draw the same. */
    static long tieSeed(long runSeed, long step, int row) {
        return runSeed * 0x9E3779B97F4A7C15L ^ step * 0xC2B2AE3D27D4EB4FL ^ (row + 1L) * 0x165667B19E3779F9L;
    }

    /**
     * Weight 1 on the round(keep·n) real targets of a sequence with the highest score, 0 elsewhere; n
     * counts the targets where {@code mask} is 1. Equal scores are ordered by a draw seeded with
     * {@code tieSeed}, not by position.
     */
    static float[] selectTop(float[] score, float[] mask, double keep, long tieSeed) {
        SplittableRandom rng = new SplittableRandom(tieSeed);
        long[] draw = new long[mask.length];
        for (int i = 0; i < draw.length; i++) {
            draw[i] = rng.nextLong();
        }
        return select(score, mask, keep, draw);
    }

    /** The round(keep·n) best real targets; equal scores by {@code draw}, or by position when it is null. */
    private static float[] select(float[] score, float[] mask, double keep, long[] draw) {
        int n = 0;
        for (float m : mask) {
            n += m > 0 ? 1 : 0;
        }
        Integer[] idx = new Integer[n];
        int j = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] > 0) {
                idx[j++] = i;
            }
        }
        Arrays.sort(idx, (a, b) -> score[a] != score[b] ? Float.compare(score[b], score[a])
                : draw == null ? Integer.compare(a, b) : Long.compare(draw[a], draw[b]));
        float[] w = new float[score.length];
        int k = (int) Math.round(keep * n);
        for (int i = 0; i < k; i++) {
            w[idx[i]] = 1f;
        }
        return w;
    }

    /**
     * The authors' rule: {@code (argsort(score) / L > 1 − keep) · mask} over the whole padded row of
     * length L (an ascending sort, ties by position).
     */
    static float[] selectReference(float[] score, float[] mask, double keep) {
        int len = score.length;
        Integer[] order = new Integer[len];
        for (int i = 0; i < len; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> score[a] != score[b] ? Float.compare(score[a], score[b]) : Integer.compare(a, b));
        float[] w = new float[len];
        for (int i = 0; i < len; i++) {
            w[i] = (double) order[i] / len > 1 - keep && mask[i] > 0 ? 1f : 0f;
        }
        return w;
    }
}
