package org.cklbench.core.run;

import org.cklbench.core.train.Trainer;

import java.util.List;

/** The listeners of a stage, called in the order given (the step log before anything that may checkpoint the step). */
public final class StageListeners implements Trainer.StepListener {
    private final List<StageListener> listeners;

    public StageListeners(List<StageListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    public void onStageStart(int stage, long fromStep, long steps) {
        for (StageListener l : listeners) {
            l.onStageStart(stage, fromStep, steps);
        }
    }

    @Override
    public void onStep(Trainer.Step step) {
        for (StageListener l : listeners) {
            l.onStep(step);
        }
    }

    public void onStageEnd(Trainer.StageResult result) {
        for (StageListener l : listeners) {
            l.onStageEnd(result);
        }
    }
}
