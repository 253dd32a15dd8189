package org.cklbench.engine.loss;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.cklbench.engine.djl.Autograd;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaConfig;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.testing.LoraReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.testing.Numerics.doubles;
import static org.cklbench.testing.Numerics.normRel;

class HeadBackwardTest {

    @Test
    void theFixtureAdaptersGradientsMatchTheReference() throws Exception {
        double wantLoss = LoraReference.weightedLoss();
        try (LoraReference.Adapted f = LoraReference.adapted()) {
            f.lora().parameters().values().forEach(p -> p.setRequiresGradient(true));
            NDArray weights = f.expected().read("token_weights", f.m());
            NDArray loss = HeadBackward.backward(f.model(), f.ids(), f.mask(), f.lora(),
                    nll -> Losses.weightedLoss(nll, weights, Losses.targetMask(f.mask())));
            assertThat(Math.abs(loss.getFloat() - wantLoss) / wantLoss).isLessThan(1e-4);
            LoraReference.assertGradients(f.lora(), f.expected(), f.m());
        }
    }

    /** Every weight trained, the head's own gradient included, tied to the embedding or not. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyGradientIsAutogradsWhenAllWeightsTrain(boolean tied) {
        LlamaConfig config = LlamaConfig.create(96, 32, 64, 2, 4, 2, tied, 32);
        try (LlamaModel model = HfModels.init(config, 3, Device.cpu(), DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            model.weights().values().forEach(p -> p.setRequiresGradient(true));
            NDArray ids = randomIds(m, 3, 12, 96);
            // right padding on the last row, so masked targets must get no gradient
            NDArray mask = m.create(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                    1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0}, new Shape(3, 12)).toType(DataType.INT64, false);
            // a loss with an extra term on a weight, as RecAdam-like methods add
            NDArray norm = model.weight("model.norm.weight");
            Function<NDArray, NDArray> loss = nll -> Losses.meanLoss(nll, Losses.targetMask(mask))
                    .add(org.cklbench.engine.djl.Scalars.mul(norm.square().sum(), 0.01));
            assertSameGradients(model, model.weights(), ids, mask, ForwardHooks.NONE, loss);
        }
    }

    /** Targets whose probability underflows float32 take the log-normaliser path, still exact. */
    @Test
    void targetsFarOutOfFavourGetTheirExactNll() {
        LlamaConfig config = LlamaConfig.create(96, 32, 64, 1, 4, 4, false, 32);
        try (LlamaModel model = HfModels.init(config, 7, Device.cpu(), DataType.FLOAT32);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            model.weight("lm_head.weight").muli(400);
            NDArray ids = randomIds(m, 2, 12, 96);
            NDArray mask = ids.onesLike();
            float[] exact = Losses.tokenNll(model, ids, mask, ForwardHooks.NONE).toFloatArray();
            double worst = 0;
            for (float x : exact) {
                worst = Math.max(worst, x);
            }
            assertThat(worst).as("some target is below 1e-30").isGreaterThan(69.1);
            model.weights().values().forEach(p -> p.setRequiresGradient(true));
            float[][] seen = new float[1][];
            assertSameGradients(model, model.weights(), ids, mask, ForwardHooks.NONE, nll -> {
                seen[0] = nll.toFloatArray();
                return Losses.meanLoss(nll, Losses.targetMask(mask));
            });
            for (int i = 0; i < exact.length; i++) {
                assertThat(seen[0][i]).isCloseTo(exact[i], org.assertj.core.data.Offset.offset(1e-4f * Math.max(1, exact[i])));
            }
        }
    }

    @Test
    void loraGradientsAreAutogradsWithTokenWeights() {
        LlamaConfig config = LlamaConfig.create(80, 32, 64, 2, 4, 4, false, 32);
        try (LlamaModel model = HfModels.init(config, 5, Device.cpu(), DataType.FLOAT32);
             LoraAdapter lora = LoraAdapter.init(org.cklbench.engine.lora.LoraConfig.of(4, 8, 0.0,
                     org.cklbench.engine.lora.LoraConfig.PROJECTIONS), model, 5);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            // B starts at zero; move it so every A has a gradient too
            lora.parameters().forEach((k, v) -> {
                if (k.endsWith("lora_B.weight")) {
                    v.addi(m.randomNormal(0, 0.05f, v.getShape(), DataType.FLOAT32));
                }
            });
            lora.parameters().values().forEach(p -> p.setRequiresGradient(true));
            NDArray ids = randomIds(m, 2, 16, 80);
            NDArray mask = ids.onesLike();
            NDArray w = m.randomUniform(0, 1, new Shape(2, 15));
            assertSameGradients(model, lora.parameters(), ids, mask, lora,
                    nll -> Losses.weightedLoss(nll, w, Losses.targetMask(mask)));
        }
    }

    private static void assertSameGradients(LlamaModel model, Map<String, NDArray> params, NDArray ids, NDArray mask,
                                            ForwardHooks hooks, Function<NDArray, NDArray> lossOfNll) {
        float viaAutograd = Autograd.backward(() -> lossOfNll.apply(Losses.tokenNll(model, ids, mask, hooks))).getFloat();
        Map<String, double[]> reference = new LinkedHashMap<>();
        params.forEach((k, p) -> reference.put(k, doubles(p.getGradient())));
        params.values().forEach(p -> ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p));
        float fused = HeadBackward.backward(model, ids, mask, hooks, lossOfNll).getFloat();
        assertThat(fused).isCloseTo(viaAutograd, org.assertj.core.data.Percentage.withPercentage(1e-4));
        params.forEach((k, p) -> {
            double[] want = reference.get(k);
            assertThat(java.util.Arrays.stream(want).map(Math::abs).max().orElse(0)).as("%s has a gradient", k)
                    .isGreaterThan(0);
            assertThat(normRel(doubles(p.getGradient()), want)).as("gradient of %s", k).isLessThan(1e-5);
        });
    }

    private static NDArray randomIds(NDManager m, int rows, int len, int vocab) {
        SplittableRandom rng = new SplittableRandom(rows * 31L + len);
        long[] ids = new long[rows * len];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 3 + rng.nextInt(vocab - 3);
        }
        return m.create(ids, new Shape(rows, len));
    }
}
