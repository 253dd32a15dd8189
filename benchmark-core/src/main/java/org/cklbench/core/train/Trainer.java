package org.cklbench.core.train;

import org.cklbench.core.state.Batch;
import org.cklbench.core.state.TrainSettings;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.core.state.TrainingState;
import org.cklbench.engine.optim.LrSchedule;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.Folders;
import org.cklbench.engine.djl.Scalars;
import org.cklbench.engine.djl.Scopes;
import org.cklbench.io.AtomicFiles;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.cklbench.engine.safetensors.SafetensorsWriter;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.lora.LoraConfig;
import org.cklbench.engine.loss.HeadBackward;
import org.cklbench.engine.loss.Losses;
import org.cklbench.core.method.CklMethod;
import org.cklbench.engine.optim.AdamW;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The training loop shared by every benchmark and method: deterministic data order, micro-batches
 * with accumulated gradients, the method's hooks, clipping, AdamW with a schedule, and checkpoints of
 * everything a resumed run needs. Every step's tensors live in a manager closed with the step.
 */
public final class Trainer implements AutoCloseable {
    /**
     * What one stage's training reports: its steps, the loss summed over all of them (a resumed stage's
     * sum starts from the one its checkpoint held) and the seconds this call took. The one source of a
     * stage's training loss.
     */
    public record StageResult(int stage, long steps, double lossSum, double seconds) {
        /** The stage's mean training loss per optimiser step. */
        public double meanLoss() {
            return lossSum / Math.max(1, steps);
        }
    }

    /**
     * One optimiser step done: step {@code step} (1-based) of the stage's {@code steps}, its loss, and the
     * loss summed over the stage up to and including it (what a checkpoint of this step must hold).
     */
    public record Step(int stage, long step, long steps, double loss, double lossSum) {
    }

    /** Called after every optimiser step (progress, step log, checkpoints). */
    public interface StepListener {
        void onStep(Step step);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRAINABLE = "trainable.safetensors";
    private static final String OPTIMIZER = "optimizer.safetensors";
    private static final String STATE = "state.json";
    private static final String METHOD = "method.safetensors";
    /** The trainables as a PEFT adapter folder, in each checkpoint generation where they are a LoRA adapter. */
    public static final String ADAPTER = "adapter";

    private final TrainingState state;
    private final CklMethod method;
    /** The gradient norm of the last optimiser step, before clipping (NaN before the first, or when it overflowed). */
    private double lastGradNorm = Double.NaN;
    private final AdamW optimizer;
    private final boolean scaleLoss;
    private LrSchedule schedule;
    /** The plan of {@link #plan(StagePlan)}, or null. */
    private StagePlan stagePlan;
    /** The one segment of every stage after {@link #plan(long)}, or null. */
    private Segment oneSegment;
    /** Dynamic loss scale for float16 compute (as torch.cuda.amp.GradScaler): halves on overflow, doubles after a run of good steps. */
    private double lossScale = 65536;
    private int goodSteps;
    private LoraAdapter defaultLora;
    /** base_model_name_or_path of the adapters written: the model folder, where the caller names it. */
    private String adapterBaseModel;

    /**
     * Sets the methods up on the state; where none registers trainable tensors, the run trains every
     * weight ({@code full}) or a LoRA adapter with the settings' rank, alpha and dropout on every
     * projection (seeded by the run seed).
     */
    public Trainer(TrainingState state, CklMethod method) {
        this.state = state;
        this.method = method;
        method.setup(state);
        TrainSettings s = state.settings();
        if (s.full() && !state.trainable().isEmpty()) {
            throw new IllegalArgumentException("full fine-tuning conflicts with a method that trains its own"
                    + " parameters (" + state.trainable().size() + " tensors registered)");
        }
        if (s.full()) {
            if (state.model().computeType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("full fine-tuning updates the model's own weights and needs"
                        + " --dtype float32 (with float16 weights the updates would be lost to rounding)");
            }
            state.model().weights().forEach(state::registerTrainable);
        } else if (state.trainable().isEmpty()) {
            defaultLora = LoraAdapter.init(LoraConfig.of(s.loraR(), s.loraAlpha(), s.loraDropout(),
                    LoraConfig.PROJECTIONS), state.model(), state.seed());
            defaultLora.parameters().forEach(state::registerTrainable);
            state.addHooks(defaultLora);
        }
        this.optimizer = new AdamW(state.manager(), 0.9, 0.999, 1e-8, state.settings().weightDecay());
        this.scaleLoss = state.model().computeType() == DataType.FLOAT16;
        method.onStart(state);
    }

