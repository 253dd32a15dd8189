package org.cklbench.methods.taalm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference's AdamW variant ({@code taalm_adamw.py}, {@code _single_tensor_adamw_oop}) as the inner
 * optimiser: its step and the elementwise Jacobian that the meta-gradient multiplies with, against an
 * independent double-precision computation written from the reference's lines: the step formula
 * directly, and ∂step/∂g by a central difference of that double-precision step.
 */
class ReferenceAdamWTest {
    private static final double LR = 2e-4;
    private static final double B1 = 0.9;
    private static final double B2 = 0.999;
    private static final double EPS = 1e-8;
    private static final double WD = 0.01;

    /** θ, the dummy step's gradient, the differentiated step's gradient: small, large and zero entries. */
    private static final float[] THETA = {0.5f, -0.25f, 0.1f, 0f, 1.5f, -2f, 0.03f, 0.7f};
    private static final float[] G1 = {1e-3f, -2e-5f, 0.4f, 0f, -3e-7f, 5e-2f, 1e-6f, 2f};
    private static final float[] G2 = {-4e-4f, 3e-5f, 0.1f, 0f, 2e-6f, -6e-2f, 0f, -1.5f};

    @Test
    void stepAndJacobianMatchTheReferenceFormulasInDoublePrecision() {
        MetaGradient.Settings s = MetaGradient.Settings.reference(LR, 1);
        assertThat(s.optimizer()).isEqualTo(MetaGradient.Inner.REFERENCE);
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            MetaGradient.InnerState state = new MetaGradient.InnerState(s);
            Map<String, NDArray> th1 = state.step(one(m, THETA), one(m, G1));
            Map<String, NDArray> jac = state.jacobian(one(m, G2));
            Map<String, NDArray> th2 = state.step(th1, one(m, G2));
            float[] a1 = th1.get("p").toFloatArray();
            float[] a2 = th2.get("p").toFloatArray();
            float[] j = jac.get("p").toFloatArray();
            for (int i = 0; i < THETA.length; i++) {
                // the dummy step from zero moments, then the differentiated one
                double m1 = (1 - B1) * G1[i];
                double v1 = (1 - B2) * G1[i] * G1[i];
                double p1 = step(THETA[i], G1[i], 0, 0, 1);
                assertThat((double) a1[i]).as("step 1, entry %d", i).isCloseTo(p1, tolerance(p1));
                double p2 = step(a1[i], G2[i], m1, v1, 2);
                assertThat((double) a2[i]).as("step 2, entry %d", i).isCloseTo(p2, tolerance(p2));
                // ∂θ2/∂g = −∂step/∂g; the suite's Jacobian is ∂step/∂g
                double h = Math.max(1e-9, Math.abs(G2[i]) * 1e-4);
                double d = -(step(a1[i], G2[i] + h, m1, v1, 2) - step(a1[i], G2[i] - h, m1, v1, 2)) / (2 * h);
                assertThat((double) j[i]).as("Jacobian, entry %d", i).isCloseTo(d, org.assertj.core.data.Offset.offset(
                        Math.abs(d) * 1e-4 + 1e-9));
            }
            // the floor: a tiny gradient's step is SGD-like, lr·(1−β1)/bc1·g/D with D ≈ 1e-4/√bc2, not lr·sign(g)
            double bc2 = 1 - B2 * B2;
            double floor = (Math.sqrt(1e-8) + 1e-8) / Math.sqrt(bc2) + EPS;
            assertThat(floor).isBetween(2.2e-3, 2.3e-3);
            assertThat((double) j[6]).isCloseTo(LR * (1 - B1) / (1 - B1 * B1) / floor,
                    org.assertj.core.data.Offset.offset(1e-6 * LR / floor));
        }
    }

    @Test
    void theTextbookVariantHasNoFloor() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            MetaGradient.InnerState state = new MetaGradient.InnerState(MetaGradient.Settings.adamw(LR, 1));
            Map<String, NDArray> th1 = state.step(one(m, THETA), one(m, G1));
            // textbook AdamW's first step is lr·sign(g) (plus decay) even for g = 1e-6; the reference's is far smaller
            float[] textbook = th1.get("p").toFloatArray();
            MetaGradient.InnerState ref = new MetaGradient.InnerState(MetaGradient.Settings.reference(LR, 1));
            float[] reference = ref.step(one(m, THETA), one(m, G1)).get("p").toFloatArray();
            double decay = THETA[6] * WD * LR;
            assertThat(THETA[6] - textbook[6] - decay).isCloseTo(LR, org.assertj.core.data.Offset.offset(LR * 2e-2));
            assertThat(THETA[6] - reference[6] - decay).isLessThan(LR * 1e-2);
        }
    }

    /**
     * taalm_adamw.py lines 535-600 in double: p·(1 − lr·wd), m' = lerp(m, g, 1−β1), v' = β2·v + (1−β2)·g²,
     * denom = (√(v' + 1e-8) + 1e-8)/√bc2 + ε, p − lr/bc1 · m'/denom.
     */
    private static double step(double p, double g, double m, double v, int t) {
        double bc1 = 1 - Math.pow(B1, t);
        double bc2 = 1 - Math.pow(B2, t);
        double p0 = p * (1 - LR * WD);
        double m1 = m + (g - m) * (1 - B1);
        double v1 = v * B2 + (1 - B2) * g * g;
        double denom = (Math.sqrt(v1 + 1e-8) + 1e-8) / Math.sqrt(bc2) + EPS;
        return p0 - LR / bc1 * m1 / denom;
    }

    private static org.assertj.core.data.Offset<Double> tolerance(double x) {
        return org.assertj.core.data.Offset.offset(Math.abs(x) * 1e-6 + 1e-9);
    }

    private static Map<String, NDArray> one(NDManager m, float[] values) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put("p", m.create(values, new Shape(values.length)));
        return out;
    }
}
