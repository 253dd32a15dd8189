package org.cklbench.core.run;

import org.cklbench.core.train.Trainer;
import org.cklbench.progress.Progress;

/** Advances a stage's bar by a step and shows the step's loss beside it; a resumed stage's bar starts at its step. */
public final class ProgressListener implements StageListener {
    private final Progress.Task bar;

    public ProgressListener(Progress.Task bar) {
        this.bar = bar;
    }

    @Override
    public void onStageStart(int stage, long fromStep, long steps) {
        bar.step(fromStep);
    }

    @Override
    public void onStep(Trainer.Step step) {
        bar.step(1);
        bar.message(String.format("loss %.4f", step.loss()));
    }
}
