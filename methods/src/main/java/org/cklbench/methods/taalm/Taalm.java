package org.cklbench.methods.taalm;

import ai.djl.ndarray.NDArray;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.MethodParameter;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.methods.taalm.TrainAttentionModel;
import org.cklbench.core.state.Batch;
import org.cklbench.core.state.TrainingState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * TAALM (Seo, Lee & Yeo, 2024): θ is trained on the token-weighted loss with the weights a meta-trained
 * Train-Attention model predicts for each document (SPEC §1). The TA model is the {@code ta} folder, or
 * the one the preset provides (the quick preset meta-trains one on the world's Train-Attention split).
 */
public final class Taalm implements MethodProvider {
    /** The run input that holds the preset's Train-Attention model. */
    public static final String INPUT = "train_attention_model";

    @Override
    public String id() {
        return "taalm";
    }

    @Override
    public String description() {
        return "TAALM: token-weighted loss with weights from a meta-trained Train-Attention model (--ta DIR)";
    }

    @Override
    public List<MethodParameter> parameters() {
        return List.of(new MethodParameter("ta", "preset", "Train-Attention model folder ('preset': the one the preset trains)"));
    }

    @Override
    public CklMethod create(MethodParams params) {
        String ta = params.get("ta");
        return new CklMethod() {
            private TrainAttentionModel model;

            @Override
            @SuppressWarnings("unchecked")
            public void setup(TrainingState state) {
                Path dir;
                if (ta.equals("preset")) {
                    Map<String, Path> inputs = (Map<String, Path>) state.attributes().getOrDefault("inputs", Map.of());
                    dir = inputs.get(INPUT);
                    if (dir == null) {
                        throw new IllegalArgumentException("taalm needs a Train-Attention model: pass --ta DIR (made by"
                                + " ckl taalm train), or use a preset that trains one (quick)");
                    }
                } else {
                    dir = Path.of(ta);
                }
                try {
                    model = TrainAttentionModel.load(dir, state.model());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public NDArray tokenWeights(TrainingState state, Batch batch, NDArray nll) {
                return model.weights(batch.ids(), batch.mask()).stopGradient();
            }

            @Override
            public void close() {
                if (model != null) {
                    model.close();
                }
            }
        };
    }
}
