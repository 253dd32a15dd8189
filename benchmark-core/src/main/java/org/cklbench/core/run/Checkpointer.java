package org.cklbench.core.run;

import java.io.IOException;

/** Saves a checkpoint from which a run goes on at {@code at}. */
@FunctionalInterface
public interface Checkpointer {
    void save(StagePosition at) throws IOException;

    /** Saves the checkpoint after {@code step}, stopping training (unchecked) when it cannot be written. */
    default void saveAfter(org.cklbench.core.train.Trainer.Step step) {
        try {
            save(new StagePosition(step.stage(), step.step(), step.lossSum()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
