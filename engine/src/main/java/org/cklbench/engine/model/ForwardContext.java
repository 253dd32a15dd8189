package org.cklbench.engine.model;

import ai.djl.ndarray.NDArray;

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
    private final Map<String, Object> scratch = new HashMap<>();

    ForwardContext(LlamaModel model, NDArray ids, NDArray mask, NDArray attentionBias, NDArray cos, NDArray sin) {
        this.model = model;
        this.ids = ids;
        this.mask = mask;
        this.attentionBias = attentionBias;
        this.cos = cos;
        this.sin = sin;
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
