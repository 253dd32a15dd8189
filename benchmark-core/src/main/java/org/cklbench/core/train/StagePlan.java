package org.cklbench.core.train;

import org.cklbench.core.benchmark.Protocol;
import org.cklbench.core.state.TrainSettings;

import java.util.List;
import java.util.function.IntToLongFunction;

/**
 * The optimiser plan of a run trained in stages: each stage's optimiser steps, and the segments that stages
 * marked fresh start (the optimiser's moments, step count and learning-rate schedule start again there, as
 * when each stage ran in a process of its own). The {@link Trainer} trains by it and {@code ckl stages
 * export} writes it into every stage's request, so the two cannot differ.
 */
public final class StagePlan {
    private final long[] stageSteps;
    private final boolean[] fresh;
    /** Per stage (index stage - 1): the first optimiser step of its segment, and the segment's steps. */
    private final long[] segmentStart;
    private final long[] segmentSteps;

    private StagePlan(long[] stageSteps, boolean[] fresh) {
        if (stageSteps.length != fresh.length) {
            throw new IllegalArgumentException(stageSteps.length + " stages' steps but " + fresh.length + " fresh flags");
        }
        this.stageSteps = stageSteps.clone();
        this.fresh = fresh.clone();
        int n = stageSteps.length;
        segmentStart = new long[n];
        segmentSteps = new long[n];
        long at = 0;
        int first = 0;
        for (int i = 0; i <= n; i++) {
            if (i == n || (i > 0 && fresh[i])) {
                long steps = 0;
                for (int j = first; j < i; j++) {
                    steps += stageSteps[j];
                }
                for (int j = first; j < i; j++) {
                    segmentSteps[j] = steps;
                    segmentStart[j] = at;
                }
                at += steps;
                first = i;
            }
        }
    }

    /** Stage {@code i} (index stage - 1) takes {@code stageSteps[i]} optimiser steps; {@code fresh[i]} starts a segment. */
    public static StagePlan of(long[] stageSteps, boolean[] fresh) {
        return new StagePlan(stageSteps, fresh);
    }

    /** The protocol's stages, each taking {@code stepsPerStage} of its number of training documents. */
    public static StagePlan of(List<Protocol.Stage> stages, IntToLongFunction stepsPerStage) {
        long[] steps = new long[stages.size()];
        boolean[] fresh = new boolean[stages.size()];
        for (int k = 0; k < stages.size(); k++) {
            steps[k] = stepsPerStage.applyAsLong(stages.get(k).documents().size());
            fresh[k] = stages.get(k).freshOptimizer();
        }
        return new StagePlan(steps, fresh);
    }

    public int stages() {
        return stageSteps.length;
    }

    /** Each stage's optimiser steps (index stage - 1); a copy. */
    public long[] stageSteps() {
        return stageSteps.clone();
    }

    /** Each stage's fresh flag as given (index stage - 1); a copy. */
    public boolean[] fresh() {
        return fresh.clone();
    }

    /** Whether the optimiser starts again at stage {@code stage} (1-based): a fresh stage after the first. */
    public boolean restartsOptimizer(int stage) {
        return stage > 1 && fresh[stage - 1];
    }

    /** Where stage {@code stage} (1-based) lies in its segment, with the warmup of the settings' ratio. */
    public Trainer.Segment segment(int stage, TrainSettings s) {
        if (stage < 1 || stage > stageSteps.length) {
            throw new IllegalArgumentException("stage " + stage + " is not one of the " + stageSteps.length + " planned");
        }
        return Trainer.Segment.of(segmentStart[stage - 1], segmentSteps[stage - 1], s);
    }
}
