package org.cklbench.core.run;

import org.cklbench.core.train.Trainer;
import org.cklbench.runfolder.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StepLogTest {
    @TempDir
    Path tmp;

    private static Trainer.Step step(int stage, long step, double loss) {
        return new Trainer.Step(stage, step, 2, loss, 0);
    }

    @Test
    void aResumedLogKeepsTheLinesUpToItsCheckpointAndDropsATornOne() throws Exception {
        RunFolder f = new RunFolder(tmp);
        double[] lr = {0.01};
        StepLog log = StepLog.open(f, 1, 0, () -> lr[0], () -> Double.NaN);
        log.onStep(step(1, 1, 2.5));
        log.onStep(step(1, 2, 2.0));
        lr[0] = 0.005;
        log.onStep(step(2, 1, 1.5));
        log.onStep(step(2, 2, Double.POSITIVE_INFINITY));
        Path steps = tmp.resolve(RunFolder.STEPS);
        List<String> lines = Files.readAllLines(steps);
        assertThat(lines).containsExactly(
                "{\"stage\":1,\"step\":1,\"loss\":2.5,\"lr\":0.01,\"grad_norm\":null}",
                "{\"stage\":1,\"step\":2,\"loss\":2.0,\"lr\":0.01,\"grad_norm\":null}",
                "{\"stage\":2,\"step\":1,\"loss\":1.5,\"lr\":0.005,\"grad_norm\":null}",
                "{\"stage\":2,\"step\":2,\"loss\":null,\"lr\":0.005,\"grad_norm\":null}");
        // resumed from a checkpoint after step 1 of stage 2: step 2 is trained again, and written once
        StepLog.open(f, 2, 1, () -> 0.005, () -> 1.0).onStep(step(2, 2, 1.25));
        assertThat(Files.readAllLines(steps)).containsExactly(lines.get(0), lines.get(1), lines.get(2),
                "{\"stage\":2,\"step\":2,\"loss\":1.25,\"lr\":0.005,\"grad_norm\":1.0}");
        // a crash tore the last line: it and what follows go
        Files.writeString(steps, lines.get(0) + "\n" + lines.get(1) + "\n{\"stage\":2,\"st");
        StepLog.open(f, 3, 0, () -> 0, () -> 0);
        assertThat(Files.readAllLines(steps)).containsExactly(lines.get(0), lines.get(1));
        // a fresh run starts an empty log
        StepLog.open(f, 1, 0, () -> 0, () -> 0);
        assertThat(Files.readString(steps)).isEmpty();
    }
}
