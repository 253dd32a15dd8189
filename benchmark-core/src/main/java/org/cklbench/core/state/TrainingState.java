package org.cklbench.core.state;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.tokenizer.TextTokenizer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What every method hook sees and may change: the model and its adapters, the registered trainable
 * tensors, the optimisation settings and counters, the corpora of the benchmark, and a manager for
 * the methods' own tensors. One instance per run.
 */
public final class TrainingState implements AutoCloseable {
    private final LlamaModel model;
    private final TextTokenizer tokenizer;
    private final TrainSettings settings;
    private final long seed;
    private final NDManager manager;
    private final Map<String, NDArray> trainable = new LinkedHashMap<>();
    private final Map<String, List<TrainingDocument>> corpora = new LinkedHashMap<>();
    private ForwardHooks hooks = ForwardHooks.NONE;
    private boolean training;
    private int stage;
    private long step;
    private double lr;
    private long segmentStart;
    private long segmentSteps;

    public TrainingState(LlamaModel model, TextTokenizer tokenizer, TrainSettings settings, long seed) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.seed = seed;
        this.manager = model.manager().newSubManager();
    }

    public LlamaModel model() {
        return model;
    }

    /** The id the reference pads with (pad_token = eos_token): the tokenizer's EOS, else the model config's. */
    public long eosId() {
        return tokenizer() != null ? tokenizer().eosId() : model().config().eosTokenId();
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    public TrainSettings settings() {
        return settings;
    }

    public long seed() {
        return seed;
    }

    /** A manager for tensors a method keeps for the whole run (freed with the state). */
    public NDManager manager() {
        return manager;
    }

    /** Registers a tensor to train (it is made to require gradients). Names must be unique. */
    public void registerTrainable(String name, NDArray tensor) {
        if (trainable.putIfAbsent(name, tensor) != null) {
            throw new IllegalStateException("trainable tensor '" + name + "' registered twice");
        }
        tensor.setRequiresGradient(true);
    }

    public Map<String, NDArray> trainable() {
        return Collections.unmodifiableMap(trainable);
    }

    /** Adds forward hooks (adapters, added layers); they apply after those added before. */
    public void addHooks(ForwardHooks more) {
        hooks = hooks.then(more);
    }

    public ForwardHooks hooks() {
        return hooks;
    }

    /** Named document sets of the benchmark: {@code train}, and {@code review} where the benchmark has one. */
    public List<TrainingDocument> corpus(String name) {
        return corpora.getOrDefault(name, List.of());
    }

    /** Every corpus by name. */
    public Map<String, List<TrainingDocument>> corpora() {
        return Collections.unmodifiableMap(corpora);
    }

    public void setCorpus(String name, List<TrainingDocument> docs) {
        corpora.put(name, List.copyOf(docs));
    }

    /** A generator for {@code purpose}, derived from the run seed, so each use is independent and repeatable. */
    public SplittableRandom random(String purpose, long salt) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + purpose.hashCode() * 31L + salt);
    }

    public boolean training() {
        return training;
    }

    public void setTraining(boolean training) {
        this.training = training;
    }

    public int stage() {
        return stage;
    }

    /** Set by the training loop, not by methods. */
    public void setStage(int stage) {
        this.stage = stage;
    }

    /** Optimiser steps taken so far in the run. */
    public long step() {
        return step;
    }

    /** Set by the training loop, not by methods. */
    public void setStep(long step) {
        this.step = step;
    }

    /**
     * The first optimiser step of the current segment: the steps since the optimiser last started
     * afresh (the whole run, or a TemporalWiki period, which the reference trains in a process of its
     * own). {@link #segmentStep()} counts within it.
     */
    public long segmentStart() {
        return segmentStart;
    }

    /** Optimiser steps taken in the current segment (1 after its first update). */
    public long segmentStep() {
        return step - segmentStart;
    }

    /** Optimiser steps the current segment takes in all. */
    public long segmentSteps() {
        return segmentSteps;
    }

    /** Set by the training loop, not by methods. */
    public void setSegment(long start, long steps) {
        this.segmentStart = start;
        this.segmentSteps = steps;
    }

    /** The learning rate of the current optimiser step. */
    public double lr() {
        return lr;
    }

    /** Set by the training loop, not by methods. */
    public void setLr(double lr) {
        this.lr = lr;
    }

    @Override
    public void close() {
        manager.close();
    }
}
