package org.cklbench.engine.lora;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import org.cklbench.testing.LoraReference;
import org.cklbench.engine.loss.Losses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.testing.Numerics.doubles;
import static org.cklbench.testing.Numerics.attended;
import static org.cklbench.testing.Numerics.maxRel;

class LoraFixtureTest {

    @Test
    void adaptedLogitsLossAndEveryGradientMatchTheReference() throws Exception {
        double wantLoss = LoraReference.weightedLoss();
        try (LoraReference.Adapted f = LoraReference.adapted()) {
            assertThat(f.lora().config().scaling()).isEqualTo(2.0);
            assertThat(f.lora().parameters()).hasSize(28);
            f.lora().parameters().values().forEach(p -> p.setRequiresGradient(true));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = f.model().logits(f.ids(), f.mask(), f.lora());
                double err = maxRel(doubles(logits), doubles(f.expected().read("lora.logits", f.m())),
                        attended(doubles(f.mask()), 512));
                assertThat(err).as("LoRA logits").isLessThan(1e-4);
                NDArray loss = Losses.weightedLoss(Losses.tokenNll(logits, f.ids()),
                        f.expected().read("token_weights", f.m()), Losses.targetMask(f.mask()));
                assertThat(Math.abs(loss.getFloat() - wantLoss) / wantLoss).isLessThan(1e-4);
                gc.backward(loss);
            }
            LoraReference.assertGradients(f.lora(), f.expected(), f.m());
        }
    }

    @Test
    void savedAdapterReloadsToTheSameLogits(@TempDir Path tmp) throws Exception {
        try (LoraReference.Adapted f = LoraReference.adapted()) {
            f.lora().save(tmp, "../model");
            try (LoraAdapter again = LoraAdapter.load(tmp, f.model())) {
                assertThat(doubles(f.model().logits(f.ids(), f.mask(), again)))
                        .containsExactly(doubles(f.model().logits(f.ids(), f.mask(), f.lora())));
            }
        }
    }

    @Test
    void mergingTheAdapterGivesTheAdaptedLogits() throws Exception {
        try (LoraReference.Adapted f = LoraReference.adapted()) {
            f.lora().mergeInto(f.model());
            double err = maxRel(
                    doubles(f.model().logits(f.ids(), f.mask(), org.cklbench.engine.model.ForwardHooks.NONE)),
                    doubles(f.expected().read("lora.logits", f.m())), attended(doubles(f.mask()), 512));
            assertThat(err).isLessThan(1e-4);
        }
    }
}
