package org.cklbench.core.run;

import org.cklbench.progress.Progress;

import org.cklbench.core.train.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How a benchmark follows one stage of training (an epoch, a period): the bar advances, the stage's
 * loss is summed, a checkpoint is saved every {@code every} steps inside the stage and, when the
 * process is asked to stop ({@link Preemption}), at the step it is on before training stops. A
 * resumed stage starts from the step and loss sum its checkpoint held.
 */
public final class StageListener implements Trainer.StepListener {
    /** Saves a checkpoint from which the stage goes on after {@code stepInStage} with {@code lossSum}. */
    public interface Checkpoint {
        void save(long stepInStage, double lossSum) throws IOException;
    }

    private final Progress.Task bar;
    private final long every;
    private final Checkpoint checkpoint;
    private double lossSum;

    /**
     * @param fromStep steps of the stage already done (the bar starts there)
     * @param lossSum  the loss summed over those steps
     * @param every    checkpoint interval in steps; 0 for none inside the stage
     */
    public StageListener(Progress.Task bar, long fromStep, double lossSum, long every, Checkpoint checkpoint) {
        this.bar = bar;
        this.lossSum = lossSum;
        this.every = every;
        this.checkpoint = checkpoint;
        bar.step(fromStep);
    }

    @Override
    public void onStep(long stepInStage, long stepsInStage, double loss) {
        bar.step(1);
        bar.message(String.format("loss %.4f", loss));
        lossSum += loss;
        if (Preemption.requested()) {
            save(stepInStage);
            throw Preemption.checkpointed();
        }
        if (every > 0 && stepInStage % every == 0 && stepInStage < stepsInStage) {
            save(stepInStage);
        }
    }

    /** The loss summed over the stage's steps so far. */
    public double lossSum() {
        return lossSum;
    }

    private void save(long stepInStage) {
        try {
            checkpoint.save(stepInStage, lossSum);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
