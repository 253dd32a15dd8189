package org.cklbench.methods.taalm;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import org.cklbench.engine.djl.Scalars;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.loss.Losses;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.testing.Numerics.cosine;
import static org.cklbench.testing.Numerics.doubles;
import static org.cklbench.testing.Numerics.normRel;

/**
 * The meta-gradient with an AdamW inner step (2e-4, ε 1e-8, weight decay 0.01, one graph-free dummy step,
 * then one differentiated step), textbook and the reference's variant, against an independent computation:
 * the same pipeline differentiated exactly by PyTorch's double backward (the inner gradient kept with its
 * graph, {@code create_graph=True}), on the fixture's tiny Llama.
 */
class AdamWMetaGradientTest {
    private static final double LR = 2e-4;
    private static final double B1 = 0.9;
    private static final double B2 = 0.999;
    private static final double EPS = 1e-8;
    private static final double WD = 0.01;

    /** Textbook AdamW: denominator √(v/bc2) + ε. */
    @Test
    void theFiniteDifferenceMetaGradientMatchesExactDoubleBackward() throws Exception {
        check("AdamW", MetaGradient.Settings.adamw(LR, 1),
                (v, bc2) -> Scalars.div(v, bc2).sqrt().add(EPS));
    }

    /**
     * The reference's AdamW variant ({@code ta_inner=reference}: denominator (√(v + 1e-8) + 1e-8)/√bc2 + ε,
     * {@code taalm_adamw.py} 597-599), differentiated exactly through that formula. (The step and Jacobian
     * alone: {@link ReferenceAdamWTest}.)
     */
    @Test
    void theReferenceVariantsMetaGradientMatchesExactDoubleBackward() throws Exception {
        check("reference AdamW", MetaGradient.Settings.reference(LR, 1),
                (v, bc2) -> Scalars.div(v.add(1e-8).sqrt().add(1e-8), Math.sqrt(bc2)).add(EPS));
    }

    private static void check(String label, MetaGradient.Settings reference,
                              java.util.function.BiFunction<NDArray, Double, NDArray> denom) throws Exception {
        assertThat(reference.eps()).isEqualTo(EPS);
        assertThat(reference.weightDecay()).isEqualTo(WD);
        try (MetaFixture f = MetaFixture.open()) {
            NDArray doc = f.expected().read("meta.data_ids", f.m());
            NDArray docMask = doc.onesLike();
            NDArray task = f.expected().read("meta.task_ids", f.m());
            NDArray objects = f.expected().read("meta.object_target_mask", f.m());
            Map<String, NDArray> phi = f.ta().parameters();

            // The suite's meta-gradient (finite-difference Hessian-vector product).
            phi.values().forEach(p -> p.setRequiresGradient(true));
            MetaGradient.accumulate(f.ta(), f.theta(),
                    new MetaGradient.Example(doc, docMask, task, task.onesLike(), objects),
                    reference, 1.0);
            Map<String, double[]> suite = new LinkedHashMap<>();
            phi.forEach((k, p) -> suite.put(k, doubles(p.getGradient())));
            phi.values().forEach(p -> p.setRequiresGradient(true)); // fresh, zeroed gradients

            Map<String, double[]> exact = exact(f.ta(), f.theta(), doc, docMask, task, objects, f.m(), denom);
            double[] a = new double[0];
            double[] e = new double[0];
            for (String k : phi.keySet()) {
                a = concat(a, suite.get(k));
                e = concat(e, exact.get(k));
            }
            System.out.printf("%s + dummy step: rel %.3e cos %.8f |exact| %.3e%n", label, normRel(a, e), cosine(a, e), norm(e));
            assertThat(norm(e)).as("the meta-gradient is not degenerate").isGreaterThan(1e-9);
            assertThat(normRel(a, e)).as("relative error against exact double backward").isLessThan(1e-2);
            assertThat(cosine(a, e)).isGreaterThan(0.999);
        }
    }