    /**
     * Fixes the schedule for a run of one optimiser over any number of stages: {@code totalSteps}
     * optimiser steps in all of them.
     */
    public void plan(long totalSteps) {
        stagePlan = null;
        oneSegment = Segment.of(0, totalSteps, state.settings());
    }

    /**
     * Fixes the schedule of a run whose stage {@code i} takes {@code stageSteps[i]} optimiser steps. A
     * stage marked {@code fresh} starts a new segment: the optimiser starts again (moments, step count
     * and learning-rate schedule), as when each stage ran in a process of its own.
     */
    public void plan(long[] stageSteps, boolean[] fresh) {
        plan(StagePlan.of(stageSteps, fresh));
    }

    /** Fixes the schedule of a run in stages as {@code plan} lays it out. */
    public void plan(StagePlan plan) {
        stagePlan = plan;
        oneSegment = null;
        schedule = null;
    }

    /** Training documents an optimiser step takes: the batch size, unless the method mixes in rows of its own. */
    public int trainingRowsPerStep() {
        int rows = method.trainingRowsPerStep(state, state.settings().batchSize());
        if (rows < 1 || rows > state.settings().batchSize()) {
            throw new IllegalStateException("a method asked for " + rows + " training rows per step of "
                    + state.settings().batchSize());
        }
        return rows;
    }

    /** Optimiser steps of one pass over {@code documents} training documents. */
    public long stepsPerStage(int documents) {
        int rows = trainingRowsPerStep();
        return (documents + rows - 1) / rows;
    }

    /** As {@link #stepsPerStage(int)} for a trainer whose method takes whole batches of training rows. */
    public static long stepsPerStage(int documents, TrainSettings s) {
        return (documents + s.batchSize() - 1) / s.batchSize();
    }

    /** The document order of a stage: a permutation drawn from (seed, stage) alone, so resuming repeats it. */
    public static int[] order(int n, long seed, int stage) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed * 1_000_003L + stage);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    /**
     * A random order in which consecutive batches hold documents of similar length: a random
     * permutation is cut into windows of 32 batches, each window sorted by length, and the resulting
     * batches shuffled. All of it from (seed, stage).
     */
    public static int[] lengthGroupedOrder(List<TrainingDocument> docs, int batch, long seed, int stage) {
        int[] perm = order(docs.size(), seed, stage);
        int window = batch * 32;
        List<int[]> batches = new ArrayList<>();
        for (int w = 0; w < perm.length; w += window) {
            Integer[] win = new Integer[Math.min(window, perm.length - w)];
            for (int i = 0; i < win.length; i++) {
                win[i] = perm[w + i];
            }
            java.util.Arrays.sort(win, java.util.Comparator.comparingInt(i -> docs.get(i).ids().length));
            for (int b = 0; b < win.length; b += batch) {
                int[] one = new int[Math.min(batch, win.length - b)];
                for (int i = 0; i < one.length; i++) {
                    one[i] = win[b + i];
                }
                batches.add(one);
            }
        }
        int[] batchOrder = order(batches.size(), seed ^ 0x5EED, stage);
        int[] out = new int[perm.length];
        int k = 0;
        for (int b : batchOrder) {
            for (int i : batches.get(b)) {
                out[k++] = i;
            }
        }
        return out;
    }

    /**
     * The order in which stage {@code stage} trains {@code docs}, {@code rows} training documents a step:
     * what {@link #trainStage} takes, and what an external method and {@code ckl stages export} are given.
     */
    public static int[] stageOrder(List<TrainingDocument> docs, int rows, TrainSettings s, long seed, int stage) {
        return s.lengthGrouped() ? lengthGroupedOrder(docs, rows, seed, stage) : order(docs.size(), seed, stage);
    }

    /** {@link #stageOrder(List, int, TrainSettings, long, int)} for this trainer's method and run. */
    public int[] stageOrder(List<TrainingDocument> docs, int stage) {
        return stageOrder(docs, trainingRowsPerStep(), state.settings(), state.seed(), stage);
    }

