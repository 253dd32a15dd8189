package org.cklbench.engine.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.testing.Numerics.attended;
import static org.cklbench.testing.Numerics.doubles;
import static org.cklbench.testing.Numerics.maxRel;

/**
 * Configurations the fixtures do not cover, checked against a direct double-precision computation of
 * the Llama forward pass written with plain loops: one query position and one head at a time, keys
 * and values looked up by {@code head / (heads / kvHeads)}, rotation by explicit angles.
 */
class DirectLlamaTest {

    @ParameterizedTest(name = "kv={0} tied={1} theta={2} linear={3}")
    @CsvSource({
        "1, true, 500000, 1.0",   // multi-query attention, tied embeddings, Llama-3-like rope_theta
        "2, false, 10000, 2.0",   // grouped-query attention with linear RoPE scaling
        "4, true, 1000, 1.0"      // plain multi-head attention
    })
    void engineAgreesWithDirectComputation(int kvHeads, boolean tied, double theta, double linear) {
        ObjectNode o = (ObjectNode) new ObjectMapper().valueToTree(
                LlamaConfig.create(50, 16, 24, 2, 4, kvHeads, tied, 16).raw());
        o.put("rope_theta", theta);
        o.put("rms_norm_eps", 1e-6);
        if (linear != 1.0) {
            o.putObject("rope_scaling").put("type", "linear").put("factor", linear);
        }
        o.put("initializer_range", 0.3);
        LlamaConfig config = LlamaConfig.parse(o, "test");
        long[][] rows = {{1, 7, 9, 22, 3, 41, 5}, {1, 33, 2, 0, 0, 0, 0}};
        int[] lengths = {7, 3};
        try (LlamaModel model = HfModels.init(config, 3, Device.cpu(), DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            long[] flat = new long[14];
            long[] mask = new long[14];
            for (int b = 0; b < 2; b++) {
                for (int t = 0; t < 7; t++) {
                    flat[b * 7 + t] = rows[b][t];
                    mask[b * 7 + t] = t < lengths[b] ? 1 : 0;
                }
            }
            NDArray ids = m.create(flat, new Shape(2, 7));
            NDArray maskArr = m.create(mask, new Shape(2, 7));
            double[] got = doubles(model.logits(ids, maskArr, ForwardHooks.NONE));
            Map<String, double[]> w = new HashMap<>();
            model.weights().forEach((k, v) -> w.put(k, doubles(v)));
            double[] want = new double[got.length];
            for (int b = 0; b < 2; b++) {
                double[][] out = direct(config, w, rows[b], lengths[b]);
                for (int t = 0; t < lengths[b]; t++) {
                    System.arraycopy(out[t], 0, want, (b * 7 + t) * 50, 50);
                }
            }
            double[] maskD = new double[14];
            for (int i = 0; i < 14; i++) {
                maskD[i] = mask[i];
            }
            assertThat(maxRel(got, want, attended(maskD, 50))).isLessThan(1e-5);
        }
    }

    /** Logits of one unpadded sequence of {@code len} tokens. */
    static double[][] direct(LlamaConfig c, Map<String, double[]> w, long[] ids, int len) {
        int d = c.hiddenSize();
        int heads = c.numAttentionHeads();
        int hd = c.headDim();
        int group = heads / c.numKeyValueHeads();
        double[][] x = new double[len][];
        double[] emb = w.get("model.embed_tokens.weight");
        for (int t = 0; t < len; t++) {
            x[t] = java.util.Arrays.copyOfRange(emb, (int) ids[t] * d, (int) ids[t] * d + d);
        }
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            double[][] q = new double[len][];
            double[][] k = new double[len][];
            double[][] v = new double[len][];
            for (int t = 0; t < len; t++) {
                double[] h = rms(x[t], w.get(p + "input_layernorm.weight"), c.rmsNormEps());
                q[t] = rotate(matvec(w.get(p + "self_attn.q_proj.weight"), h), t, c);
                k[t] = rotate(matvec(w.get(p + "self_attn.k_proj.weight"), h), t, c);
                v[t] = matvec(w.get(p + "self_attn.v_proj.weight"), h);
            }
            double[][] next = new double[len][];
            for (int t = 0; t < len; t++) {
                double[] attn = new double[d];
                for (int head = 0; head < heads; head++) {
                    int kv = head / group;
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= t; j++) {
                        for (int i = 0; i < hd; i++) {
                            s[j] += q[t][head * hd + i] * k[j][kv * hd + i];
                        }
                        s[j] /= Math.sqrt(hd);
                        max = Math.max(max, s[j]);
                    }
                    double z = 0;
                    for (int j = 0; j <= t; j++) {
                        s[j] = Math.exp(s[j] - max);
                        z += s[j];
                    }
                    for (int j = 0; j <= t; j++) {
                        for (int i = 0; i < hd; i++) {
                            attn[head * hd + i] += s[j] / z * v[j][kv * hd + i];
                        }
                    }
                }
                double[] r = add(x[t], matvec(w.get(p + "self_attn.o_proj.weight"), attn));
                double[] h = rms(r, w.get(p + "post_attention_layernorm.weight"), c.rmsNormEps());
                double[] g = matvec(w.get(p + "mlp.gate_proj.weight"), h);
                double[] u = matvec(w.get(p + "mlp.up_proj.weight"), h);
                for (int i = 0; i < g.length; i++) {
                    g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
                }
                next[t] = add(r, matvec(w.get(p + "mlp.down_proj.weight"), g));
            }
            x = next;
        }
        double[] head = w.get(c.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight");
        double[][] out = new double[len][];
        for (int t = 0; t < len; t++) {
            out[t] = matvec(head, rms(x[t], w.get("model.norm.weight"), c.rmsNormEps()));
        }
        return out;
    }

    static double[] matvec(double[] m, double[] x) {
        int rowsN = m.length / x.length;
        double[] y = new double[rowsN];
        for (int r = 0; r < rowsN; r++) {
            for (int i = 0; i < x.length; i++) {
                y[r] += m[r * x.length + i] * x[i];
            }
        }
        return y;
    }

    static double[] rms(double[] x, double[] g, double eps) {
        double ms = 0;
        for (double v : x) {
            ms += v * v / x.length;
        }
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] / Math.sqrt(ms + eps) * g[i];
        }
        return y;
    }

    static double[] add(double[] a, double[] b) {
        double[] y = a.clone();
        for (int i = 0; i < y.length; i++) {
            y[i] += b[i];
        }
        return y;
    }

    /** Rotates pairs (i, i + hd/2) of every head by angle pos/factor · θ^(−2i/hd): the rotate-half layout. */
    static double[] rotate(double[] x, int pos, LlamaConfig c) {
        int hd = c.headDim();
        double[] y = x.clone();
        for (int h = 0; h < x.length / hd; h++) {
            for (int i = 0; i < hd / 2; i++) {
                double angle = pos / c.ropeScaling().factor() * Math.pow(c.ropeTheta(), -2.0 * i / hd);
                double a = x[h * hd + i];
                double b = x[h * hd + i + hd / 2];
                y[h * hd + i] = a * Math.cos(angle) - b * Math.sin(angle);
                y[h * hd + i + hd / 2] = b * Math.cos(angle) + a * Math.sin(angle);
            }
        }
        return y;
    }
}
