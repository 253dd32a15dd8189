package org.cklbench.engine.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.cklbench.engine.djl.Scopes;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with PyTorch's semantics (decoupled weight decay, bias-corrected moments, ε added to the
 * corrected √v), optional clipping of the global gradient norm, and moments kept in float32 in the
 * optimiser's own manager. The update is PyTorch's fused in-place kernel reached through DJL's JNI
 * ({@code adamUpdate}), whose ε and step size are rescaled here so that it computes exactly
 * {@code torch.optim.AdamW}: DJL's kernel adds ε to the uncorrected √v.
 */
public final class AdamW implements AutoCloseable {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDManager manager;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;

    public AdamW(NDManager parent, double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.manager = parent.newSubManager();
    }

    /** torch.optim.AdamW's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public static AdamW torchDefaults(NDManager parent) {
        return new AdamW(parent, 0.9, 0.999, 1e-8, 0.01);
    }

    public long stepCount() {
        return step;
    }

    /**
     * One update of every parameter from its accumulated gradient, which is then zeroed.
     *
     * @param clipNorm the maximum global gradient norm, or 0 for no clipping
     * @return the global gradient norm before clipping
     */
    public double step(Map<String, NDArray> params, double lr, double clipNorm, NDManager scope) {
        return step(params, lr, clipNorm, 1.0, scope);
    }

    /**
     * As {@link #step(Map, double, double, NDManager)} for gradients multiplied by {@code gradScale}
     * (a loss scale): they are divided by it first. When the gradients hold an infinity or NaN (the
     * scale overflowed float16), nothing is updated, the gradients are zeroed and NaN is returned.
     */
    public double step(Map<String, NDArray> params, double lr, double clipNorm, double gradScale, NDManager scope) {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        params.forEach((k, p) -> grads.put(k, Scopes.gradient(p, scope)));
        double norm = globalNorm(grads) / gradScale;
        if (!Double.isFinite(norm)) {
            params.values().forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
            return Double.NaN;
        }
        double rescale = (clipNorm > 0 && norm > clipNorm ? clipNorm / (norm + 1e-6) : 1.0) / gradScale;
        step++;
        double bc1 = 1 - StrictMath.pow(beta1, step);
        double bc2 = 1 - StrictMath.pow(beta2, step);
        float stepSize = (float) (lr * Math.sqrt(bc2) / bc1);
        float scaledEps = (float) (eps * Math.sqrt(bc2));
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            NDArray mean = m.computeIfAbsent(e.getKey(), k -> zeros(p));
            NDArray var = v.computeIfAbsent(e.getKey(), k -> zeros(p));
            JniUtils.adamUpdate((PtNDArray) p, (PtNDArray) grads.get(e.getKey()), (PtNDArray) mean, (PtNDArray) var,
                    (float) lr, stepSize, (float) weightDecay, (float) rescale, -1f,
                    (float) beta1, (float) beta2, scaledEps, true);
            JniUtils.zeroGrad((PtNDArray) p);
        }
        return norm;
    }

    private NDArray zeros(NDArray like) {
        NDArray z = manager.zeros(like.getShape(), like.getDataType());
        z.setName(like.getName());
        return z;
    }

    /** √(Σ‖g‖²) over all gradients, summed on the device and read once. */
    public static double globalNorm(Map<String, NDArray> grads) {
        NDArray total = null;
        for (NDArray g : grads.values()) {
            NDArray sq = g.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).square().sum();
            total = total == null ? sq : total.add(sq);
        }
        return total == null ? 0 : Math.sqrt(total.getFloat());
    }

    /** Forgets the moments and the step count: the next step is a first step again. */
    public void reset() {
        m.values().forEach(NDArray::close);
        v.values().forEach(NDArray::close);
        m.clear();
        v.clear();
        step = 0;
    }

    /** The moments, for checkpoints: {@code exp_avg.<name>} and {@code exp_avg_sq.<name>}. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        m.forEach((k, a) -> out.put("exp_avg." + k, a));
        v.forEach((k, a) -> out.put("exp_avg_sq." + k, a));
        return out;
    }

    /** Restores moments written by {@link #state()} and the step count. */
    public void restore(Map<String, NDArray> state, long stepCount) {
        state.forEach((k, a) -> {
            NDArray copy = Scopes.copy(a, a.getDataType(), manager);
            if (k.startsWith("exp_avg_sq.")) {
                v.put(k.substring("exp_avg_sq.".length()), copy);
            } else if (k.startsWith("exp_avg.")) {
                m.put(k.substring("exp_avg.".length()), copy);
            } else {
                throw new IllegalArgumentException("not an AdamW state tensor: " + k);
            }
        });
        this.step = stepCount;
    }

    @Override
    public void close() {
        manager.close();
    }
}
