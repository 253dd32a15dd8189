package org.cklbench.core.external;

import org.cklbench.core.benchmark.Protocol;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.state.TrainSettings;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.core.state.TrainingState;
import org.cklbench.core.train.StagePlan;
import org.cklbench.core.train.Trainer;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.optim.LrSchedule;
import org.cklbench.testing.TinyModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * What {@code ckl stages export} writes into each stage's request (steps, segment, warmup) and its document
 * order are what the suite's trainer does with Finetune: the learning rate of every step the trainer takes is
 * the one the exported schedule gives, for settings like the presets' and for --set variants of them, over
 * several seeds.
 */
class StageExportScheduleTest {
    private static LlamaModel model;

    @BeforeAll
    static void load() {
        model = TinyModels.random(11);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static TrainSettings settings(int batch, String schedule, double warmup, boolean lengthGrouped) {
        return new TrainSettings(batch, 1, 1e-3, schedule, warmup, 0, 1.0, 64, 4, 8, 0, false, lengthGrouped);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (long seed : new long[] {1, 7}) {
            // the smoke presets' settings: constant, no warmup, stages that share one optimiser
            out.add(Arguments.of("smoke-like", settings(2, "constant", 0.0, false), new int[] {5, 3, 4},
                    new boolean[] {false, false, false}, seed));
            // a --set variant: warmup rounding and linear decay across stages of one segment
            out.add(Arguments.of("linear warmup", settings(3, "linear", 0.3, false), new int[] {7, 7, 2},
                    new boolean[] {false, false, false}, seed));
            // periods that each start a fresh optimiser, and one that shares the previous one's
            out.add(Arguments.of("fresh periods", settings(4, "cosine", 0.25, true), new int[] {9, 5, 6, 3},
                    new boolean[] {true, true, false, true}, seed));
        }
        return out.stream();
    }

    private static List<Protocol.Stage> stages(int[] sizes, boolean[] fresh, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Protocol.Stage> out = new ArrayList<>();
        for (int k = 0; k < sizes.length; k++) {
            List<TrainingDocument> docs = new ArrayList<>();
            for (int i = 0; i < sizes[k]; i++) {
                long[] ids = new long[6 + rng.nextInt(8)];
                ids[0] = 1;
                for (int t = 1; t < ids.length; t++) {
                    ids[t] = 3 + rng.nextInt(TinyModels.VOCAB - 3);
                }
                docs.add(new TrainingDocument("s" + k + "d" + i, "", ids, Map.of()));
            }
            out.add(new Protocol.Stage("stage " + (k + 1), docs, fresh[k]));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}, seed {4}")
    @MethodSource("cases")
    void theExportedScheduleIsTheOneTheTrainerFollows(String name, TrainSettings ts, int[] sizes, boolean[] fresh,
                                                      long seed) {
        List<Protocol.Stage> stages = stages(sizes, fresh, seed);
        StagePlan exported = StageExport.plan(stages, ts);
        try (TrainingState state = new TrainingState(model, null, ts, seed);
             Trainer trainer = new Trainer(state, new CklMethod() {
             })) {
            // as StageLoop plans a run
            trainer.plan(StagePlan.of(stages, trainer::stepsPerStage));
            try {
                for (int k = 1; k <= stages.size(); k++) {
                    List<TrainingDocument> docs = stages.get(k - 1).documents();
                    StageRequests.Schedule s = StageExport.schedule(exported, k, ts);
                    Trainer.Segment seg = trainer.segment(k);
                    assertThat(s.stepsInStage()).isEqualTo(trainer.stepsPerStage(docs.size()));
                    assertThat(s.segmentSteps()).isEqualTo(seg.steps());
                    assertThat(s.warmupSteps()).isEqualTo(seg.warmup());
                    assertThat(Trainer.stageOrder(docs, ts.batchSize(), ts, seed, k))
                            .containsExactly(trainer.stageOrder(docs, k));
                    LrSchedule lr = new LrSchedule(ts.schedule(), ts.lr(), s.warmupSteps(), s.segmentSteps());
                    List<Double> expected = new ArrayList<>();
                    List<Double> taken = new ArrayList<>();
                    trainer.trainStage(k, docs, step -> {
                        expected.add(lr.at(s.stepsBeforeStage() + step.step() - 1));
                        taken.add(state.lr());
                    });
                    assertThat(taken).as("%s stage %d", name, k).hasSize((int) s.stepsInStage());
                    for (int i = 0; i < taken.size(); i++) {
                        assertThat(taken.get(i)).as("%s stage %d step %d", name, k, i + 1)
                                .isCloseTo(expected.get(i), within(1e-15));
                    }
                }
            } finally {
                state.trainable().values().forEach(p -> p.setRequiresGradient(false));
            }
        }
    }
}
