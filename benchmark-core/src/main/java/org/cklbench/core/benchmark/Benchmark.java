package org.cklbench.core.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import org.cklbench.progress.Progress;
import org.cklbench.runfolder.LeaderboardSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A CKL benchmark as a plugin, found with {@link java.util.ServiceLoader} through
 * {@code META-INF/services/org.cklbench.core.benchmark.Benchmark}. It declares its presets and
 * leaderboard (resource files, read with {@link Presets} and {@link LeaderboardSpecs}), finds or
 * makes its input files, and turns them into a {@link Protocol}: stages of training documents and
 * the probes scored after each. The runtime's one loop does the rest (training with the method's
 * hooks, evaluation, checkpoints, resume, progress, stopping on SIGTERM, the run folder).
 */
public interface Benchmark {
    /** The id used on the command line ({@code --benchmark ID}): lower case, no spaces. */
    String id();

    /** One line for {@code ckl benchmarks}. */
    String description();

    /**
     * The version of the protocol and of the data the presets generate. It is part of every run's
     * configuration, so a run made under an older protocol is never taken for a new one.
     */
    default String version() {
        return "1";
    }

    Presets presets();

    /**
     * Refuses a resolved setting of this benchmark's own (see {@link SettingChecks}) that is out of
     * range. Called before anything is created, after the runtime checked the training settings,
     * {@code eval_batch_size} and {@code checkpoint_every}.
     */
    default void checkSettings(JsonNode settings) {
    }

    /** How its results are shown; written into every run folder as {@code benchmark.json}. */
    LeaderboardSpec leaderboard();

    /**
     * The input files of a run: the model folder (key {@code model}) and the data the protocol reads,
     * found in the user's {@code --data} or generated for the embedded presets (minutes, reported to
     * {@code progress}, cached under CKL_HOME). Every file named here is hashed into the run's provenance.
     */
    BenchmarkInputs inputs(InputRequest request, Progress progress) throws IOException;

    /** Reads the inputs into the run's protocol. */
    Protocol open(OpenContext context) throws IOException;

    /** The file name of a data folder's meta-training split, which every benchmark that has one writes and reads. */
    String META_TRAINING_FILE = "train_attention.jsonl";

    /**
     * Reads the examples of a meta-training split file ({@link BenchmarkInputs#metaTraining()}): the
     * documents and probes a method may prepare on, disjoint from the benchmark's own.
     */
    default List<MetaExample> readMetaTraining(Path file) throws IOException {
        throw new IllegalArgumentException("benchmark '" + id() + "' has no meta-training split");
    }
}
