package org.cklbench.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.HashMap;
import java.util.Map;

/**
 * What one forward pass shares with its hooks: the inputs, the attention bias and rotary tables of
 * this length, and a scratch map for state that lives for the pass only (e.g. K-Adapter's running
 * adapter output).
 */
public final class ForwardContext {
    private final LlamaModel model;
    private final NDArray ids;
    private final NDArray mask;
    private final NDArray attentionBias;
    private final NDArray cos;
    private final NDArray sin;
    private final NDArray ropeCos;
    private final NDArray ropeSin;
    private final Map<Integer, NDArray> groupedBias = new HashMap<>();
    private final Map<String, Object> scratch = new HashMap<>();

    ForwardContext(LlamaModel model, NDArray ids, NDArray mask, NDArray attentionBias, NDArray cos, NDArray sin,
                   NDArray ropeCos, NDArray ropeSin) {
        this.model = model;
        this.ids = ids;
        this.mask = mask;
        this.attentionBias = attentionBias;
        this.cos = cos;
        this.sin = sin;
        this.ropeCos = ropeCos;
        this.ropeSin = ropeSin;
    }

    public LlamaModel model() {
        return model;
    }

    public NDArray ids() {
        return ids;
    }

    public NDArray mask() {
        return mask;
    }

    public NDArray attentionBias() {
        return attentionBias;
    }

    /**
     * The bias for scores of {@code group} query heads per key/value head stacked along the sequence axis,
     * [B, 1, group·L, L] (the bias repeated {@code group} times); made once per pass and group size.
     */
    NDArray attentionBias(int group) {
        return groupedBias.computeIfAbsent(group, g -> {
            Shape s = attentionBias.getShape();
            long b = s.get(0);
            long len = s.get(4);
            return g == 1 ? attentionBias.reshape(b, 1, len, len)
                    : attentionBias.broadcast(new Shape(b, 1, g, len, len)).reshape(b, 1, g * len, len);
        });
    }

    /** cos [L, 1, headDim] for the rotary embedding. */
    NDArray ropeCos() {
        return ropeCos;
    }

    /** sin [L, 1, headDim] with its first half negated (see {@code LlamaModel.applyRope}). */
    NDArray ropeSin() {
        return ropeSin;
    }

    public NDArray cos() {
        return cos;
    }

    public NDArray sin() {
        return sin;
    }

    public Map<String, Object> scratch() {
        return scratch;
    }
}
