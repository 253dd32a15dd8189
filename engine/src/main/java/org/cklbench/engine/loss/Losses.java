package org.cklbench.engine.loss;

import org.cklbench.engine.djl.Scalars;
import org.cklbench.engine.djl.Scopes;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * The causal-LM losses of the suite: the mean token NLL and TAALM's token-weighted loss. Logits are promoted to float32 before the softmax so
 * that bf16 compute still gets float32 losses. Every result lives in the manager of the logits.
 */
public final class Losses {
    /** Added to the weight sum of each row, as in the reference implementation. */
    public static final double WEIGHT_EPS = 1e-6;

    private Losses() {
    }

    /** -log p(x[t+1] | x[≤t]) as [B, L-1] float32, from logits [B, L, V] and ids [B, L]. */
    public static NDArray tokenNll(NDArray logits, NDArray ids) {
        long len = logits.getShape().get(1);
        return nextTokenNll(logits.get(new NDIndex(":, 0:{}", len - 1)), ids);
    }

    /** The same from the logits of positions 0..L-2 only ({@code LlamaModel.nextTokenLogits}). */
    public static NDArray nextTokenNll(NDArray shiftedLogits, NDArray ids) {
        NDArray shifted = Scopes.castInGraph(shiftedLogits, DataType.FLOAT32);
        NDArray targets = ids.get(new NDIndex(":, 1:")).expandDims(-1);
        return shifted.logSoftmax(-1).gather(targets, -1).squeeze(-1).neg();
    }

    /** Per-token NLL of a forward pass of {@code model}: the form training uses. */
    public static NDArray tokenNll(org.cklbench.engine.model.LlamaModel model, NDArray ids, NDArray mask,
                                   org.cklbench.engine.model.ForwardHooks hooks) {
        return nextTokenNll(model.nextTokenLogits(ids, mask, hooks), ids);
    }

    /** The target mask m [B, L-1]: 1 where x[t+1] is a real token. Float32. */
    public static NDArray targetMask(NDArray attentionMask) {
        return attentionMask.get(new NDIndex(":, 1:")).toType(DataType.FLOAT32, false);
    }

    /** Hugging Face's causal-LM loss: mean NLL over attended targets. */
    public static NDArray meanLoss(NDArray nll, NDArray targetMask) {
        return nll.mul(targetMask).sum().div(targetMask.sum());
    }

    /** L_w = mean over rows of Σ w·m·nll / (Σ w·m + 1e-6). */
    public static NDArray weightedLoss(NDArray nll, NDArray weights, NDArray targetMask) {
        return weightedLossPerRow(nll, weights, targetMask).mean();
    }

    /** Each row's Σ w·m·nll / (Σ w·m + 1e-6), [B]: for computations in which every row is a problem of its own. */
    public static NDArray weightedLossPerRow(NDArray nll, NDArray weights, NDArray targetMask) {
        NDArray wm = weights.mul(targetMask);
        return nll.mul(wm).sum(new int[] {1}).div(Scalars.add(wm.sum(new int[] {1}), WEIGHT_EPS));
    }
}
