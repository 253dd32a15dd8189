package org.cklbench.methods.taalm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.testing.Numerics.cosine;
import static org.cklbench.testing.Numerics.doubles;
import static org.cklbench.testing.Numerics.normRel;

/**
 * Three examples whose documents (12, 9, 5 tokens) and tasks (10, 8, 6 tokens) all differ in length,
 * right-padded into one batch, against the same examples one at a time: the batched meta-gradient at
 * scale 1/3 equals the sum of the single ones at scale 1/3 (the mean of the per-example meta-gradients),
 * and every example's losses, training's and validation's, are its own.
 */
class BatchedMetaGradientTest {
    /**
     * Losses differ by float32 rounding only (the batched GEMMs sum in another order): measured ≤ 3e-7
     * relative. A row that saw another row's tokens or θ would be off by far more.
     */
    private static final double LOSS_TOLERANCE = 1e-5;
    /**
     * Relative error (norm) allowed between the batched meta-gradient and the per-example ones, by inner
     * optimiser. The finite difference divides the rounding of two forward passes by 2ε (radius 1e-2),
     * so meta-gradients differ by more than losses: SGD measured 6.5e-5. AdamW with the reference's
     * ε = 1e-8 turns rounding-level differences of gradient entries near 0 into steps of ±lr (Adam
     * normalises them), measured 1.3e-3, the level at which the suite's meta-gradient also differs from
     * exact double backward ({@code AdamWMetaGradientTest}, 1e-2 allowed there too); with ε = 5e-2 the
     * step is smooth (measured 2.8e-4). Each tensor's error is allowed 10 times as much (worst measured:
     * 1.2e-4, 6.7e-4, 2.0e-3). Dropping one example of three, or giving one the wrong θ, moves it by O(1).
     */
    private static double gradientTolerance(String inner) {
        return inner.equals("ADAMW_REFERENCE") ? 1e-2 : 1e-3;
    }

    @ParameterizedTest
    @ValueSource(strings = {"SGD", "ADAMW_SMOOTH", "ADAMW_REFERENCE"})
    void theBatchedMetaGradientIsTheMeanOfThePerExampleOnes(String inner) throws Exception {
        // AdamW with one graph-free dummy step, so the stacked optimiser state is exercised too
        MetaGradient.Settings s = switch (inner) {
            case "SGD" -> MetaGradient.Settings.sgd(0.5);
            case "ADAMW_SMOOTH" -> new MetaGradient.Settings(MetaGradient.Inner.ADAMW, 0.02, 1, 0.01, 0.9, 0.999, 5e-2, 1e-2);
            default -> MetaGradient.Settings.adamw(3e-3, 1);
        };
        double tolerance = gradientTolerance(inner);
        try (MetaFixture f = MetaFixture.open()) {
            long[][] docs = rows(f.expected().read("input_ids", f.m()), f.expected().read("attention_mask", f.m()));
            long[] task = f.expected().read("meta.task_ids", f.m()).toLongArray();
            float[] objects = f.expected().read("meta.object_target_mask", f.m()).toFloatArray();
            int n = docs.length;
            long[][] tasks = new long[n][];
            float[][] targets = new float[n][];
            for (int b = 0; b < n; b++) {
                // BOS, then the task without its first 2·b words: the object stays the last three targets
                int drop = 2 * b;
                tasks[b] = new long[task.length - drop];
                tasks[b][0] = task[0];
                System.arraycopy(task, 1 + drop, tasks[b], 1, task.length - 1 - drop);
                targets[b] = java.util.Arrays.copyOfRange(objects, drop, objects.length);
            }
            Map<String, NDArray> phi = f.ta().parameters();

            phi.values().forEach(p -> p.setRequiresGradient(true));
            List<MetaGradient.Result> batched;
            try (NDManager scope = f.m().newSubManager()) {
                batched = MetaGradient.accumulate(f.ta(), f.theta(), batch(docs, tasks, targets, 0, n, scope), s,
                        1.0 / n);
            }
            Map<String, double[]> gBatched = gradients(phi);

            // setRequiresGradient leaves an accumulated gradient as it is: zero it as the outer optimiser does
            phi.values().forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
            List<MetaGradient.Result> single = new ArrayList<>();
            for (int b = 0; b < n; b++) {
                try (NDManager scope = f.m().newSubManager()) {
                    single.addAll(MetaGradient.accumulate(f.ta(), f.theta(),
                            batch(docs, tasks, targets, b, b + 1, scope), s, 1.0 / n));
                }
            }
            Map<String, double[]> gSingle = gradients(phi);
            phi.values().forEach(p -> p.setRequiresGradient(false));

            assertThat(batched).hasSize(n);
            for (int b = 0; b < n; b++) {
                assertClose(batched.get(b).innerLoss(), single.get(b).innerLoss(), "inner loss " + b);
                assertClose(batched.get(b).taskLossBefore(), single.get(b).taskLossBefore(), "task loss before " + b);
                assertClose(batched.get(b).taskLossAfter(), single.get(b).taskLossAfter(), "task loss after " + b);
            }
            assertThat(single.get(0).taskLossAfter()).as("examples differ").isNotCloseTo(single.get(2).taskLossAfter(),
                    org.assertj.core.data.Percentage.withPercentage(0.1));
            double[] a = concat(gBatched);
            double[] e = concat(gSingle);
            System.out.printf("%s: batched vs per-example meta-gradient rel %.3e cos %.8f%n", inner, normRel(a, e),
                    cosine(a, e));
            assertThat(normRel(a, e)).as("relative error of the batched meta-gradient").isLessThan(tolerance);
            double worst = 0;
            for (String k : gSingle.keySet()) {
                worst = Math.max(worst, normRel(gBatched.get(k), gSingle.get(k)));
            }
            System.out.printf("%s: worst tensor rel %.3e%n", inner, worst);
            for (String k : gSingle.keySet()) {
                assertThat(normRel(gBatched.get(k), gSingle.get(k))).as(k).isLessThan(10 * tolerance);
            }

            // validation: the same losses batched and one at a time
            List<MetaGradient.Result> evalBatched;
            try (NDManager scope = f.m().newSubManager()) {
                evalBatched = MetaGradient.evaluate(f.ta(), f.theta(), batch(docs, tasks, targets, 0, n, scope), s);
            }
            for (int b = 0; b < n; b++) {
                try (NDManager scope = f.m().newSubManager()) {
                    MetaGradient.Result one = MetaGradient.evaluate(f.ta(), f.theta(),
                            batch(docs, tasks, targets, b, b + 1, scope), s).get(0);
                    assertClose(evalBatched.get(b).taskLossBefore(), one.taskLossBefore(), "validation before " + b);
                    assertClose(evalBatched.get(b).taskLossAfter(), one.taskLossAfter(), "validation after " + b);
                    assertClose(one.taskLossAfter(), single.get(b).taskLossAfter(), "validation equals training " + b);
                }
            }
        }
    }

