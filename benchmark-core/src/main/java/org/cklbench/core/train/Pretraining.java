package org.cklbench.core.train;

import org.cklbench.core.state.TrainSettings;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.core.state.TrainingState;

import org.cklbench.core.method.CklMethod;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.progress.Progress;
import org.cklbench.engine.tokenizer.TextTokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Full-weight causal-LM training of a (small) base model on plain texts, with the run trainer: how
 * the presets make a tiny model that actually knows the facts of its generated world.
 */
public final class Pretraining {
    private Pretraining() {
    }

    /** Trains every weight of {@code model} in place; returns the mean loss of the last epoch. */
    public static double run(LlamaModel model, TextTokenizer tokenizer, List<String> texts, int epochs, int batchSize,
                             double lr, long seed) {
        return run(model, tokenizer, texts, epochs, batchSize, lr, seed, Progress.NONE);
    }

    public static double run(LlamaModel model, TextTokenizer tokenizer, List<String> texts, int epochs, int batchSize,
                             double lr, long seed, Progress progress) {
        TrainSettings s = new TrainSettings(batchSize, 1, lr, "cosine", 0.05, 0.0, 1.0, 512, 0, 0, 0, true, true);
        List<TrainingDocument> docs = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            docs.add(new TrainingDocument("pretrain-" + i, texts.get(i), tokenizer.encode(texts.get(i)), Map.of()));
        }
        double last = Double.NaN;
        try (TrainingState state = new TrainingState(model, tokenizer, s, seed);
             Trainer trainer = new Trainer(state, new CklMethod() {
             })) {
            long steps = trainer.stepsPerStage(docs.size());
            trainer.plan((long) epochs * steps);
            try (Progress.Task bar = progress.start("pretrain", epochs * steps, "step")) {
                for (int e = 1; e <= epochs; e++) {
                    int epoch = e;
                    last = trainer.trainStage(e, docs, step -> {
                        bar.step(1);
                        bar.message(String.format("epoch %d loss %.3f", epoch, step.loss()));
                    }).meanLoss();
                }
            }
            state.trainable().values().forEach(p -> p.setRequiresGradient(false));
        }
        return last;
    }
}
