package org.cklbench.core.method;

import ai.djl.ndarray.NDArray;
import org.cklbench.core.state.Batch;
import org.cklbench.core.state.TrainingState;

import java.util.List;
import java.util.Map;

/**
 * A continual-learning method, as lifecycle hooks around the shared {@link TrainingState}. Every hook
 * has a no-op default, so a method implements only what makes it different from fine-tuning.
 *
 * <p>Order within one optimiser step: {@link #mixBatches} → for each micro-batch: forward,
 * {@link #tokenWeights}, {@link #extraLoss}, backward, {@link #afterBackward} → {@link #beforeUpdate}
 * → optimiser → {@link #afterUpdate}. Stages are epochs (LAMA-ckl) or periods (TemporalWiki).
 */
public interface CklMethod extends AutoCloseable {

    /**
     * Whether the run trains at all. A method that answers no is the no-training row of a leaderboard:
     * the base model evaluated at every stage exactly as the others are, so readers see which methods
     * beat doing nothing.
     */
    default boolean trains() {
        return true;
    }

    /**
     * Once per run, before anything trains: register trainable parameters and forward hooks on the
     * state (adapters, added layers), take reference copies. If no method registers trainable
     * parameters, the runtime trains a LoRA adapter with the run's default settings.
     */
    default void setup(TrainingState state) {
    }

    /**
     * Once per run, after every method's {@link #setup} and the runtime's default parameters, and before
     * a checkpoint is restored: the trainable tensors hold their initial values (e.g. RecAdam's θ*).
     */
    default void onStart(TrainingState state) {
    }

    /** Before each training stage (epoch or period), with its 1-based number; also when a stage resumes. */
    default void beforeStage(TrainingState state, int stage) {
    }

    /** After each training stage, before its evaluation. */
    default void afterStage(TrainingState state, int stage) {
    }

    /**
     * How many of the {@code batchSize} sequences of an optimiser step are training documents; the
     * default is all of them. A method that mixes rows of its own into each step (Mix-review) keeps
     * room for them here, so that a step holds {@code batchSize} sequences in all.
     */
    default int trainingRowsPerStep(TrainingState state, int batchSize) {
        return batchSize;
    }

    /**
     * The micro-batches of one optimiser step. The default trains on {@code batch} alone; a method may
     * add review batches or mix rows in.
     */
    default List<Batch> mixBatches(TrainingState state, Batch batch) {
        return List.of(batch);
    }

    /**
     * Weights w [B, L-1] of the batch's target tokens, in the batch's manager, or {@code null} for no
     * opinion. With weights the loss is TAALM's token-weighted loss (docs/protocols.md); with none from any method it is
     * the plain mean causal-LM loss. Several methods' weights multiply.
     *
     * @param nll the per-token NLL [B, L-1] of this forward pass: a leaf whose gradient the trainer carries
     *     back through the model ({@code HeadBackward}), so weights may depend on it differentiably
     */
    default NDArray tokenWeights(TrainingState state, Batch batch, NDArray nll) {
        return null;
    }

    /** An extra scalar loss term added to the batch's loss (in the graph), or {@code null}. */
    default NDArray extraLoss(TrainingState state, Batch batch) {
        return null;
    }

    /** After each micro-batch's backward pass; gradients are in the trainable parameters. */
    default void afterBackward(TrainingState state) {
    }

    /** Before the optimiser applies the accumulated gradients. */
    default void beforeUpdate(TrainingState state) {
    }

    /** After the optimiser step (e.g. a pull of the weights toward a reference). */
    default void afterUpdate(TrainingState state) {
    }

    /**
     * What the method wants recorded about this run in run.json (its {@code training} section), once it
     * is set up: e.g. which review set Mix-review draws from and how large it is.
     */
    default Map<String, Object> describe(TrainingState state) {
        return Map.of();
    }

    /**
     * Tensors the method needs to go on exactly after a resume (e.g. RecAdam's anchor θ*), saved with
     * every checkpoint; names are the method's own.
     */
    default Map<String, NDArray> state() {
        return Map.of();
    }

    /**
     * Gives back what {@link #state} returned at the checkpoint, after the trainable tensors are
     * restored and before training goes on; the tensors are freed when this returns, so keep copies.
     */
    default void restore(Map<String, NDArray> saved) {
    }

    /** Frees what the method allocated. */
    @Override
    default void close() {
    }
}
