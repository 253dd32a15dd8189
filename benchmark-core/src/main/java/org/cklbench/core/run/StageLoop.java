package org.cklbench.core.run;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.benchmark.OpenContext;
import org.cklbench.core.benchmark.Protocol;
import org.cklbench.core.eval.Probe;
import org.cklbench.core.eval.ProbeEvaluator;
import org.cklbench.core.eval.ProbeNotLocatedException;
import org.cklbench.core.eval.ProbeResult;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.state.TrainSettings;
import org.cklbench.core.state.TrainingState;
import org.cklbench.core.train.StagePlan;
import org.cklbench.core.train.Trainer;
import org.cklbench.engine.djl.PyTorchEngine;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.progress.Progress;
import org.cklbench.runfolder.Prediction;
import org.cklbench.runfolder.RunConfig;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.Summary;
import org.cklbench.text.Printable;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one protocol loop, for every benchmark: load the model, the method and the benchmark's
 * protocol; locate every probe before any work is spent; evaluate before training where the protocol
 * does; then for each stage train (checkpointing every {@code checkpoint_every} steps and at the step
 * where SIGTERM arrives), evaluate, write the metrics line and the predictions, and checkpoint; finally
 * write the summary. A resumed run restores its checkpoint and goes on from the stage and step it
 * holds, keeping the metrics lines written before it.
 */
public final class StageLoop {
    private StageLoop() {
    }

    public static void run(RunContext ctx) throws IOException {
        run(ctx, RunTimings.NONE);
    }

    /** The same, adding where the time goes to {@code timings}: load, evaluate, train, checkpoint, summary. */
    public static void run(RunContext ctx, RunTimings timings) throws IOException {
        RunConfig c = ctx.config();
        JsonNode s = c.settings();
        TrainSettings ts = TrainSettings.of(s);
        Device device = PyTorchEngine.device(c.device());
        DataType dtype = PyTorchEngine.computeType(c.dtype().equals("default") ? null : c.dtype(), device);
        long every = s.path("checkpoint_every").asLong(0);
        RunFolder folder = ctx.folder();
        var modelDir = ctx.inputs().get("model");
        try (LlamaModel model = HfModels.load(modelDir, device, dtype);
             TextTokenizer tok = TextTokenizer.load(modelDir);
             TrainingState state = new TrainingState(model, tok, ts, c.seed());
             CklMethod method = ctx.methods().create(ctx.method())) {
            Protocol protocol = ctx.benchmark().open(new OpenContext(s, ctx.inputs(), tok, ts.maxTokens()));
            protocol.corpora().forEach(state::setCorpus);
            List<Protocol.Stage> stages = protocol.stages();
            int first = protocol.evaluatesBeforeTraining() ? 0 : 1;
            Evaluations eval = new Evaluations(ctx, protocol, new ProbeEvaluator(model, tok, s.get("eval_batch_size").asInt()),
                    state, stages);
            for (int k = first; k <= stages.size(); k++) {
                for (Protocol.ProbeSet set : protocol.probes(k)) {
                    try {
                        set.probes().forEach(eval.evaluator::locate);
                    } catch (ProbeNotLocatedException e) {
                        throw new ProbeNotLocatedException(e.uuid(), (set.source() != null
                                ? Printable.of(set.source()) : "split " + set.split()) + ": " + e.getMessage());
                    }
                }
            }
            try (Trainer trainer = new Trainer(state, method)) {
                trainer.setAdapterBaseModel(modelDir.toAbsolutePath().toString()); // named in the PEFT folders the checkpoints carry
                folder.writeRun(folder.run().withTraining(training(state, trainer, method)));
                StagePlan plan = StagePlan.of(stages, trainer::stepsPerStage);
                trainer.plan(plan);
                long[] stageSteps = plan.stageSteps();
                // a method that trains its stages elsewhere (an external process): the seam is here and below
                StageTraining elsewhere = method instanceof StageTraining.Source src
                        ? src.stageTraining(new StageTraining.Setup(ctx, state, trainer, stages, stageSteps, plan.fresh()))
                        : null;
                if (method instanceof StageTraining.Source src && src.notReproducible() != null) {
                    folder.writeRun(folder.run().withReproducible(false, src.notReproducible()));
                }
                List<JsonNode> metrics = new ArrayList<>();
                StagePosition at = new StagePosition(1, 0, 0);
                if (ctx.resume() && Trainer.hasCheckpoint(folder.checkpoint())) {
                    at = StagePosition.of(trainer.restoreCheckpoint(folder.checkpoint()));
                    List<ObjectNode> saved = folder.metrics();
                    metrics.addAll(saved.subList(0, Math.min(saved.size(), first == 0 ? at.stage() : at.stage() - 1)));
                }
                timings.mark("load");
                if (first == 0 && metrics.isEmpty()) {
                    metrics.add(eval.after(0, null));
                    folder.writeMetrics(metrics);
                    timings.mark("evaluate");
                }
                StepLog stepLog = StepLog.open(folder, at.stage(), at.step(), state::lr, trainer::lastGradNorm);
                Checkpointer checkpointer = position -> save(trainer, folder, position);
                for (int k = at.stage(); k <= stages.size(); k++) {
                    Protocol.Stage st = stages.get(k - 1);
                    long steps = stageSteps[k - 1];
                    StagePosition from = k == at.stage() ? at : new StagePosition(k, 0, 0);
                    Trainer.StageResult trained = null;
                    Double elsewhereLoss = null;
                    // an external stage reports no steps: its bar counts the stage, done when the process is
                    try (Progress.Task bar = elsewhere != null ? ctx.progress().start(st.name(), 1, "stage")
                            : ctx.progress().start(st.name(), steps, "step")) {
                        // the step log first: a listener after it may checkpoint the step
                        StageListeners listeners = new StageListeners(List.of(stepLog, new ProgressListener(bar),
                                new PreemptionCheckpoint(checkpointer), new PeriodicCheckpoints(every, checkpointer)));
                        listeners.onStageStart(k, from.step(), steps);
                        if (elsewhere != null) {
                            elsewhereLoss = elsewhere.train(k, st);
                            bar.step(1);
                        } else if (method.trains()) {
                            trained = trainer.trainStage(k, st.documents(), from.step(), from.lossSum(), listeners);
                            listeners.onStageEnd(trained);
                        }
                    }
                    timings.mark("train");
                    metrics.add(eval.after(k, elsewhere != null ? elsewhereLoss
                            : trained == null ? null : trained.meanLoss()));
                    folder.writeMetrics(metrics);
                    TopAdapter.keep(protocol, metrics, k, trainer, folder.dir()); // before the checkpoint, so a resumed run finds it whole
                    timings.mark("evaluate");
                    save(trainer, folder, new StagePosition(k + 1, 0, 0));
                    timings.mark("checkpoint");
                    if (ctx.stopAfter() > 0 && k >= ctx.stopAfter()) {
                        return;
                    }
                }
                // before summary.json: a run counts as complete once that exists, and it should be whole then
                folder.writeReplicates(SummaryBootstrap.of(protocol, folder, first, stages.size(),
                        SummaryBootstrap.REPLICATES));
                folder.writeSummary(Summary.of(c.benchmark(), c.method(), protocol.summarize(metrics)));
                timings.mark("summary");
            }
        }
        timings.mark("close");
    }

