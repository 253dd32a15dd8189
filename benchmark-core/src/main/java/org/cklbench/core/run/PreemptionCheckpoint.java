package org.cklbench.core.run;

import org.cklbench.core.train.Trainer;

import java.util.function.BooleanSupplier;

/**
 * When the process has been asked to stop ({@link Preemption}), saves a checkpoint of the step just done
 * and stops training with {@link Preemption.Stopped}.
 */
public final class PreemptionCheckpoint implements StageListener {
    private final BooleanSupplier requested;
    private final Checkpointer checkpointer;

    public PreemptionCheckpoint(Checkpointer checkpointer) {
        this(Preemption::requested, checkpointer);
    }

    PreemptionCheckpoint(BooleanSupplier requested, Checkpointer checkpointer) {
        this.requested = requested;
        this.checkpointer = checkpointer;
    }

    @Override
    public void onStep(Trainer.Step step) {
        if (requested.getAsBoolean()) {
            checkpointer.saveAfter(step);
            throw Preemption.checkpointed();
        }
    }
}
