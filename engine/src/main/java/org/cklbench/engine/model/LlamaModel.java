package org.cklbench.engine.model;

import org.cklbench.engine.djl.Scalars;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import org.cklbench.engine.djl.Scopes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * {@code LlamaForCausalLM} as a function of its weights: token embedding, pre-norm decoder layers
 * (RMSNorm, rotary self-attention with grouped key/value heads, SwiGLU MLP), final norm, LM head.
 *
 * <p>Every intermediate array is created in the manager of the input ids, so a caller that builds the
 * ids in a per-step manager frees the whole forward (and backward) pass by closing it. The weights
 * live in this model's own manager and are only read here.
 */
public final class LlamaModel implements AutoCloseable {
    /** Added to attention scores that must not be attended; finite, so a fully padded row stays finite. */
    private static final float MASKED = -1e9f;

    private final LlamaConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> weights;
    private final DataType computeType;
    private final Map<Integer, NDArray[]> ropeCache = new ConcurrentHashMap<>();
    private HfLayout layout;

    /**
     * @param weights arrays owned by {@code manager}, already in {@code computeType}, checked against
     *     the config by the caller ({@link HfModels})
     */
    public LlamaModel(LlamaConfig config, NDManager manager, Map<String, NDArray> weights, DataType computeType,
                      HfLayout layout) {
        this.config = config;
        this.manager = manager;
        this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        this.computeType = computeType;
        this.layout = layout;
    }

    public LlamaConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    public Device device() {
        return manager.getDevice();
    }

    public DataType computeType() {
        return computeType;
    }

    /** The weights by Hugging Face name (read-only map; the arrays are the live weights). */
    public Map<String, NDArray> weights() {
        return weights;
    }

    public NDArray weight(String name) {
        NDArray w = weights.get(name);
        if (w == null) {
            throw new IllegalArgumentException("model has no weight '" + name + "'");
        }
        return w;
    }

    public HfLayout layout() {
        return layout;
    }

    public void setLayout(HfLayout layout) {
        this.layout = layout;
    }