    /** What run.json records of the training's set-up: trainable parameters, rows per step, corpora, the methods' reports. */
    private static Map<String, Object> training(TrainingState state, Trainer trainer, CklMethod method) {
        Map<String, Object> t = new LinkedHashMap<>();
        long params = 0;
        for (var p : state.trainable().values()) {
            params += p.getShape().size();
        }
        t.put("trainable_parameters", params);
        t.put("trainable_tensors", state.trainable().size());
        t.put("training_rows_per_step", trainer.trainingRowsPerStep());
        if (trainer.trainsAnAdapter()) {
            t.put("peft_adapters", TopAdapter.where());
        }
        Map<String, Integer> corpora = new LinkedHashMap<>();
        state.corpora().forEach((k, v) -> corpora.put(k, v.size()));
        t.put("corpora", corpora);
        Map<String, Object> reported = method.describe(state);
        if (!reported.isEmpty()) {
            t.put("methods", reported);
        }
        return t;
    }

    private static void save(Trainer trainer, RunFolder folder, StagePosition at) throws IOException {
        trainer.saveCheckpoint(folder.checkpoint(), at.stage(), at.toJson());
    }

    /** Scores an evaluation's probes, writes its predictions, and makes its metrics line. */
    private static final class Evaluations {
        private final RunContext ctx;
        private final Protocol protocol;
        private final ProbeEvaluator evaluator;
        private final TrainingState state;
        private final List<Protocol.Stage> stages;

        Evaluations(RunContext ctx, Protocol protocol, ProbeEvaluator evaluator, TrainingState state,
                    List<Protocol.Stage> stages) {
            this.ctx = ctx;
            this.protocol = protocol;
            this.evaluator = evaluator;
            this.state = state;
            this.stages = stages;
        }

        JsonNode after(int stage, Double trainLoss) throws IOException {
            List<Protocol.ProbeSet> sets = protocol.probes(stage);
            long n = sets.stream().mapToLong(x -> x.probes().size()).sum();
            Map<String, List<ProbeResult>> results = new LinkedHashMap<>();
            String label = stage == 0 ? "eval before training" : "eval " + stages.get(stage - 1).name();
            try (Progress.Task bar = ctx.progress().start(label, n, "probe")) {
                for (Protocol.ProbeSet set : sets) {
                    results.put(set.split(), evaluator.evaluate(set.probes(), state.hooks(), bar::step));
                }
            }
            for (Protocol.ProbeSet set : sets) {
                for (ProbeResult r : results.get(set.split())) {
                    if (!Double.isFinite(r.objectNll())) {
                        throw new Trainer.NonFiniteException(label + ": the object NLL of probe " + Printable.of(r.uuid())
                                + " (" + set.split() + ") is " + r.objectNll() + ": the model's weights hold NaN or"
                                + " infinities" + (stage == 0 ? " (as read from the model folder)" : " after training")
                                + "; the run is stopped and not complete");
                    }
                }
            }
            List<Prediction> rows = new ArrayList<>();
            for (Protocol.ProbeSet set : sets) {
                List<ProbeResult> rs = results.get(set.split());
                for (int i = 0; i < set.probes().size(); i++) {
                    Probe p = set.probes().get(i);
                    ProbeResult r = rs.get(i);
                    rows.add(new Prediction(set.split(), r.uuid(), p.subject(), p.relation(), p.object(),
                            state.tokenizer().decode(r.predictedIds()), r.accuracy(), r.objectNll(), r.objectIds(),
                            r.predictedIds()));
                }
            }
            ctx.folder().writePredictions(protocol.evaluationName(stage), rows);
            ObjectNode m = protocol.metrics(stage, results);
            if (trainLoss == null) {
                m.putNull("train_loss");
            } else {
                m.put("train_loss", trainLoss);
            }
            return m;
        }
    }
}
