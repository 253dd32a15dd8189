package org.cklbench.engine.optim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.cklbench.engine.djl.Autograd;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The fused update equals torch.optim.AdamW's algorithm, written out here in double precision. */
class AdamWTest {

    @Test
    void threeStepsMatchTorchAdamWWithClipping() {
        double lr = 0.1;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-3; // large enough that where ε enters the update matters
        double wd = 0.01;
        double clip = 1.0;
        double[] p = {0.5, -1.5, 2.0};
        double[] m = new double[3];
        double[] v = new double[3];
        try (NDManager mgr = NDManager.newBaseManager(Device.cpu());
             AdamW opt = new AdamW(mgr, b1, b2, eps, wd)) {
            NDArray param = mgr.create(new float[] {0.5f, -1.5f, 2.0f});
            param.setRequiresGradient(true);
            for (int step = 1; step <= 3; step++) {
                // loss = Σ c·p² with c = step: gradient 2·step·p, large enough to be clipped
                int c = step;
                try (NDManager scope = mgr.newSubManager()) {
                    Autograd.backward(() -> param.square().mul(c).sum());
                    opt.step(Map.of("p", param), lr, clip, scope);
                }
                double[] g = new double[3];
                double norm = 0;
                for (int i = 0; i < 3; i++) {
                    g[i] = 2 * c * p[i];
                    norm += g[i] * g[i];
                }
                norm = Math.sqrt(norm);
                double coef = Math.min(1.0, clip / (norm + 1e-6));
                for (int i = 0; i < 3; i++) {
                    double gi = g[i] * coef;
                    p[i] *= 1 - lr * wd;
                    m[i] = b1 * m[i] + (1 - b1) * gi;
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                    double denom = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(b2, step)) + eps;
                    p[i] -= lr / (1 - Math.pow(b1, step)) * m[i] / denom;
                }
                float[] got = param.toFloatArray();
                for (int i = 0; i < 3; i++) {
                    assertThat((double) got[i]).as("step %d, element %d", step, i).isCloseTo(p[i], within(1e-5));
                }
                assertThat(param.getGradient().toFloatArray()).as("gradients are zeroed").containsOnly(0f);
            }
        }
    }
}