    /**
     * Where a stage lies in its optimiser segment: the segment's first step, its steps, and its warmup steps.
     */
    public record Segment(long start, long steps, long warmup) {
        /** The segment of {@code steps} from step {@code start}, warming up for the settings' share of its steps. */
        public static Segment of(long start, long steps, TrainSettings s) {
            return new Segment(start, steps, Math.round(s.warmupRatio() * steps));
        }

        /** The learning rate over the segment's steps (0-based from its start). */
        public LrSchedule schedule(TrainSettings s) {
            return new LrSchedule(s.schedule(), s.lr(), warmup, steps);
        }
    }

    /** Where stage {@code stage} (1-based) lies in its optimiser segment, as {@link #plan(StagePlan)} fixed it. */
    public Segment segment(int stage) {
        if (stagePlan == null || stage < 1 || stage > stagePlan.stages()) {
            throw new IllegalStateException("stage " + stage + " is not one planned with plan(StagePlan)");
        }
        return stagePlan.segment(stage, state.settings());
    }

    /** The LoRA adapter the trainer made because no method registered parameters, or null. */
    public LoraAdapter defaultLora() {
        return defaultLora;
    }

    /** One pass over {@code docs} in the stage's order. */
    public StageResult trainStage(int stage, List<TrainingDocument> docs, StepListener listener) {
        return trainStage(stage, docs, 0, 0, listener);
    }

    /**
     * The stage from optimiser step {@code fromStep} of it on (a resumed stage, whose steps before held
     * {@code fromLossSum}; the listener can save checkpoints between steps). Every step draws dropout from
     * a generator seeded by (seed, stage, step), so a stage resumed in the middle draws what an
     * uninterrupted one would.
     */
    public StageResult trainStage(int stage, List<TrainingDocument> docs, long fromStep, double fromLossSum,
                                  StepListener listener) {
        if (stagePlan == null && oneSegment == null) {
            throw new IllegalStateException("plan(...) must be called before training");
        }
        long t0 = System.nanoTime();
        TrainSettings s = state.settings();
        Segment segment = oneSegment != null ? oneSegment : stagePlan.segment(stage, s);
        if (stagePlan != null && stagePlan.restartsOptimizer(stage) && fromStep == 0) {
            optimizer.reset();
        }
        schedule = segment.schedule(s);
        state.setSegment(segment.start(), segment.steps());
        state.setStage(stage);
        state.setTraining(true);
        setDropout(true);
        method.beforeStage(state, stage);
        int rows = trainingRowsPerStep();
        int[] order = stageOrder(docs, rows, s, state.seed(), stage);
        long stepsInStage = stepsPerStage(docs.size());
        double lossSum = fromLossSum;
        for (long k = fromStep; k < stepsInStage; k++) {
            JniUtils.setSeed(state.seed() * 7919L + stage * 1_000_003L + k);
            int from = (int) (k * rows);
            int to = Math.min(docs.size(), from + rows);
            double loss;
            try (NDManager scope = state.model().manager().newSubManager()) {
                loss = step(docs, order, from, to, scope);
            }
            if (!Double.isFinite(loss) && (!scaleLoss || lossScale <= 1)) {
                // float16 skips a step whose loss overflowed and halves its loss scale; float32, or float16 at
                // scale 1, has nothing left to try: going on would end "complete" with NaN metrics
                throw new NonFiniteException("training stage " + stage + ", step " + (k + 1) + " of " + stepsInStage
                        + ": the loss is " + loss + " (the learning rate " + s.lr() + " may be far too high, or"
                        + " the model's weights hold NaN or infinities); the run is stopped and not complete");
            }
            lossSum += loss;
            if (listener != null) {
                listener.onStep(new Step(stage, k + 1, stepsInStage, loss, lossSum));
            }
        }
        method.afterStage(state, stage);
        setDropout(false);
        state.setTraining(false);
        return new StageResult(stage, stepsInStage, lossSum, (System.nanoTime() - t0) / 1e9);
    }

    /** The gradient norm of the last optimiser step, before clipping: NaN before the first or where it was not finite. */
    public double lastGradNorm() {
        return lastGradNorm;
    }

