package org.cklbench.core.run;

import org.cklbench.core.train.Trainer;
import org.cklbench.progress.Progress;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StageListenersTest {
    private long barSteps;
    private final List<String> messages = new ArrayList<>();

    private final Progress.Task bar = new Progress.Task() {
        @Override
        public void step(long n) {
            barSteps += n;
        }

        @Override
        public void message(String text) {
            messages.add(text);
        }

        @Override
        public void close() {
        }
    };

    /** Steps {@code from+1..to} of a stage of {@code of}, each of loss {@code loss}, the sum going on from {@code sum}. */
    private static void run(StageListeners l, int stage, long from, long to, long of, double sum, double loss) {
        l.onStageStart(stage, from, of);
        for (long k = from + 1; k <= to; k++) {
            sum += loss;
            l.onStep(new Trainer.Step(stage, k, of, loss, sum));
        }
    }

    @Test
    void aResumedStageBarStartsAtItsStepAndShowsEachLoss() {
        run(new StageListeners(List.of(new ProgressListener(bar))), 1, 2, 6, 6, 1.5, 0.25);
        assertThat(barSteps).isEqualTo(6);
        assertThat(messages).hasSize(4).allMatch(m -> m.equals(String.format("loss %.4f", 0.25)));
    }

    @Test
    void checkpointsEveryNStepsWithTheRunningSumButNotAtTheStageEnd() {
        List<StagePosition> saved = new ArrayList<>();
        run(new StageListeners(List.of(new PeriodicCheckpoints(2, saved::add))), 3, 2, 6, 6, 1.5, 0.25);
        assertThat(saved).as("step 6 ends the stage: the loop's own checkpoint").containsExactly(new StagePosition(3, 4, 2.0));
    }

    @Test
    void noCheckpointsInsideTheStageWhenEveryIsZero() {
        List<StagePosition> saved = new ArrayList<>();
        run(new StageListeners(List.of(new PeriodicCheckpoints(0, saved::add))), 1, 0, 4, 4, 0, 1);
        assertThat(saved).isEmpty();
    }

    @Test
    void aStopRequestCheckpointsTheStepJustDoneThenStopsBeforeTheNextListener() {
        List<String> order = new ArrayList<>();
        boolean[] requested = {false};
        StageListeners l = new StageListeners(List.of(
                new StageListener() {
                    @Override
                    public void onStep(Trainer.Step s) {
                        order.add("log " + s.step());
                    }
                },
                new PreemptionCheckpoint(() -> requested[0], at -> order.add("save " + at)),
                new PeriodicCheckpoints(1, at -> order.add("periodic " + at.step()))));
        l.onStep(new Trainer.Step(2, 1, 4, 0.5, 0.5));
        requested[0] = true;
        assertThatThrownBy(() -> l.onStep(new Trainer.Step(2, 2, 4, 0.5, 1.0))).isInstanceOf(Preemption.Stopped.class);
        assertThat(order).containsExactly("log 1", "periodic 1", "log 2", "save " + new StagePosition(2, 2, 1.0));
    }

    @Test
    void aCheckpointThatCannotBeWrittenStopsTraining() {
        StageListeners l = new StageListeners(List.of(new PeriodicCheckpoints(1, at -> {
            throw new IOException("disk full");
        })));
        assertThatThrownBy(() -> l.onStep(new Trainer.Step(1, 1, 4, 1, 1)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("disk full");
    }
}
