package org.cklbench.engine.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.engine.Engine;
import ai.djl.training.GradientCollector;
import org.cklbench.engine.djl.Scalars;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaModel;

import java.util.function.Function;

/**
 * The backward pass of a training loss that depends on the model only through the next-token NLL,
 * with the LM head and log-softmax differentiated by hand.
 *
 * <p>Why: at a 32,000-word vocabulary the head's [N, V] tensors are most of a step. Autograd would
 * zero-fill a fresh [N, V] buffer for the gather's gradient and allocate another for the log-softmax
 * backward; here the softmax is computed once, the one-hot is subtracted from it in place at the N
 * targets, and the per-token loss gradient scales the [N, H] products rather than the [N, V]
 * ones. The mathematics is autograd's: ∂L/∂logits = (softmax − onehot)·∂L/∂nll, then the linear
 * layer's two products; only the order of roundings differs (in float32 within 1e-5 of autograd's
 * gradients, {@code HeadBackwardTest}; in float16/bf16 the per-token factor is applied after the cast
 * and the product, so the two differ by those types' rounding).
 *
 * <p>The loss is split by the chain rule at the NLL: {@code lossOfNll} runs under autograd on a leaf
 * that holds the NLL values (so token weights, RHO-1's selection and extra terms on parameters all
 * work unchanged), its gradient ∂L/∂nll is read off the leaf, and the trunk gets ∂L/∂h through a
 * second backward from Σ h ⊙ ∂L/∂h. Exact for any L(nll, parameters); not for a loss that also reads
 * the forward pass's activations (its graph would be walked twice) nor one that needs a graph of the
 * gradient itself (TAALM's meta-gradient uses {@link Losses} under autograd).
 */
public final class HeadBackward {
    private HeadBackward() {
    }

    /** Below this a float32 probability has lost precision (subnormal from 1.2e-38). */
    private static final float SMALLEST_EXACT_PROBABILITY = 1e-30f;

    /**
     * −log p(target) per row. From the target's probability when none is tiny (the usual case: no
     * further pass over the [N, V] arrays); else from log Σ exp(logits) = max − log p(max), where
     * p(max) ≥ 1/V never underflows, minus the target's logit.
     */
    private static NDArray nll(NDArray logits, NDArray probs, NDIndex picked, NDArray targetProbs) {
        float smallest = targetProbs.min().getFloat();
        if (smallest >= SMALLEST_EXACT_PROBABILITY) {
            return targetProbs.log().neg();
        }
        NDArray logNormaliser = logits.max(new int[] {-1}).sub(probs.max(new int[] {-1}).log());
        return logNormaliser.sub(logits.get(picked));
    }

    /**
     * Runs the forward pass on {@code ids}/{@code mask}, the loss {@code lossOfNll} of the per-token
     * NLL [B, L-1] (float32), and its backward into every array that requires a gradient (the head
     * weight included when it does). Returns the loss.
     */
    public static NDArray backward(LlamaModel model, NDArray ids, NDArray mask, ForwardHooks hooks,
                                   Function<NDArray, NDArray> lossOfNll) {
        long b = ids.getShape().get(0);
        long predicting = ids.getShape().get(1) - 1;
        NDArray head = model.headWeight();
        // a detached view of the weight, freed with the step (a view made from the weight lives in its manager)
        NDArray constHead = head.stopGradient();
        constHead.attach(ids.getManager());
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray rows = model.hidden(ids, mask, hooks).get(new NDIndex(":, 0:{}", predicting));
            NDArray targets = ids.get(new NDIndex(":, 1:")).reshape(b * predicting);
            NDArray probs;
            NDArray nllLeaf;
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                NDArray logits = LlamaModel.linear(rows.stopGradient().reshape(b * predicting, -1), constHead)
                        .toType(DataType.FLOAT32, false);
                NDIndex picked = new NDIndex("{}, {}", ids.getManager().arange(0, b * predicting, 1, DataType.INT64),
                        targets);
                probs = logits.softmax(-1);
                NDArray targetProbs = probs.get(picked);
                nllLeaf = nll(logits, probs, picked, targetProbs).reshape(b, predicting);
                logits.close();
                probs.set(picked, Scalars.sub(targetProbs, 1));
            } finally {
                JniUtils.setGradMode(grad);
            }
            nllLeaf.setRequiresGradient(true);
            NDArray loss = lossOfNll.apply(nllLeaf);
            gc.backward(loss);
            NDArray perToken = nllLeaf.getGradient().reshape(b * predicting, 1);

            JniUtils.setGradMode(false);
            NDArray surrogate;
            try {
                DataType type = head.getDataType();
                NDArray scale = perToken.toType(type, false);
                NDArray logitGrad = probs.toType(type, false);
                NDArray hiddenGrad = logitGrad.matMul(constHead).muli(scale).reshape(b, predicting, -1);
                NDArray headGrad = head.hasGradient()
                        ? logitGrad.transpose().matMul(rows.stopGradient().reshape(b * predicting, -1).mul(scale))
                        : null;
                JniUtils.setGradMode(grad);
                // Σ h ⊙ ∂L/∂h (+ W · ∂L/∂W) has exactly those gradients
                surrogate = rows.mul(hiddenGrad).sum();
                if (headGrad != null) {
                    // a dot product: no [V, H] product in the forward, one in the backward
                    NDArray flatHead = head.reshape(-1);
                    flatHead.attach(ids.getManager());
                    surrogate = surrogate.add(headGrad.reshape(-1).dot(flatHead));
                }
            } finally {
                JniUtils.setGradMode(grad);
            }
            gc.backward(surrogate);
            return loss;
        }
    }
}