    private double step(List<TrainingDocument> docs, int[] order, int from, int to, NDManager scope) {
        TrainSettings s = state.settings();
        List<Batch> micro = new ArrayList<>();
        int microRows = (trainingRowsPerStep() + s.gradAccumulation() - 1) / s.gradAccumulation();
        for (int m = from; m < to; m += microRows) {
            List<TrainingDocument> part = new ArrayList<>();
            for (int i = m; i < Math.min(to, m + microRows); i++) {
                part.add(docs.get(order[i]));
            }
            micro.addAll(method.mixBatches(state, Batch.of(part, scope)));
        }
        double total = 0;
        double scale = scaleLoss ? lossScale : 1.0;
        double share = scale / micro.size();
        for (Batch b : micro) {
            NDArray ids = s.referenceLoss() ? eosPadded(b) : b.ids();
            NDArray loss = HeadBackward.backward(state.model(), ids, b.mask(), state.hooks(),
                    nll -> Scalars.mul(batchLoss(b, nll), share));
            total += loss.getFloat() / scale;
            method.afterBackward(state);
        }
        method.beforeUpdate(state);
        double lr = schedule.at(state.step() - state.segmentStart());
        state.setLr(lr);
        double norm = optimizer.step(state.trainable(), lr, s.clipNorm(), scale, scope);
        lastGradNorm = norm;
        if (scaleLoss) {
            adjustLossScale(Double.isFinite(norm));
            if (!Double.isFinite(norm)) {
                return total;
            }
        }
        state.setStep(state.step() + 1);
        method.afterUpdate(state);
        return total;
    }

    private void adjustLossScale(boolean finite) {
        if (!finite) {
            lossScale = Math.max(1, lossScale / 2);
            goodSteps = 0;
        } else if (++goodSteps >= 2000) {
            lossScale *= 2;
            goodSteps = 0;
        }
    }

    /** The batch's ids with EOS where it is padded (masked out): what the reference's tokenizer gives. */
    private NDArray eosPadded(Batch b) {
        NDArray mask = b.mask().toType(b.ids().getDataType(), false);
        return b.ids().mul(mask).add(mask.neg().add(1).mul(state.eosId()));
    }

    /**
     * The step's loss on one micro-batch. With {@code loss=reference} (TrainSettings), the unweighted loss is
     * the mean over every position, the EOS padding included, and a weighted loss masks by the input
     * positions' attention mask, as the reference's {@code calcul_loss} does.
     */
    public static NDArray loss(NDArray nll, NDArray w, NDArray mask, boolean reference) {
        if (!reference) {
            NDArray targets = Losses.targetMask(mask);
            return w == null ? Losses.meanLoss(nll, targets) : Losses.weightedLoss(nll, w, targets);
        }
        if (w == null) {
            return nll.mean();
        }
        long len = mask.getShape().get(1);
        NDArray inputs = mask.get(new ai.djl.ndarray.index.NDIndex(":, 0:{}", len - 1))
                .toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
        return Losses.weightedLoss(nll, w, inputs);
    }

    private NDArray batchLoss(Batch b, NDArray nll) {
        NDArray w = method.tokenWeights(state, b, nll);
        NDArray loss = loss(nll, w, b.mask(), state.settings().referenceLoss());
        NDArray extra = method.extraLoss(state, b);
        return extra == null ? loss : loss.add(extra);
    }

    private void setDropout(boolean on) {
        if (defaultLora != null) {
            defaultLora.setTraining(on);
        }
    }

    /**
     * Writes the trainable tensors, the optimiser moments, the method's state, the trained LoRA adapter as a
     * PEFT folder {@code adapter/} (where the trainables are one) and the counters as a new generation of
     * the checkpoints in {@code dir} ({@link CheckpointStore}); state.json goes last.
     */
    public void saveCheckpoint(Path dir, int stage, ObjectNode extra) throws IOException {
        saveCheckpoint(new CheckpointStore(dir), stage, extra);
    }

