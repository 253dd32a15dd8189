package org.cklbench.core.run;

import org.cklbench.progress.Progress;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StageListenerTest {
    private long barSteps;

    private final Progress.Task bar = new Progress.Task() {
        @Override
        public void step(long n) {
            barSteps += n;
        }

        @Override
        public void close() {
        }
    };

    @Test
    void resumedStageSumsLossFromTheCheckpointAndSavesEveryNStepsButNotAtTheEnd() {
        List<String> saved = new ArrayList<>();
        StageListener l = new StageListener(bar, 2, 1.5, 2, (k, sum) -> saved.add(k + ":" + sum));
        for (long k = 3; k <= 6; k++) {
            l.onStep(k, 6, 0.25);
        }
        assertThat(barSteps).isEqualTo(6);
        assertThat(l.lossSum()).isEqualTo(2.5);
        assertThat(saved).as("step 6 ends the stage: the benchmark's own checkpoint").containsExactly("4:2.0");
    }

    @Test
    void noCheckpointsInsideTheStageWhenEveryIsZero() {
        List<Long> saved = new ArrayList<>();
        StageListener l = new StageListener(bar, 0, 0, 0, (k, sum) -> saved.add(k));
        for (long k = 1; k <= 4; k++) {
            l.onStep(k, 4, 1);
        }
        assertThat(saved).isEmpty();
        assertThat(l.lossSum()).isEqualTo(4);
    }

    @Test
    void aCheckpointThatCannotBeWrittenStopsTraining() {
        StageListener l = new StageListener(bar, 0, 0, 1, (k, sum) -> {
            throw new IOException("disk full");
        });
        assertThatThrownBy(() -> l.onStep(1, 4, 1)).isInstanceOf(UncheckedIOException.class).hasMessageContaining("disk full");
    }
}
