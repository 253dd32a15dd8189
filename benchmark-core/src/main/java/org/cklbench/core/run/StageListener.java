package org.cklbench.core.run;

import org.cklbench.core.train.Trainer;

/**
 * One job done alongside a stage's training, as DJL's {@code TrainingListener} and Avalanche's plugins
 * do theirs: each implementation does one ({@link ProgressListener}, {@link StepLog},
 * {@link PeriodicCheckpoints}, {@link PreemptionCheckpoint}); {@link StageListeners} calls them in order.
 * None of them sums the loss: {@link Trainer.Step} carries the running sum and {@link Trainer.StageResult}
 * the stage's.
 */
public interface StageListener {
    /** Stage {@code stage} starts, or goes on after step {@code fromStep} of its {@code steps}. */
    default void onStageStart(int stage, long fromStep, long steps) {
    }

    /** After each optimiser step. A listener may throw to stop training (a checkpoint that cannot be written). */
    default void onStep(Trainer.Step step) {
    }

    /** The stage's training ended normally. */
    default void onStageEnd(Trainer.StageResult result) {
    }
}