    private static void assertClose(double actual, double expected, String what) {
        assertThat(Math.abs(actual - expected) / Math.abs(expected)).as(what + ": %s vs %s", actual, expected)
                .isLessThan(LOSS_TOLERANCE);
    }

    /** The unpadded rows of a right-padded batch. */
    private static long[][] rows(NDArray ids, NDArray mask) {
        long[] len = mask.sum(new int[] {1}).toLongArray();
        long[][] out = new long[len.length][];
        for (int b = 0; b < len.length; b++) {
            out[b] = ids.get(new NDIndex("{}, 0:{}", b, len[b])).toLongArray();
        }
        return out;
    }

    /**
     * Examples {@code from..to-1} right-padded to their longest document and task, with pad ids that are
     * real tokens (so that only the mask can keep them out).
     */
    private static MetaGradient.Example batch(long[][] docs, long[][] tasks, float[][] targets, int from, int to,
                                              NDManager scope) {
        NDArray[] d = pad(docs, from, to, 5, scope);
        NDArray[] t = pad(tasks, from, to, 9, scope);
        int width = (int) t[0].getShape().get(1) - 1;
        float[] obj = new float[(to - from) * width];
        for (int b = from; b < to; b++) {
            System.arraycopy(targets[b], 0, obj, (b - from) * width, targets[b].length);
        }
        return new MetaGradient.Example(d[0], d[1], t[0], t[1], scope.create(obj, new Shape(to - from, width)));
    }

    private static NDArray[] pad(long[][] rows, int from, int to, long padId, NDManager scope) {
        int len = 0;
        for (int b = from; b < to; b++) {
            len = Math.max(len, rows[b].length);
        }
        long[] ids = new long[(to - from) * len];
        long[] mask = new long[ids.length];
        java.util.Arrays.fill(ids, padId);
        for (int b = from; b < to; b++) {
            System.arraycopy(rows[b], 0, ids, (b - from) * len, rows[b].length);
            java.util.Arrays.fill(mask, (b - from) * len, (b - from) * len + rows[b].length, 1L);
        }
        Shape shape = new Shape(to - from, len);
        return new NDArray[] {scope.create(ids, shape), scope.create(mask, shape)};
    }

    private static Map<String, double[]> gradients(Map<String, NDArray> phi) {
        Map<String, double[]> out = new LinkedHashMap<>();
        phi.forEach((k, p) -> out.put(k, doubles(p.getGradient())));
        return out;
    }

    private static double[] concat(Map<String, double[]> g) {
        double[] out = new double[0];
        for (double[] x : g.values()) {
            double[] next = java.util.Arrays.copyOf(out, out.length + x.length);
            System.arraycopy(x, 0, next, out.length, x.length);
            out = next;
        }
        return out;
    }
}
