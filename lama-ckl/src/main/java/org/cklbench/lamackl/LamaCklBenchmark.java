package org.cklbench.lamackl;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.engine.djl.PyTorchEngine;
import org.cklbench.core.eval.Probe;
import org.cklbench.core.eval.ProbeEvaluator;
import org.cklbench.core.eval.ProbeResult;
import org.cklbench.core.method.CklMethod;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.core.run.Benchmark;
import org.cklbench.core.run.Preemption;
import org.cklbench.progress.Progress;
import org.cklbench.core.run.RunContext;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.core.run.RunPlan;
import org.cklbench.core.run.RunRequest;
import org.cklbench.core.run.Settings;
import org.cklbench.core.run.StageListener;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.core.state.TrainSettings;
import org.cklbench.core.train.Trainer;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.core.state.TrainingState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LAMA-ckl protocol (SPEC §2): train on the To-Learn evidence documents; before training and
 * after every epoch, probe To-Learn and Not-To-Forget facts; report Top Acc, Epoch, NF Acc and Total
 * Knowledge from the curve. HfModels at the end of every epoch and, when the process is asked to
 * stop ({@link Preemption}), at the step it is on; a resumed run goes on from there.
 */
public final class LamaCklBenchmark implements Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String id() {
        return "lama-ckl";
    }

    @Override
    public String description() {
        return "LAMA-ckl: learn 500 time-variant facts from their evidence, keep 500 invariant ones (TAALM, NeurIPS 2024)";
    }

    @Override
    public List<String> presets() {
        return List.of("smoke", "quick", "paper");
    }

    /** The hyperparameters of each preset; {@code --set key=value} overrides any of them. */
    static ObjectNode presetSettings(String preset) {
        ObjectNode s = JSON.createObjectNode();
        switch (preset) {
            case "smoke" -> {
                s.put("epochs", 3).put("batch_size", 4).put("grad_accumulation", 1).put("lr", 5e-3)
                        .put("schedule", "constant").put("warmup_ratio", 0.0).put("weight_decay", 0.0)
                        .put("clip_norm", 1.0).put("max_tokens", 128).put("lora_r", 8).put("lora_alpha", 16.0)
                        .put("lora_dropout", 0.0).put("full", false).put("task_form", "descriptive")
                        .put("eval_batch_size", 16);
            }
            case "quick" -> {
                // The embedded default: 200 To-Learn and 200 Not-To-Forget facts of the synthetic world,
                // a tiny pretrained base, minutes for every method on 2 CPU cores.
                s.put("epochs", 6).put("batch_size", 16).put("grad_accumulation", 1).put("lr", 3e-3)
                        .put("schedule", "constant").put("warmup_ratio", 0.0).put("weight_decay", 0.0)
                        .put("clip_norm", 1.0).put("max_tokens", 128).put("lora_r", 16).put("lora_alpha", 32.0)
                        .put("lora_dropout", 0.0).put("full", false).put("task_form", "descriptive")
                        .put("eval_batch_size", 64);
            }
            case "paper" -> {
                // SPEC §2 and §5: 30 epochs, global batch 64, lr 1e-4, AdamW, max 512 tokens, LoRA r64/α16/p0.1.
                // Not fixed by the reference and chosen here: constant rate, no warm-up, no weight decay,
                // clipping at 1.0 (Hugging Face Trainer's defaults), micro-batches of 8.
                s.put("epochs", 30).put("batch_size", 64).put("grad_accumulation", 8).put("lr", 1e-4)
                        .put("schedule", "constant").put("warmup_ratio", 0.0).put("weight_decay", 0.0)
                        .put("clip_norm", 1.0).put("max_tokens", 512).put("lora_r", 64).put("lora_alpha", 16.0)
                        .put("lora_dropout", 0.1).put("full", false).put("task_form", "descriptive")
                        .put("eval_batch_size", 32);
            }
            default -> throw new IllegalArgumentException("lama-ckl has no preset '" + preset + "' (smoke, quick, paper)");
        }
        return s;
    }

    @Override
    public RunPlan plan(RunRequest r, Progress progress) throws IOException {
        ObjectNode settings = Settings.override(presetSettings(r.preset()), r.overrides());
        Path model = r.model();
        Path data = r.data();
        if (r.preset().equals("smoke") && (model == null || data == null)) {
            Path[] generated = SmokeSet.ensure(r.home());
            model = model == null ? generated[1] : model;
            data = data == null ? generated[0] : data;
        }
        if (r.preset().equals("quick") && (model == null || data == null)) {
            Path[] quick = QuickSet.ensure(r.home(), progress);
            model = model == null ? quick[1] : model;
            data = data == null ? quick[2] : data;
        }
        if (model == null) {
            throw new IllegalArgumentException("preset '" + r.preset() + "' needs --model DIR (a Hugging Face Llama folder)");
        }
        if (data == null) {
            throw new IllegalArgumentException("preset '" + r.preset() + "' needs --data DIR holding variant.jsonl and"
                    + " invariant_*.jsonl (the released LAMA-ckl files or a built set)");
        }
        String form = settings.get("task_form").asText();
        Map<String, Path> inputs = new LinkedHashMap<>();
        inputs.put("model", model);
        inputs.put("to_learn", data.resolve("variant.jsonl"));
        inputs.put("not_to_forget", data.resolve("invariant_" + form + ".jsonl"));
        if (r.usesPresetTrainAttention()) {
            Path cache = r.home().resolve("train-attention");
            inputs.put("train_attention_model", TrainAttentionSet.ensure(cache, model, data, r.preset(), progress));
        }
        for (Path p : inputs.values()) {
            if (!Files.exists(p)) {
                throw new IOException(p + " does not exist");
            }
        }
        return new RunPlan(settings, inputs);
    }

    @Override
    public void execute(RunContext ctx) throws IOException {
        RunRequest req = ctx.request();
        JsonNode s = ctx.plan().settings();
        String form = s.get("task_form").asText();
        int epochs = s.get("epochs").asInt();
        TrainSettings ts = TrainSettings.of(s);
        PyTorchEngine.init(req.threads());
        Device device = PyTorchEngine.device(req.device());
        DataType dtype = PyTorchEngine.computeType(req.dtype(), device);
        Path modelDir = ctx.plan().input("model");
        List<LamaCklRow> toLearn = LamaCklRow.read(ctx.plan().input("to_learn"));
        List<LamaCklRow> notToForget = LamaCklRow.read(ctx.plan().input("not_to_forget"));
        RunFolder folder = ctx.folder();

        try (LlamaModel model = HfModels.load(modelDir, device, dtype);
             TextTokenizer tokenizer = TextTokenizer.load(modelDir);
             TrainingState state = new TrainingState(model, tokenizer, ts, req.seed());
             CklMethod method = ctx.methods().create(req.method(), req.methodParams())) {
            state.attributes().put("inputs", ctx.plan().inputs());
            state.setCorpus("train", documents(toLearn, tokenizer, ts.maxTokens()));
            state.setCorpus("review", documents(notToForget, tokenizer, ts.maxTokens()));
            List<Probe> learnProbes = probes(toLearn, form);
            List<Probe> keepProbes = probes(notToForget, form);
            ProbeEvaluator evaluator = new ProbeEvaluator(model, tokenizer, s.get("eval_batch_size").asInt());
            // Every probe must be locatable before any work is spent.
            learnProbes.forEach(evaluator::locate);
            keepProbes.forEach(evaluator::locate);

            try (Trainer trainer = new Trainer(state, method)) {
                List<TrainingDocument> docs = state.corpus("train");
                trainer.plan(epochs * Trainer.stepsPerStage(docs.size(), ts));
                List<JsonNode> metrics = new ArrayList<>();
                int start = 1;
                long startStep = 0;
                double startLoss = 0;
                if (ctx.resume() && Files.isDirectory(folder.checkpoint())) {
                    JsonNode saved = trainer.restoreCheckpoint(folder.checkpoint());
                    JsonNode at = saved.path("extra");
                    // checkpoints written before mid-epoch ones existed hold only the finished epoch
                    start = at.has("epoch") ? at.get("epoch").asInt() : saved.get("stage").asInt() + 1;
                    startStep = at.path("step_in_epoch").asLong();
                    startLoss = at.path("loss_sum_in_epoch").asDouble();
                    for (JsonNode m : folder.metrics()) {
                        if (m.get("epoch").asInt() < start) {
                            metrics.add(m);
                        }
                    }
                }
                if (metrics.isEmpty()) {
                    metrics.add(evaluate(0, null, learnProbes, keepProbes, evaluator, state, ctx));
                    folder.writeMetrics(metrics);
                }
                long steps = Trainer.stepsPerStage(docs.size(), ts);
                for (int epoch = start; epoch <= epochs; epoch++) {
                    int current = epoch;
                    double lossSum;
                    try (Progress.Task bar = ctx.progress().start("epoch " + epoch + "/" + epochs, steps, "step")) {
                        StageListener listener = new StageListener(bar, startStep, startLoss, 0,
                                (k, sum) -> saveCheckpoint(trainer, folder, current, k, sum));
                        trainer.trainStage(epoch, docs, startStep, listener);
                        lossSum = listener.lossSum();
                    }
                    metrics.add(evaluate(epoch, lossSum / Math.max(1, steps), learnProbes, keepProbes, evaluator,
                            state, ctx));
                    folder.writeMetrics(metrics);
                    saveCheckpoint(trainer, folder, epoch + 1, 0, 0);
                    startStep = 0;
                    startLoss = 0;
                }
                folder.writeSummary(summary(req.method(), metrics));
            }
        }
    }

    /** A checkpoint from which training goes on at {@code step} of {@code epoch} (step 0: the epoch's start). */
    private static void saveCheckpoint(Trainer trainer, RunFolder folder, int epoch, long step, double lossSum)
            throws IOException {
        ObjectNode at = JSON.createObjectNode();
        at.put("epoch", epoch);
        at.put("step_in_epoch", step);
        at.put("loss_sum_in_epoch", lossSum);
        trainer.saveCheckpoint(folder.checkpoint(), epoch, at);
    }

    static List<TrainingDocument> documents(List<LamaCklRow> rows, TextTokenizer tok, int maxTokens) {
        List<TrainingDocument> out = new ArrayList<>();
        for (LamaCklRow r : rows) {
            long[] ids = tok.encode(r.evidence(), maxTokens);
            out.add(new TrainingDocument(r.uuid(), r.evidence(), ids, Map.of("uuid", r.uuid(), "object", r.object(),
                    "subject", r.subject(), "relation", r.relationCode())));
        }
        return out;
    }

    static List<Probe> probes(List<LamaCklRow> rows, String form) {
        return rows.stream().map(r -> new Probe(r.uuid(), r.task(form), r.object())).toList();
    }

    private static JsonNode evaluate(int epoch, Double trainLoss, List<Probe> learn, List<Probe> keep,
                                     ProbeEvaluator evaluator, TrainingState state, RunContext ctx) throws IOException {
        List<ProbeResult> a;
        List<ProbeResult> b;
        try (Progress.Task bar = ctx.progress().start("eval epoch " + epoch, learn.size() + keep.size(), "probe")) {
            a = evaluator.evaluate(learn, state.hooks(), bar::step);
            b = evaluator.evaluate(keep, state.hooks(), bar::step);
        }
        List<ObjectNode> rows = new ArrayList<>();
        addPredictions(rows, "to_learn", learn, a, state.tokenizer());
        addPredictions(rows, "not_to_forget", keep, b, state.tokenizer());
        ctx.folder().writePredictions(String.format("epoch-%03d", epoch), rows);
        ObjectNode m = JSON.createObjectNode();
        m.put("epoch", epoch);
        m.put("to_learn_acc", ProbeEvaluator.meanAccuracy(a));
        m.put("not_to_forget_acc", ProbeEvaluator.meanAccuracy(b));
        m.put("to_learn_nll", ProbeEvaluator.meanNll(a));
        m.put("not_to_forget_nll", ProbeEvaluator.meanNll(b));
        if (trainLoss == null) {
            m.putNull("train_loss");
        } else {
            m.put("train_loss", trainLoss);
        }
        return m;
    }

    private static void addPredictions(List<ObjectNode> rows, String split, List<Probe> probes, List<ProbeResult> results,
                                       TextTokenizer tok) {
        for (int i = 0; i < probes.size(); i++) {
            ProbeResult r = results.get(i);
            ObjectNode o = JSON.createObjectNode();
            o.put("split", split);
            o.put("uuid", r.uuid());
            o.put("object", probes.get(i).object());
            o.put("predicted", tok.decode(r.predictedIds()));
            o.put("accuracy", r.accuracy());
            o.put("object_nll", r.objectNll());
            o.set("object_ids", JSON.valueToTree(r.objectIds()));
            o.set("predicted_ids", JSON.valueToTree(r.predictedIds()));
            rows.add(o);
        }
    }

    static ObjectNode summary(String method, List<JsonNode> metrics) {
        List<LamaCklMetrics.Point> curve = metrics.stream().map(m -> new LamaCklMetrics.Point(m.get("epoch").asInt(),
                m.get("to_learn_acc").asDouble(), m.get("not_to_forget_acc").asDouble())).toList();
        LamaCklMetrics k = LamaCklMetrics.fromCurve(curve);
        ObjectNode o = JSON.createObjectNode();
        o.put("benchmark", "lama-ckl");
        o.put("method", method);
        o.put("top_acc", k.topAcc());
        o.put("epoch", k.epoch());
        o.put("nf_acc", k.nfAcc());
        o.put("total_knowledge", k.totalKnowledge());
        o.put("epochs_evaluated", metrics.size());
        return o;
    }
}
