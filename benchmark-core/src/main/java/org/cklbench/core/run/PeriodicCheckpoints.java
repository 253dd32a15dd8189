package org.cklbench.core.run;

import org.cklbench.core.train.Trainer;

/**
 * Saves a checkpoint every {@code every} steps inside a stage ({@code checkpoint_every}; 0 for none).
 * Not at the stage's last step: the loop checkpoints the stage's end after its evaluation.
 */
public final class PeriodicCheckpoints implements StageListener {
    private final long every;
    private final Checkpointer checkpointer;

    public PeriodicCheckpoints(long every, Checkpointer checkpointer) {
        this.every = every;
        this.checkpointer = checkpointer;
    }

    @Override
    public void onStep(Trainer.Step step) {
        if (every > 0 && step.step() % every == 0 && step.step() < step.steps()) {
            checkpointer.saveAfter(step);
        }
    }
}
