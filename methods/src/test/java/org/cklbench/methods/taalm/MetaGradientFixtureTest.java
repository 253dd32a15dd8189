package org.cklbench.methods.taalm;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.testing.Shared;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.testing.Numerics.cosine;
import static org.cklbench.testing.Numerics.doubles;
import static org.cklbench.testing.Numerics.maxRel;
import static org.cklbench.testing.Numerics.normRel;

class MetaGradientFixtureTest {

    private static String expectedName(String parameter) {
        if (parameter.startsWith("ta_head")) {
            return "meta." + parameter;
        }
        return "meta.phi." + parameter.substring("base_model.model.".length());
    }

    @Test
    void trainAttentionWeightsAndMetaGradientMatchTheReference() throws Exception {
        JsonNode scalars = new ObjectMapper().readTree(Shared.tinyLlama("expected.json").toFile());
        try (MetaFixture f = MetaFixture.open()) {
            NDArray doc = f.expected().read("meta.data_ids", f.m());
            NDArray docMask = doc.onesLike();
            NDArray task = f.expected().read("meta.task_ids", f.m());
            NDArray weights = f.ta().weights(doc, docMask);
            assertThat(maxRel(doubles(weights), doubles(f.expected().read("meta.token_weights", f.m())), null))
                    .as("TA weights").isLessThan(1e-4);

            f.ta().parameters().values().forEach(p -> p.setRequiresGradient(true));
            var ex = new MetaGradient.Example(doc, docMask, task, task.onesLike(),
                    f.expected().read("meta.object_target_mask", f.m()));
            var result = MetaGradient.accumulate(f.ta(), f.theta(), ex,
                    MetaGradient.Settings.sgd(scalars.get("meta.inner_lr").asDouble()), 1.0).get(0);

            assertThat(result.innerLoss()).isCloseTo(scalars.get("meta.inner_loss").asDouble(), org.assertj.core.data.Offset.offset(1e-4));
            assertThat(result.taskLossBefore()).isCloseTo(scalars.get("meta.task_loss_before").asDouble(), org.assertj.core.data.Offset.offset(1e-4));
            assertThat(result.taskLossAfter()).isCloseTo(scalars.get("meta.task_loss_after").asDouble(), org.assertj.core.data.Offset.offset(1e-4));

            double[] all = new double[0];
            double[] want = new double[0];
            for (Map.Entry<String, NDArray> p : f.ta().parameters().entrySet()) {
                double[] a = doubles(p.getValue().getGradient());
                double[] e = doubles(f.expected().read(expectedName(p.getKey()), f.m()));
                System.out.printf("%s rel %.2e cos %.6f%n", p.getKey(), normRel(a, e), cosine(a, e));
                all = concat(all, a);
                want = concat(want, e);
            }
            System.out.printf("meta-gradient: rel %.3e cos %.8f%n", normRel(all, want), cosine(all, want));
            assertThat(normRel(all, want)).as("relative error of the meta-gradient").isLessThan(1e-2);
            assertThat(cosine(all, want)).as("cosine similarity").isGreaterThan(0.999);
        }
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * For any inner optimiser, the meta-gradient of the head bias equals a central difference of the
     * whole pipeline (weights → inner update → task loss) in the bias.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"SGD", "ADAMW"})
    void headBiasMetaGradientAgreesWithADifferenceOfThePipeline(String inner) throws Exception {
        // Adam's step g/(|g|+ε) bends sharply for |g| near ε; a large ε keeps the pipeline smooth enough
        // for a central difference to converge (it does not, for ε = 1e-8, at any float32 step).
        MetaGradient.Settings s = inner.equals("SGD") ? MetaGradient.Settings.sgd(0.5)
                : new MetaGradient.Settings(MetaGradient.Inner.ADAMW, 0.02, 0, 0.01, 0.9, 0.999, 5e-2, 1e-2);
        try (MetaFixture f = MetaFixture.open()) {
            NDArray doc = f.expected().read("meta.data_ids", f.m());
            NDArray task = f.expected().read("meta.task_ids", f.m());
            var ex = new MetaGradient.Example(doc, doc.onesLike(), task, task.onesLike(),
                    f.expected().read("meta.object_target_mask", f.m()));
            NDArray bias = f.ta().parameters().get(TrainAttentionModel.HEAD_BIAS);
            double delta = 0.01;
            bias.addi(delta);
            double up = MetaGradient.evaluate(f.ta(), f.theta(), ex, s).get(0).taskLossAfter();
            bias.subi(2 * delta);
            double down = MetaGradient.evaluate(f.ta(), f.theta(), ex, s).get(0).taskLossAfter();
            bias.addi(delta);
            double numeric = (up - down) / (2 * delta);

            f.ta().parameters().values().forEach(p -> p.setRequiresGradient(true));
            MetaGradient.accumulate(f.ta(), f.theta(), ex, s, 1.0);
            double analytic = bias.getGradient().getFloat();
            System.out.printf("%s: bias meta-gradient %.6e, difference %.6e%n", inner, analytic, numeric);
            assertThat(analytic).isCloseTo(numeric, org.assertj.core.data.Percentage.withPercentage(2));
        }
    }
}
