package org.cklbench.methods;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.state.TrainingState;
import org.cklbench.engine.model.ForwardContext;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaModel;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * K-Adapter as the reference builds it, against a direct double-precision computation of its GPT-2
 * blocks (LayerNorm, causal attention, residual, LayerNorm, exact GELU MLP) chained over the taps.
 */
class KAdapterTest {

    @Test
    void tapsAreHuggingFacesHiddenStates() {
        assertThat(KAdapter.taps("auto", 32)).containsExactly(1, 16, 32);
        assertThat(KAdapter.taps("1,15,-1", 32)).as("the reference's list for Llama-2").containsExactly(1, 15, 32);
        assertThatThrownBy(() -> KAdapter.taps("0", 22)).hasMessageContaining("not a hidden state 1..22");
        assertThatThrownBy(() -> KAdapter.taps("23", 22)).hasMessageContaining("not a hidden state");
    }

    /** 0.1: the reference's factor (the default); 1: the {@code scale} parameter reaches the output. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(doubles = {KAdapter.OUTPUT_SCALE, 1.0})
    void theOutputIsTheFinalNormPlusScaleTimesTheNormedChain(double scale) throws Exception {
        try (LlamaModel model = Fixture.model();
             TrainingState state = new TrainingState(model, null, Fixture.settings(4), 3);
             NDManager scope = model.manager().newSubManager()) {
            CklMethod m = Fixture.create(new KAdapter(), scale == KAdapter.OUTPUT_SCALE
                    ? Map.of("dropout", "0.5") : Map.of("dropout", "0.5", "scale", Double.toString(scale)));
            m.setup(state);
            Map<String, float[]> w = new HashMap<>();
            state.trainable().forEach((k, v) -> w.put(k, v.toFloatArray()));
            long[] tokens = {1, 17, 230, 5, 99, 402, 8};
            NDArray ids = scope.create(tokens, new Shape(1, tokens.length));
            NDArray mask = ids.onesLike();
            Map<Integer, float[]> base = new HashMap<>();
            ForwardHooks record = new ForwardHooks() {
                @Override
                public NDArray afterLayer(int layer, NDArray hidden, ForwardContext ctx) {
                    base.put(layer + 1, hidden.toFloatArray());
                    return hidden;
                }

                @Override
                public NDArray afterFinalNorm(NDArray normed, ForwardContext ctx) {
                    base.put(-1, normed.toFloatArray());
                    return normed;
                }
            };
            model.hidden(ids, mask, record);
            // evaluation: no dropout (the parameter only acts while training)
            float[] adapted = model.hidden(ids, mask, state.hooks()).toFloatArray();

            int len = tokens.length;
            int h = model.config().hiddenSize();
            int heads = model.config().numAttentionHeads();
            List<Integer> taps = KAdapter.taps("auto", model.config().numHiddenLayers());
            double[][] z = null;
            for (int k = 0; k < taps.size(); k++) {
                int tap = taps.get(k);
                float[] src = tap == model.config().numHiddenLayers() ? base.get(-1) : base.get(tap);
                double[][] x = new double[len][h];
                for (int t = 0; t < len; t++) {
                    for (int i = 0; i < h; i++) {
                        x[t][i] = src[t * h + i] + (z == null ? 0 : z[t][i]);
                    }
                }
                z = block(w, "kadapter." + k + ".", x, heads);
            }
            double[][] out = layerNorm(z, w.get("kadapter.layer_norm.weight"), w.get("kadapter.layer_norm.bias"));
            double maxErr = 0;
            double maxAbs = 0;
            double moved = 0;
            float[] normed = base.get(-1);
            for (int t = 0; t < len; t++) {
                for (int i = 0; i < h; i++) {
                    double want = normed[t * h + i] + scale * out[t][i];
                    maxErr = Math.max(maxErr, Math.abs(adapted[t * h + i] - want));
                    maxAbs = Math.max(maxAbs, Math.abs(want));
                    moved = Math.max(moved, Math.abs(adapted[t * h + i] - normed[t * h + i]));
                }
            }
            assertThat(maxErr / maxAbs).as("relative error").isLessThan(1e-5);
            assertThat(moved).as("as in the reference, the adapter's initial output is not zero").isGreaterThan(0.01);
            m.close();
        }
    }

    /** One block: y = x + proj(attn(LN1 x)); out = proj2(gelu(fc(LN2 y))). */
    private static double[][] block(Map<String, float[]> w, String p, double[][] x, int heads) {
        int len = x.length;
        int h = x[0].length;
        int hd = h / heads;
        double[][] a = layerNorm(x, w.get(p + "ln_1.weight"), w.get(p + "ln_1.bias"));
        double[][] qkv = linear(a, w.get(p + "attn.c_attn.weight"), w.get(p + "attn.c_attn.bias"), 3 * h);
        double[][] attn = new double[len][h];
        for (int head = 0; head < heads; head++) {
            for (int i = 0; i < len; i++) {
                double[] s = new double[i + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    double dot = 0;
                    for (int d = 0; d < hd; d++) {
                        dot += qkv[i][head * hd + d] * qkv[j][h + head * hd + d];
                    }
                    s[j] = dot / Math.sqrt(hd);
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int j = 0; j <= i; j++) {
                    for (int d = 0; d < hd; d++) {
                        attn[i][head * hd + d] += s[j] / sum * qkv[j][2 * h + head * hd + d];
                    }
                }
            }
        }
        double[][] y = linear(attn, w.get(p + "attn.c_proj.weight"), w.get(p + "attn.c_proj.bias"), h);
        for (int t = 0; t < len; t++) {
            for (int i = 0; i < h; i++) {
                y[t][i] += x[t][i];
            }
        }
        double[][] f = linear(layerNorm(y, w.get(p + "ln_2.weight"), w.get(p + "ln_2.bias")), w.get(p + "mlp.c_fc.weight"),
                w.get(p + "mlp.c_fc.bias"), 4 * h);
        for (double[] row : f) {
            for (int i = 0; i < row.length; i++) {
                row[i] = 0.5 * row[i] * (1 + erf(row[i] / Math.sqrt(2)));
            }
        }
        return linear(f, w.get(p + "mlp.c_proj.weight"), w.get(p + "mlp.c_proj.bias"), h);
    }

    private static double[][] linear(double[][] x, float[] weight, float[] bias, int out) {
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double acc = bias[o];
                for (int i = 0; i < in; i++) {
                    acc += weight[o * in + i] * x[t][i];
                }
                y[t][o] = acc;
            }
        }
        return y;
    }

    private static double[][] layerNorm(double[][] x, float[] weight, float[] bias) {
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            int n = x[t].length;
            double mean = 0;
            for (double v : x[t]) {
                mean += v / n;
            }
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean) / n;
            }
            y[t] = new double[n];
            for (int i = 0; i < n; i++) {
                y[t][i] = (x[t][i] - mean) / Math.sqrt(var + 1e-5) * weight[i] + bias[i];
            }
        }
        return y;
    }

    /** erf to about 1e-15 by its Taylor series (|x| small) or its continued fraction (|x| large). */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 3) {
            double term = ax;
            double sum = ax;
            for (int n = 1; n < 200; n++) {
                term *= -ax * ax / n;
                sum += term / (2 * n + 1);
            }
            return Math.signum(x) * 2 / Math.sqrt(Math.PI) * sum;
        }
        double f = 0;
        for (int n = 60; n >= 1; n--) {
            f = n / 2.0 / (ax + f);
        }
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        return Math.signum(x) * (1 - erfc);
    }
}
