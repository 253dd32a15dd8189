package org.cklbench.methods;

import ai.djl.ndarray.NDArray;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.ParamSpec;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.engine.loss.Losses;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.core.state.Batch;
import org.cklbench.core.state.TrainingState;

import java.util.Arrays;
import java.util.List;

/**
 * RHO-1 (Lin et al., 2024), selective language modelling, as the TAALM authors ran it:
 * a token's score is how much its probability rose against the initial model (the frozen base, which
 * the untrained adapters equal): nll under the initial model minus nll under the model being trained.
 * Only the top {@code keep} share of the batch's real target tokens by score is trained (weight 1), the
 * rest get weight 0; the reference keeps 40% (rank fraction > 0.6). Ties, as at the very first step
 * where every score is 0, go to the earlier position.
 */
public final class Rho1 implements MethodProvider {
    @Override
    public String id() {
        return "rho1";
    }

    @Override
    public String description() {
        return "RHO-1: trains only the share of tokens whose probability rose most against the initial model";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ParamSpec.real("keep", 0.4, 0, 1, "share of the batch's target tokens trained (rank fraction > 1 - keep)")
                .openBelow());
    }

    @Override
    public CklMethod create(MethodParams params) {
        double keep = params.getDouble("keep");
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
                NDArray reference = Losses.tokenNll(state.model(), batch.ids(), batch.mask(), ForwardHooks.NONE);
                float[] score = reference.sub(nll.stopGradient()).toFloatArray();
                float[] mask = Losses.targetMask(batch.mask()).toFloatArray();
                float[] w = select(score, mask, keep);
                return batch.scope().create(w, nll.getShape());
            }
        };
    }

    /**
     * Weight 1 on the round(keep·n) real targets with the highest score (ties broken by position), 0
     * elsewhere; n counts the targets where {@code mask} is 1.
     */
    static float[] select(float[] score, float[] mask, double keep) {
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
}