    /**
     * dL_T(θ2)/dφ with θ2 = adamw(θ1, g1), g1 = ∇θ L_w(θ1; φ(D)) kept with its graph, θ1 the dummy step's result.
     * Every constant that meets g1's graph goes through {@link Scalars}: DJL's {@code mul(Number)} and
     * {@code div(Number)} hand autograd a 0-d tensor over a Java buffer that is freed at the next garbage
     * collection, and the double backward then reads freed memory (NaN or ∞, depending on GC timing).
     */
    private static Map<String, double[]> exact(TrainAttentionModel ta, LoraAdapter theta0, NDArray doc, NDArray docMask,
                                               NDArray task, NDArray objects, NDManager m,
                                               java.util.function.BiFunction<NDArray, Double, NDArray> denom) {
        NDArray targets = Losses.targetMask(docMask);
        Map<String, double[]> out = new LinkedHashMap<>();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray w = ta.weights(doc, docMask);
            // dummy step: no graph, constants afterwards (θ1, and the moments m0, v0)
            Map<String, NDArray> th0 = leaves(theta0.copyParameters(m));
            NDArray l0 = Losses.weightedLoss(Losses.tokenNll(ta.base(), doc, docMask, theta0.withParameters(th0)),
                    w.stopGradient(), targets);
            JniUtils.backward((PtNDArray) l0, (PtNDArray) l0.onesLike(), false, false);
            Map<String, NDArray> m0 = new LinkedHashMap<>();
            Map<String, NDArray> v0 = new LinkedHashMap<>();
            Map<String, NDArray> th1 = new LinkedHashMap<>();
            th0.forEach((k, p) -> {
                NDArray g = p.getGradient().stopGradient();
                NDArray mk = g.mul(1 - B1);
                NDArray vk = g.square().mul(1 - B2);
                m0.put(k, mk);
                v0.put(k, vk);
                NDArray update = mk.div(1 - B1).div(denom.apply(vk, 1 - B2)).add(p.stopGradient().mul(WD)).mul(LR);
                th1.put(k, p.stopGradient().sub(update));
            });
            Map<String, NDArray> th1Leaves = leaves(th1);
            // the differentiated step: the gradient keeps its graph back to φ through w
            NDArray l1 = Losses.weightedLoss(Losses.tokenNll(ta.base(), doc, docMask, theta0.withParameters(th1Leaves)),
                    w, targets);
            JniUtils.backward((PtNDArray) l1, (PtNDArray) l1.onesLike(), true, true);
            ta.parameters().values().forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
            double bc1 = 1 - B1 * B1;
            double bc2 = 1 - B2 * B2;
            Map<String, NDArray> th2 = new LinkedHashMap<>();
            th1Leaves.forEach((k, p) -> {
                NDArray g = p.getGradient();
                NDArray mk = m0.get(k).mul(B1).add(Scalars.mul(g, 1 - B1));
                NDArray vk = v0.get(k).mul(B2).add(Scalars.mul(g.square(), 1 - B2));
                NDArray update = Scalars.mul(Scalars.div(mk, bc1).div(denom.apply(vk, bc2)).add(p.stopGradient().mul(WD)), LR);
                th2.put(k, p.stopGradient().sub(update));
            });
            NDArray nll = Losses.tokenNll(ta.base(), task, task.onesLike(), theta0.withParameters(th2));
            NDArray taskLoss = nll.mul(objects).sum().div(objects.sum());
            // What the CI's long JVM does at random: a collection between the forward and the double backward.
            collectGarbage();
            gc.backward(taskLoss);
            ta.parameters().forEach((k, p) -> out.put(k, doubles(p.getGradient())));
        }
        return out;
    }

    /** Frees every unreachable direct buffer and fills the freed memory with NaN where the allocator reuses it. */
    private static void collectGarbage() {
        System.gc();
        java.util.List<java.nio.ByteBuffer> fill = new java.util.ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            fill.add(java.nio.ByteBuffer.allocateDirect(4).putFloat(0, Float.NaN));
        }
    }

    private static Map<String, NDArray> leaves(Map<String, NDArray> tensors) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            NDArray leaf = v.stopGradient().duplicate();
            leaf.setRequiresGradient(true);
            out.put(k, leaf);
        });
        return out;
    }

    private static double norm(double[] a) {
        double s = 0;
        for (double x : a) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