    public void saveCheckpoint(CheckpointStore store, int stage, ObjectNode extra) throws IOException {
        store.save((tmp, faults) -> {
            faults.before(CheckpointStore.Step.WRITE, TRAINABLE);
            SafetensorsWriter.write(tmp.resolve(TRAINABLE), state.trainable(), null);
            faults.before(CheckpointStore.Step.WRITE, OPTIMIZER);
            SafetensorsWriter.write(tmp.resolve(OPTIMIZER), optimizer.state(), null);
            Map<String, NDArray> methodState = method.state();
            if (!methodState.isEmpty()) {
                faults.before(CheckpointStore.Step.WRITE, METHOD);
                SafetensorsWriter.write(tmp.resolve(METHOD), methodState, null);
            }
            if (defaultLora != null) {
                faults.before(CheckpointStore.Step.WRITE, ADAPTER);
                saveAdapter(tmp.resolve(ADAPTER));
            }
            ObjectNode json = JSON.createObjectNode();
            json.put("stage", stage);
            json.put("step", state.step());
            json.put("optimizer_step", optimizer.stepCount());
            json.put("seed", state.seed());
            json.put("loss_scale", lossScale);
            json.put("loss_scale_good_steps", goodSteps);
            json.put("rng", "data order: permutation of (seed, stage); dropout: reseeded from (seed, stage, step) each step");
            if (extra != null) {
                json.set("extra", extra);
            }
            faults.before(CheckpointStore.Step.WRITE, STATE);
            AtomicFiles.writeString(tmp.resolve(STATE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        });
    }

    /**
     * Whether the trainables are one LoRA adapter (the run's own, as Finetune trains), which {@link
     * #saveAdapter} writes as a PEFT folder; methods that register trainables of their own are not.
     */
    public boolean trainsAnAdapter() {
        return defaultLora != null;
    }

    /** The base_model_name_or_path written into the adapters' adapter_config.json. */
    public void setAdapterBaseModel(String baseModel) {
        this.adapterBaseModel = baseModel;
    }

    /**
     * Writes the trained LoRA adapter as PEFT's folder ({@code adapter_config.json} and {@code
     * adapter_model.safetensors}, PEFT's tensor names) into {@code dir}, which
     * {@code PeftModel.from_pretrained(base, dir)} loads.
     */
    public void saveAdapter(Path dir) throws IOException {
        if (defaultLora == null) {
            throw new IllegalStateException("the trainables of this run are not a LoRA adapter");
        }
        defaultLora.save(dir, adapterBaseModel);
    }

    /** Whether {@code dir} holds a checkpoint to resume from. */
    public static boolean hasCheckpoint(Path dir) throws IOException {
        return new CheckpointStore(dir).latest().isPresent();
    }

    /** Restores what {@link #saveCheckpoint} wrote; returns its state.json. */
    public JsonNode restoreCheckpoint(Path store) throws IOException {
        Path dir = new CheckpointStore(store).latest().orElseThrow(() -> new IOException(store + " holds no checkpoint"));
        JsonNode json = JSON.readTree(dir.resolve(STATE).toFile());
        SafetensorsFile weights = SafetensorsFile.open(dir.resolve(TRAINABLE));
        if (!weights.entries().keySet().equals(state.trainable().keySet())) {
            throw new IOException(dir + ": checkpoint tensors " + weights.entries().keySet()
                    + " are not the trainable tensors of this run");
        }
        try (NDManager tmp = state.model().manager().newSubManager()) {
            for (Map.Entry<String, NDArray> e : state.trainable().entrySet()) {
                NDArray loaded = Scopes.copy(weights.read(e.getKey(), tmp), e.getValue().getDataType(), tmp);
                e.getValue().set(new NDIndex("..."), loaded);
            }
            SafetensorsFile opt = SafetensorsFile.open(dir.resolve(OPTIMIZER));
            Map<String, NDArray> moments = new java.util.LinkedHashMap<>();
            for (String name : opt.entries().keySet()) {
                moments.put(name, Scopes.copy(opt.read(name, tmp), DataType.FLOAT32, tmp));
            }
            optimizer.restore(moments, json.get("optimizer_step").asLong());
            if (Files.isRegularFile(dir.resolve(METHOD))) {
                SafetensorsFile saved = SafetensorsFile.open(dir.resolve(METHOD));
                Map<String, NDArray> methodState = new java.util.LinkedHashMap<>();
                for (String name : saved.entries().keySet()) {
                    methodState.put(name, saved.read(name, tmp));
                }
                method.restore(methodState);
            }
        }
        state.setStep(json.get("step").asLong());
        lossScale = json.path("loss_scale").asDouble(lossScale);
        goodSteps = json.path("loss_scale_good_steps").asInt(0);
        return json;
    }

    @Override
    public void close() {
        optimizer.close();
        if (defaultLora != null) {
            defaultLora.close();
        }
    }

    /** The training or an evaluation produced a non-finite number: the run cannot go on to a result. */
    public static final class NonFiniteException extends IllegalStateException {
        public NonFiniteException(String message) {
            super(message);
        }
    }
}
