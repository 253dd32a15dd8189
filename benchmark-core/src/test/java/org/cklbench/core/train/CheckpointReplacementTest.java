package org.cklbench.core.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.run.StagePosition;
import org.cklbench.core.state.TrainSettings;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.core.state.TrainingState;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A checkpoint after every step; the second one fails at each of its file-system steps in turn (a
 * process killed there). A fresh trainer then resumes from whatever the folder holds and must end with
 * exactly the weights of a run never interrupted.
 */
class CheckpointReplacementTest {
    private static final TrainSettings SETTINGS = new TrainSettings(4, 1, 1e-2, "constant", 0, 0, 0, 64, 4, 8, 0, false);

    @TempDir
    Path tmp;

    static List<TrainingDocument> documents(int n) {
        SplittableRandom rng = new SplittableRandom(5);
        List<TrainingDocument> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] ids = new long[8 + rng.nextInt(6)];
            ids[0] = 1;
            for (int t = 1; t < ids.length; t++) {
                ids[t] = 3 + rng.nextInt(500);
            }
            out.add(new TrainingDocument("d" + i, "", ids, Map.of()));
        }
        return out;
    }

    /** Trains the one stage of 4 steps from {@code store}'s checkpoint (or the start), checkpointing after each step. */
    private static Map<String, float[]> train(LlamaModel model, Path store, CheckpointStore.Faults faults) throws IOException {
        List<TrainingDocument> docs = documents(16);
        try (TrainingState state = new TrainingState(model, null, SETTINGS, 3);
             Trainer t = new Trainer(state, new CklMethod() {
             })) {
            t.plan(4);
            long from = 0;
            if (Trainer.hasCheckpoint(store)) {
                JsonNode saved = t.restoreCheckpoint(store);
                from = StagePosition.of(saved).step();
            }
            CheckpointStore checkpoints = new CheckpointStore(store, faults);
            try {
                t.trainStage(1, docs, from, 0, step -> {
                    try {
                        t.saveCheckpoint(checkpoints, 1, new StagePosition(1, step.step(), 0).toJson());
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                Map<String, float[]> out = new LinkedHashMap<>();
                state.trainable().forEach((k, v) -> out.put(k, v.toFloatArray()));
                return out;
            } finally {
                state.trainable().values().forEach(p -> p.setRequiresGradient(false));
            }
        }
    }

    @Test
    void aFailureAtAnyStepOfReplacingACheckpointResumesToTheSameWeights() throws Exception {
        try (LlamaModel model = TinyModels.random(5)) {
            Map<String, float[]> reference = train(model, tmp.resolve("reference"), CheckpointStore.Faults.NONE);
            // count the steps of one replacement: the second save of a run
            AtomicInteger saves = new AtomicInteger();
            List<String> steps = new ArrayList<>();
            train(model, tmp.resolve("count"), (step, detail) -> {
                if (step == CheckpointStore.Step.CLEAN) {
                    saves.incrementAndGet();
                }
                if (saves.get() == 2) {
                    steps.add(step + " " + Path.of(detail).getFileName());
                }
            });
            assertThat(steps).as("clean, create, 4 files (the adapter folder among them), rename, delete the older generation")
                    .hasSize(8);
            for (int failAt = 0; failAt < steps.size(); failAt++) {
                Path store = tmp.resolve("killed-" + failAt);
                AtomicInteger save = new AtomicInteger();
                AtomicInteger call = new AtomicInteger();
                int at = failAt;
                assertThatThrownBy(() -> train(model, store, (step, detail) -> {
                    if (step == CheckpointStore.Step.CLEAN) {
                        save.incrementAndGet();
                        call.set(0);
                    }
                    if (save.get() == 2 && call.getAndIncrement() == at) {
                        throw new IOException("killed before " + step + " " + detail);
                    }
                })).rootCause().hasMessageStartingWith("killed before " + steps.get(failAt).split(" ")[0]);
                assertThat(Trainer.hasCheckpoint(store)).as("after a failure before %s", steps.get(failAt)).isTrue();
                Map<String, float[]> resumed = train(model, store, CheckpointStore.Faults.NONE);
                for (String k : reference.keySet()) {
                    assertThat(resumed.get(k)).as("%s after a failure before %s", k, steps.get(failAt))
                            .containsExactly(reference.get(k));
                }
                try (var s = Files.list(store)) {
                    assertThat(s.map(p -> p.getFileName().toString())).as("one generation left").hasSize(1);
                }
            }
        }
    }

    @Test
    void aCheckpointOfTheOldLayoutIsGenerationZero() throws Exception {
        Path store = Files.createDirectories(tmp.resolve("old"));
        Files.writeString(store.resolve("state.json"), "{}");
        assertThat(new CheckpointStore(store).latest()).contains(store);
        new CheckpointStore(store).save((dir, faults) -> Files.writeString(dir.resolve("state.json"), "{\"new\":1}"));
        assertThat(new CheckpointStore(store).latest().orElseThrow().getFileName().toString()).isEqualTo("gen-000001");
        assertThat(store.resolve("state.json")).as("the old layout's files are gone").doesNotExist();
    }
}