    /**
     * Final-norm hidden states [B, L, hidden] for right-padded {@code ids} [B, L] (int64) and
     * {@code mask} [B, L] (1 for tokens, 0 for padding).
     */
    public NDArray hidden(NDArray ids, NDArray mask, ForwardHooks hooks) {
        int len = (int) ids.getShape().get(1);
        NDArray x = ids.getNDArrayInternal()
                .embedding(ids, weight("model.embed_tokens.weight"), SparseFormat.DENSE).singletonOrThrow();
        NDArray[] rope = rope(len);
        ForwardContext ctx = new ForwardContext(this, ids, mask, attentionBias(mask, len), rope[0], rope[1], rope[2],
                rope[3]);
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            x = decoderLayer(x, "model.layers." + i + ".", this::weight, config.numAttentionHeads(),
                    config.numKeyValueHeads(), hooks, ctx);
            x = hooks.afterLayer(i, x, ctx);
        }
        return hooks.afterFinalNorm(rmsNorm(x, weight("model.norm.weight")), ctx);
    }

    /**
     * One pre-norm decoder layer (RMSNorm, rotary self-attention with grouped key/value heads, SwiGLU
     * MLP, residuals) on {@code x} [B, L, heads·headDim], with the weights {@code weights} gives for
     * names under {@code prefix} (Hugging Face layout). The model's own layers use it, and so can layers
     * beside the model (K-Adapter) of another width with the model's head dimension.
     */
    public NDArray decoderLayer(NDArray x, String p, Function<String, NDArray> weights, int heads, int kvHeads,
                                ForwardHooks hooks, ForwardContext ctx) {
        long b = x.getShape().get(0);
        long len = x.getShape().get(1);
        long width = x.getShape().get(2);
        int group = heads / kvHeads;
        int hd = config.headDim();
        NDArray h = rmsNorm(x, weights.apply(p + "input_layernorm.weight"));
        // rotary embedding on the projections' own [B, L, heads, headDim] layout, before the heads move forward
        NDArray q = project(p + "self_attn.q_proj", h, weights, hooks).reshape(b, len, heads, hd);
        NDArray k = project(p + "self_attn.k_proj", h, weights, hooks).reshape(b, len, kvHeads, hd);
        NDArray v = project(p + "self_attn.v_proj", h, weights, hooks).reshape(b, len, kvHeads, hd).transpose(0, 2, 1, 3);
        q = Scalars.mul(applyRope(q, ctx.ropeCos(), ctx.ropeSin()), 1.0 / Math.sqrt(hd)).transpose(0, 2, 1, 3);
        k = applyRope(k, ctx.ropeCos(), ctx.ropeSin()).transpose(0, 2, 1, 3);
        // Query heads that share a key/value head are stacked along the sequence axis, so one
        // batched matmul serves the group without materialising repeated keys and values.
        NDArray qg = q.reshape(b, kvHeads, group * len, hd);
        NDArray scores = qg.matMul(k.transpose(0, 1, 3, 2));
        NDArray scores32 = Scopes.castInGraph(scores, DataType.FLOAT32);
        // The bias is added in place when the scores are the product itself (float32): its backward keeps its
        // operands, not its result, so nothing that autograd saved is overwritten, and a [B, kv, group·L, L]
        // array fewer is allocated. The softmax runs over the last axis of the stacked layout as it would
        // over [B, kv, group, L, L].
        NDArray biased = scores32 == scores ? scores.addi(ctx.attentionBias(group)) : scores32.add(ctx.attentionBias(group));
        NDArray probs = Scopes.castInGraph(biased.softmax(-1), computeType);
        NDArray attn = probs.matMul(v).reshape(b, heads, len, hd).transpose(0, 2, 1, 3).reshape(b, len, width);
        x = x.add(project(p + "self_attn.o_proj", attn, weights, hooks));

        h = rmsNorm(x, weights.apply(p + "post_attention_layernorm.weight"));
        NDArray gate = project(p + "mlp.gate_proj", h, weights, hooks);
        NDArray up = project(p + "mlp.up_proj", h, weights, hooks);
        NDArray act = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(up);
        return x.add(project(p + "mlp.down_proj", act, weights, hooks));
    }

    /** Logits [B, L, vocab] from final-norm hidden states. */
    public NDArray logits(NDArray hidden) {
        return linear(hidden, headWeight());
    }

    /** The LM head's weight [vocab, hidden]: the embedding when the two are tied. */
    public NDArray headWeight() {
        return weight(config.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight");
    }

    public NDArray logits(NDArray ids, NDArray mask, ForwardHooks hooks) {
        return logits(hidden(ids, mask, hooks));
    }

    /**
     * Logits [B, L-1, vocab] of the positions that predict a next token (all but the last). Slicing the
     * hidden states before the LM head spares the largest tensor of a training step a slice, and its
     * backward a zero-filled full-size gradient.
     */
    public NDArray nextTokenLogits(NDArray ids, NDArray mask, ForwardHooks hooks) {
        NDArray h = hidden(ids, mask, hooks);
        return logits(h.get(new ai.djl.ndarray.index.NDIndex(":, 0:{}", ids.getShape().get(1) - 1)));
    }

    private static NDArray project(String module, NDArray x, Function<String, NDArray> weights, ForwardHooks hooks) {
        return hooks.project(module, x, linear(x, weights.apply(module + ".weight")));
    }

    /** {@code x·Wᵀ}; the result belongs to the manager of {@code x}. */
    public static NDArray linear(NDArray x, NDArray w) {
        return x.getNDArrayInternal().linear(x, w, null).singletonOrThrow();
    }

    /** Hugging Face's LlamaRMSNorm: normalise in float32, cast back, then scale. */
    public NDArray rmsNorm(NDArray x, NDArray w) {
        NDArray xf = Scopes.castInGraph(x, DataType.FLOAT32);
        NDArray var = xf.square().mean(new int[] {-1}, true);
        NDArray normed = Scopes.castInGraph(xf.div(Scalars.add(var, config.rmsNormEps()).sqrt()), computeType);
        return normed.mul(w);
    }

    /**
     * Hugging Face's {@code x·cos + rotate_half(x)·sin} on [B, L, heads, headDim], with {@code cos} and
     * {@code sinSigned} [L, 1, headDim]: rotate_half(x) = (−x₂, x₁) times (sin, sin) is computed as
     * (x₂, x₁) times (−sin, sin), which moves only a sign and so gives the same bits with one operation
     * (and its backward) fewer.
     */
    private static NDArray applyRope(NDArray x, NDArray cos, NDArray sinSigned) {
        long half = x.getShape().get(3) / 2;
        NDList parts = x.split(new long[] {half}, 3);
        NDArray swapped = parts.get(1).concat(parts.get(0), 3);
        return x.mul(cos).add(swapped.mul(sinSigned));
    }

    /** Causal plus key-padding bias [B, 1, 1, L, L] in float32, in the manager of {@code mask}. */
    private static NDArray attentionBias(NDArray mask, int len) {
        NDManager scope = mask.getManager();
        float[] causal = new float[len * len];
        for (int i = 0; i < len; i++) {
            for (int j = i + 1; j < len; j++) {
                causal[i * len + j] = MASKED;
            }
        }
        NDArray c = scope.create(causal, new Shape(1, 1, 1, len, len));
        NDArray keyPad = Scalars.mul(Scalars.sub(mask.toType(DataType.FLOAT32, false), 1), -MASKED)
                .reshape(mask.getShape().get(0), 1, 1, 1, len);
        return keyPad.add(c);
    }

    /**
     * cos and sin [L, headDim] for positions 0..L-1, Hugging Face layout (frequencies repeated twice); then
     * the same cos and the sin with its first half negated as [L, 1, headDim], the form {@link #applyRope} reads.
     */
    private NDArray[] rope(int len) {
        return ropeCache.computeIfAbsent(len, l -> {
            int hd = config.headDim();
            float[] cos = new float[l * hd];
            float[] sin = new float[l * hd];
            float[] sinSigned = new float[l * hd];
            double[] invFreq = config.ropeScaling().inverseFrequencies(config.ropeTheta(), hd);
            for (int pos = 0; pos < l; pos++) {
                for (int i = 0; i < hd / 2; i++) {
                    double angle = pos * invFreq[i];
                    cos[pos * hd + i] = cos[pos * hd + i + hd / 2] = (float) StrictMath.cos(angle);
                    sin[pos * hd + i] = sin[pos * hd + i + hd / 2] = (float) StrictMath.sin(angle);
                    sinSigned[pos * hd + i] = -sin[pos * hd + i];
                    sinSigned[pos * hd + i + hd / 2] = sin[pos * hd + i];
                }
            }
            try (NDManager tmp = NDManager.newBaseManager(Device.cpu())) {
                return new NDArray[] {
                    Scopes.copy(tmp.create(cos, new Shape(l, hd)), computeType, manager),
                    Scopes.copy(tmp.create(sin, new Shape(l, hd)), computeType, manager),
                    Scopes.copy(tmp.create(cos, new Shape(l, 1, hd)), computeType, manager),
                    Scopes.copy(tmp.create(sinSigned, new Shape(l, 1, hd)), computeType, manager)};
            }
        });
    }

    @Override
    public void close() {
        manager.close();
    }
}
