package org.cklbench.engine.lora;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import org.cklbench.engine.djl.Scalars;
import org.cklbench.engine.loss.Losses;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.testing.TinyModels;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LoraAdapter#project} scales B instead of x·Aᵀ when s = alpha/r is a power of two of at least 1,
 * and sums its product into the fresh product rather than into the base output: both must give the bits
 * of the textbook order {@code output + (s·(x·Aᵀ))·Bᵀ}, in the logits and in every gradient.
 */
class LoraScalingTest {

    @Test
    void aPowerOfTwoScalingGivesTheBitsOfTheTextbookOrder() throws Exception {
        assertSameBitsAsTextbook(4, 8); // s = 2: B is scaled
    }

    @Test
    void anyOtherScalingGivesTheBitsOfTheTextbookOrder() throws Exception {
        assertSameBitsAsTextbook(4, 6); // s = 1.5: x·Aᵀ is scaled
    }

    private static void assertSameBitsAsTextbook(int r, double alpha) throws Exception {
        try (LlamaModel model = TinyModels.random(5);
             LoraAdapter init = LoraAdapter.init(LoraConfig.of(r, alpha, 0.0, LoraConfig.PROJECTIONS), model, 7);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            // B is zero at initialisation; nonzero B so that the adapter changes every projection
            SplittableRandom rng = new SplittableRandom(11);
            Map<String, NDArray> params = new LinkedHashMap<>();
            init.parameters().forEach((name, t) -> {
                float[] v = t.toFloatArray();
                if (name.endsWith("lora_B.weight")) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (rng.nextDouble() * 0.2 - 0.1);
                    }
                }
                NDArray p = m.create(v, t.getShape());
                p.setRequiresGradient(true);
                params.put(name, p);
            });
            LoraAdapter lora = init.withParameters(params);
            ForwardHooks textbook = new ForwardHooks() {
                @Override
                public NDArray project(String module, NDArray input, NDArray output) {
                    NDArray down = Scalars.mul(LlamaModel.linear(input, params.get(LoraAdapter.nameA(module))),
                            lora.config().scaling());
                    return output.add(LlamaModel.linear(down, params.get(LoraAdapter.nameB(module))));
                }
            };
            long[] ids = new long[2 * 12];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = 3 + rng.nextInt((int) model.config().vocabSize() - 3);
            }
            float[][] withAdapter = logitsAndGradients(model, lora, params, ids, m);
            float[][] withTextbook = logitsAndGradients(model, textbook, params, ids, m);
            assertThat(withAdapter.length).isEqualTo(withTextbook.length);
            for (int i = 0; i < withAdapter.length; i++) {
                assertThat(withAdapter[i]).as("array %d (0: logits, then gradients)", i).containsExactly(withTextbook[i]);
            }
        }
    }

    private static float[][] logitsAndGradients(LlamaModel model, ForwardHooks hooks, Map<String, NDArray> params,
                                                long[] ids, NDManager m) {
        float[][] out = new float[params.size() + 1][];
        try (NDManager step = m.newSubManager()) {
            NDArray idArr = step.create(ids, new Shape(2, ids.length / 2));
            NDArray mask = idArr.onesLike();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.logits(idArr, mask, hooks);
                out[0] = logits.toFloatArray();
                gc.backward(Losses.meanLoss(Losses.tokenNll(logits, idArr), Losses.targetMask(mask)));
            }
            int i = 1;
            for (NDArray p : params.values()) {
                out[i++] = p.getGradient().toFloatArray();
                JniUtils.zeroGrad((PtNDArray) p); // gradients accumulate: the next pass starts from zero
            }
        }
        return out;
    }
}
