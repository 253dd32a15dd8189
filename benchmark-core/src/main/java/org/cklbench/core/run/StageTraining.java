package org.cklbench.core.run;

import org.cklbench.core.benchmark.Protocol;
import org.cklbench.core.state.TrainingState;
import org.cklbench.core.train.Trainer;

import java.io.IOException;
import java.util.List;

/**
 * A stage trained somewhere other than the suite's {@link Trainer}: an external method's process, or
 * adapters trained elsewhere. The {@link StageLoop} hands such a stage over here, then evaluates the
 * state's trainable tensors as for any method and checkpoints them.
 */
public interface StageTraining {
    /**
     * Trains stage {@code stage} (1-based) from scratch, leaving its result in the state's trainable
     * tensors; returns the stage's mean training loss where one is known, else null.
     */
    Double train(int stage, Protocol.Stage st) throws IOException;

    /** What a stage trained elsewhere may read of the run. */
    record Setup(RunContext ctx, TrainingState state, Trainer trainer, List<Protocol.Stage> stages, long[] stageSteps,
                 boolean[] fresh) {
    }

    /** A method whose stages train elsewhere. */
    interface Source {
        StageTraining stageTraining(Setup setup) throws IOException;

        /** Why the suite cannot run this method's training again (run.json's {@code reproducible_note}), or null. */
        default String notReproducible() {
            return null;
        }
    }
}
