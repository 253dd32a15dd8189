package org.cklbench.engine.lora;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.cklbench.engine.djl.Autograd;
import org.cklbench.engine.loss.Losses;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.testing.LoraReference;
import org.cklbench.testing.TinyModels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cklbench.testing.Numerics.doubles;
import static org.cklbench.testing.Numerics.maxRel;

/**
 * Three different adapters stacked and run on the fixture's three right-padded rows (12, 9 and 5
 * tokens) against each adapter run alone on its own unpadded row: the same logits at every real
 * position, and the gradient of the summed per-row losses in stacked slice b equal to adapter b's own
 * gradient.
 */
class StackedLoraTest {
    /** Float32 rounding of a batched against an unbatched GEMM; a wrong row or adapter is off by O(1). */
    private static final double LOGITS_TOLERANCE = 1e-5;
    private static final double GRADIENT_TOLERANCE = 1e-4;

    @Test
    void eachRowComputesWhatItsOwnAdapterComputesAlone() throws Exception {
        try (LoraReference.Adapted f = LoraReference.adapted()) {
            int rows = (int) f.ids().getShape().get(0);
            long[] lengths = f.mask().sum(new int[] {1}).toLongArray();
            assertThat(lengths).as("rows of different lengths").doesNotHaveDuplicates();

            // adapter b: the fixture's, perturbed by seeded noise of scale 0.05·b in every tensor
            List<LoraAdapter> adapters = new ArrayList<>();
            SplittableRandom rng = new SplittableRandom(7);
            for (int b = 0; b < rows; b++) {
                Map<String, NDArray> t = new LinkedHashMap<>();
                for (Map.Entry<String, NDArray> e : f.lora().parameters().entrySet()) {
                    float[] noise = new float[(int) e.getValue().size()];
                    for (int i = 0; i < noise.length; i++) {
                        noise[i] = (float) ((rng.nextDouble() * 2 - 1) * 0.05 * b);
                    }
                    t.put(e.getKey(), e.getValue().add(f.m().create(noise, e.getValue().getShape())));
                }
                adapters.add(f.lora().withParameters(t));
            }
            Map<String, NDArray> stacked = new LinkedHashMap<>();
            for (String k : f.lora().parameters().keySet()) {
                NDArray s = NDArrays.stack(new NDList(adapters.stream().map(a -> a.parameters().get(k))
                        .toArray(NDArray[]::new)), 0);
                s.setRequiresGradient(true);
                stacked.put(k, s);
            }
            StackedLora many = new StackedLora(f.lora().config(), stacked);
            assertThat(many.examples()).isEqualTo(rows);

            NDArray[] batchedLogits = new NDArray[1];
            Autograd.backward(() -> {
                batchedLogits[0] = f.model().logits(f.ids(), f.mask(), many);
                NDArray nll = Losses.tokenNll(batchedLogits[0], f.ids());
                NDArray targets = Losses.targetMask(f.mask());
                return Losses.weightedLossPerRow(nll, targets.onesLike(), targets).sum();
            });
            for (int b = 0; b < rows; b++) {
                long len = lengths[b];
                NDArray own = f.ids().get(new NDIndex("{}:{}, 0:{}", b, b + 1, len));
                LoraAdapter alone = adapters.get(b);
                Map<String, NDArray> leaves = new LinkedHashMap<>();
                alone.parameters().forEach((k, v) -> {
                    NDArray leaf = v.duplicate();
                    leaf.setRequiresGradient(true);
                    leaves.put(k, leaf);
                });
                NDArray[] aloneLogits = new NDArray[1];
                Autograd.backward(() -> {
                    aloneLogits[0] = f.model().logits(own, own.onesLike(), f.lora().withParameters(leaves));
                    NDArray nll = Losses.tokenNll(aloneLogits[0], own);
                    return Losses.meanLoss(nll, Losses.targetMask(own.onesLike()));
                });
                double logitsErr = maxRel(doubles(batchedLogits[0].get(new NDIndex("{}, 0:{}", b, len))),
                        doubles(aloneLogits[0].get(new NDIndex("0"))), null);
                assertThat(logitsErr).as("logits of row %d (%d tokens)", b, len).isLessThan(LOGITS_TOLERANCE);
                for (String k : leaves.keySet()) {
                    double err = maxRel(doubles(stacked.get(k).getGradient().get(new NDIndex("{}", b))),
                            doubles(leaves.get(k).getGradient()), null);
                    assertThat(err).as("gradient of %s, example %d", k, b).isLessThan(GRADIENT_TOLERANCE);
                }
            }
        }
    }

    @Test
    void stackingCopiesTheAdapterAndMismatchedShapesAreRefused() throws Exception {
        try (LlamaModel model = TinyModels.random(5);
             LoraAdapter lora = LoraAdapter.init(LoraConfig.of(4, 8, 0.0, LoraConfig.PROJECTIONS), model, 3);
             NDManager m = NDManager.newBaseManager(Device.cpu())) {
            String first = lora.parameters().keySet().iterator().next();
            double[] before = doubles(lora.parameters().get(first));
            Map<String, NDArray> s = StackedLora.stack(lora, 2, m);
            for (Map.Entry<String, NDArray> e : s.entrySet()) {
                NDArray one = lora.parameters().get(e.getKey());
                assertThat(e.getValue().getShape()).isEqualTo(new Shape(2).addAll(one.getShape()));
                assertThat(doubles(e.getValue().get(1))).containsExactly(doubles(one));
            }
            s.get(first).addi(1); // a copy: the adapter is untouched
            assertThat(doubles(lora.parameters().get(first))).containsExactly(before);
            Map<String, NDArray> bad = new LinkedHashMap<>(s);
            bad.put(first, m.zeros(new Shape(3, 4, 64)));
            assertThatThrownBy(() -> new StackedLora(lora.config(), bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("with one B");
        }
    }
}
