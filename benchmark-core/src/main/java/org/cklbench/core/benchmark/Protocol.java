package org.cklbench.core.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.eval.Probe;
import org.cklbench.core.eval.ProbeResult;
import org.cklbench.core.state.TrainingDocument;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * One run of a benchmark, read from its inputs: stages of training documents in order (epochs of the
 * same documents, or periods of new ones), the probes scored after each stage, how the scores make a
 * line of {@code metrics.jsonl}, and how the lines make {@code summary.json}. Stages are numbered from
 * 1; stage 0 is the evaluation before any training.
 */
public interface Protocol {
    /**
     * A stage: a name for progress and logs ("epoch 3/30", "period 0910") and its training documents.
     * With {@code freshOptimizer} the optimiser starts again with it (moments, step count, schedule), as
     * when each stage is a new task run in a process of its own (the reference's TemporalWiki periods);
     * methods see where the optimiser started in {@code TrainingState.segmentStart()}.
     */
    record Stage(String name, List<TrainingDocument> documents, boolean freshOptimizer) {
        public Stage(String name, List<TrainingDocument> documents) {
            this(name, documents, false);
        }
    }

    /**
     * Probes scored together, named by their split (the {@code split} of each prediction), and the
     * file they were read from (null when not one file), which an error about a probe names.
     */
    record ProbeSet(String split, List<Probe> probes, java.nio.file.Path source) {
        public ProbeSet(String split, List<Probe> probes) {
            this(split, probes, null);
        }
    }

    List<Stage> stages();

    /** Whether the model is evaluated before the first stage (evaluation 0). */
    boolean evaluatesBeforeTraining();

    /** Document sets besides the stages' that methods may read (e.g. {@code review} for Mix-review). */
    default Map<String, List<TrainingDocument>> corpora() {
        return Map.of();
    }

    /** The probes scored after stage {@code stage} (0: before training). */
    List<ProbeSet> probes(int stage);

    /** The name of the evaluation after {@code stage}, for its predictions file ("epoch-003"). */
    String evaluationName(int stage);

    /**
     * The metrics line of the evaluation after {@code stage}, from each probe set's results (by split);
     * the runtime appends the stage's mean training loss as {@code train_loss}.
     */
    ObjectNode metrics(int stage, Map<String, List<ProbeResult>> results);

    /** The headline figures from every metrics line of the run (the runtime adds benchmark and method). */
    ObjectNode summarize(List<? extends JsonNode> metrics);

    /**
     * The stage whose model the headline is read at, from the metrics lines so far (LAMA-ckl's Top-Acc
     * epoch), or empty where the headline is not one stage's; the run keeps that stage's trained adapter.
     */
    default OptionalInt topStage(List<? extends JsonNode> metrics) {
        return OptionalInt.empty();
    }
}
