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

/**
 * RHO-1 (Lin et al., 2024), selective language modelling, as the TAALM authors adapted it: a token's
 * score is how much its probability rose against the initial model (the frozen base, which the
 * untrained adapters equal): p_now − p_initial. Per sequence, only the top {@code keep} share of its
 * real target tokens by score is trained (weight 1), the rest get weight 0; ties go to the earlier
 * position.
 *
 * <p>{@code selection=reference} reproduces the authors' code instead: per sequence it keeps position i
 * when {@code argsort(score)[i] / L > 1 − keep}, L the padded length. That compares the sorting
 * permutation (which position holds the i-th smallest score) with a threshold as if it were a rank, so
 * it keeps a share of tokens unrelated to how much their probability rose.
 */
public final class Rho1 implements MethodProvider {
    @Override
    public String id() {
        return "rho1";
    }

    @Override
    public String description() {
        return "RHO-1: trains only each sequence's tokens whose probability rose most against the initial model";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(
                ParamSpec.real("keep", 0.4, 0, 1, "share of each sequence's target tokens trained").openBelow(),
                ParamSpec.choice("selection", "top", List.of("top", "reference"), "top: the share with the largest rise;"
                        + " reference: the authors' argsort(score)/L > 1 - keep"));
    }

    @Override
    public CklMethod create(MethodParams params) {
        double keep = params.getDouble("keep");
        boolean reference = params.getString("selection").equals("reference");
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
                NDArray initial = Losses.tokenNll(state.model(), batch.ids(), batch.mask(), ForwardHooks.NONE);
                float[] score = nll.stopGradient().neg().exp().sub(initial.neg().exp()).toFloatArray();
                float[] mask = Losses.targetMask(batch.mask()).toFloatArray();
                int width = (int) nll.getShape().get(1);
                float[] w = new float[score.length];
                for (int r = 0; r < batch.size(); r++) {
                    float[] row = Arrays.copyOfRange(score, r * width, (r + 1) * width);
                    float[] m = Arrays.copyOfRange(mask, r * width, (r + 1) * width);
                    float[] kept = reference ? selectReference(row, m, keep) : selectTop(row, m, keep);
                    System.arraycopy(kept, 0, w, r * width, width);
                }
                return batch.scope().create(w, nll.getShape());
            }
        };
    }

    /**
     * Weight 1 on the round(keep·n) real targets of a sequence with the highest score (ties by
     * position), 0 elsewhere; n counts the targets where {@code mask} is 1.
     */
    static float[] selectTop(float[] score, float[] mask, double keep) {
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
        Arrays.sort(idx, (a, b) -> score[a] != score[b] ? Float.compare(score[b], score[a]) : Integer.compare(a, b));
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
