package org.cklbench.temporalwiki;

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
 * TemporalWiki (SPEC §3): three periods in order, the model carried over; one epoch on the period's
 * filtered diffset, then the period's Changed and Unchanged probes scored by the mean NLL of their
 * object tokens; Un, C and Avg = (Un + C)/2 per period, lower is better. HfModels at the end of each
 * period, every {@code checkpoint_every} steps inside one, and at the step where the process is asked
 * to stop ({@link Preemption}), so a run resumes between and within periods.
 */
public final class TemporalWikiBenchmark implements Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String id() {
        return "temporalwiki";
    }

    @Override
    public String description() {
        return "TemporalWiki: three monthly Wikipedia diffs in turn, probed on changed and unchanged facts (mean object NLL)";
    }

    @Override
    public List<String> presets() {
        return List.of("smoke", "quick", "paper");
    }

    static ObjectNode presetSettings(String preset) {
        ObjectNode s = JSON.createObjectNode();
        switch (preset) {
            case "smoke" -> s.put("batch_size", 4).put("grad_accumulation", 1).put("lr", 5e-3).put("schedule", "constant")
                    .put("warmup_ratio", 0.0).put("weight_decay", 0.0).put("clip_norm", 1.0).put("max_tokens", 128)
                    .put("lora_r", 8).put("lora_alpha", 16.0).put("lora_dropout", 0.0).put("full", false)
                    .put("eval_batch_size", 32).put("checkpoint_every", 2).put("max_probes", 0);
            case "quick" -> s.put("batch_size", 16).put("grad_accumulation", 1).put("lr", 3e-3).put("schedule", "constant")
                    .put("warmup_ratio", 0.0).put("weight_decay", 0.0).put("clip_norm", 1.0).put("max_tokens", 128)
                    .put("lora_r", 16).put("lora_alpha", 32.0).put("lora_dropout", 0.0).put("full", false)
                    .put("eval_batch_size", 64).put("checkpoint_every", 20).put("max_probes", 0);
            // The reference (TAALM on TinyLlama): one epoch per period, LoRA; the rest as for LAMA-ckl.
            case "paper" -> s.put("batch_size", 64).put("grad_accumulation", 8).put("lr", 1e-4).put("schedule", "constant")
                    .put("warmup_ratio", 0.0).put("weight_decay", 0.0).put("clip_norm", 1.0).put("max_tokens", 512)
                    .put("lora_r", 64).put("lora_alpha", 16.0).put("lora_dropout", 0.1).put("full", false)
                    .put("eval_batch_size", 32).put("checkpoint_every", 200).put("max_probes", 0);
            default -> throw new IllegalArgumentException("temporalwiki has no preset '" + preset + "' (smoke, quick, paper)");
        }
        return s;
    }

    @Override
    public RunPlan plan(RunRequest r, Progress progress) throws IOException {
        ObjectNode settings = Settings.override(presetSettings(r.preset()), r.overrides());
        Path model = r.model();
        Path data = r.data();
        if (!r.preset().equals("paper") && (model == null || data == null)) {
            Path[] world = WorldTemporalWiki.ensure(r.home(), r.preset(), progress);
            model = model == null ? world[0] : model;
            data = data == null ? world[1] : data;
        }
        if (model == null || data == null) {
            throw new IllegalArgumentException("preset '" + r.preset() + "' needs --model DIR and --data DIR (a folder with"
                    + " probes/ and diffsets/, see README)");
        }
        Map<String, Path> inputs = new LinkedHashMap<>();
        inputs.put("model", model);
        inputs.put("probes", data.resolve("probes"));
        inputs.put("diffsets", data.resolve("diffsets"));
        if (Files.isDirectory(data.resolve("review"))) {
            inputs.put("review", data.resolve("review"));
        }
        for (Path p : inputs.values()) {
            if (!Files.exists(p)) {
                throw new IOException(p + " does not exist");
            }
        }
        if (r.usesPresetTrainAttention()) {
            if (r.preset().equals("paper")) {
                throw new IllegalArgumentException("taalm on the paper preset needs --ta DIR (ckl taalm train)");
            }
            inputs.put("train_attention_model", WorldTemporalWiki.ensureTrainAttention(r.home(), r.preset(), progress));
        }
        return new RunPlan(settings, inputs);
    }

    @Override
    public void execute(RunContext ctx) throws IOException {
        RunRequest req = ctx.request();
        JsonNode s = ctx.plan().settings();
        TrainSettings ts = TrainSettings.of(s);
        PyTorchEngine.init(req.threads());
        Device device = PyTorchEngine.device(req.device());
        DataType dtype = PyTorchEngine.computeType(req.dtype(), device);
        Path modelDir = ctx.plan().input("model");
        RunFolder folder = ctx.folder();
        int every = s.get("checkpoint_every").asInt();
        int maxProbes = s.get("max_probes").asInt();

        try (LlamaModel model = HfModels.load(modelDir, device, dtype);
             TextTokenizer tok = TextTokenizer.load(modelDir);
             TrainingState state = new TrainingState(model, tok, ts, req.seed());
             CklMethod method = ctx.methods().create(req.method(), req.methodParams())) {
            state.attributes().put("inputs", ctx.plan().inputs());
            List<List<TrainingDocument>> diffs = new ArrayList<>();
            List<List<TwikiProbe>> changed = new ArrayList<>();
            List<List<TwikiProbe>> unchanged = new ArrayList<>();
            ProbeEvaluator evaluator = new ProbeEvaluator(model, tok, s.get("eval_batch_size").asInt());
            for (Period p : Period.ALL) {
                changed.add(cap(TwikiProbe.read(p.probeFile(ctx.plan().input("probes"), true)), maxProbes));
                diffs.add(documents(Diffsets.filtered(ctx.plan().input("diffsets"), p), tok, ts.maxTokens(), p,
                        changed.get(p.index())));
                unchanged.add(cap(TwikiProbe.read(p.probeFile(ctx.plan().input("probes"), false)), maxProbes));
                // every probe must be locatable before any work is spent
                probes(changed.get(p.index()), p, "c").forEach(evaluator::locate);
                probes(unchanged.get(p.index()), p, "u").forEach(evaluator::locate);
            }
            if (ctx.plan().inputs().containsKey("review")) {
                state.setCorpus("review", documents(Diffsets.read(ctx.plan().input("review").resolve("review.jsonl")),
                        tok, ts.maxTokens(), null, List.of()));
            }
            try (Trainer trainer = new Trainer(state, method)) {
                long total = 0;
                for (List<TrainingDocument> d : diffs) {
                    total += Trainer.stepsPerStage(d.size(), ts);
                }
                trainer.plan(total);
                List<JsonNode> metrics = new ArrayList<>();
                int startPeriod = 0;
                long startStep = 0;
                double startLoss = 0;
                if (ctx.resume() && Files.isDirectory(folder.checkpoint())) {
                    JsonNode at = trainer.restoreCheckpoint(folder.checkpoint()).get("extra");
                    startPeriod = at.get("period_index").asInt();
                    startStep = at.get("step_in_period").asLong();
                    startLoss = at.get("loss_sum_in_period").asDouble();
                    for (JsonNode m : folder.metrics()) {
                        if (m.get("period_index").asInt() < startPeriod) {
                            metrics.add(m);
                        }
                    }
                }
                for (int pi = startPeriod; pi < Period.ALL.size(); pi++) {
                    Period p = Period.ALL.get(pi);
                    List<TrainingDocument> docs = diffs.get(pi);
                    long steps = Trainer.stepsPerStage(docs.size(), ts);
                    int periodIndex = pi;
                    double lossSum;
                    try (Progress.Task bar = ctx.progress().start("period " + p.name(), steps, "step")) {
                        StageListener listener = new StageListener(bar, startStep, startLoss, every,
                                (k, sum) -> saveCheckpoint(trainer, folder, periodIndex, k, sum));
                        trainer.trainStage(pi + 1, docs, startStep, listener);
                        lossSum = listener.lossSum();
                    }
                    metrics.add(evaluate(p, lossSum / Math.max(1, steps), changed.get(pi), unchanged.get(pi),
                            evaluator, state, ctx));
                    folder.writeMetrics(metrics);
                    saveCheckpoint(trainer, folder, pi + 1, 0, 0);
                    startStep = 0;
                    startLoss = 0;
                }
                folder.writeSummary(summary(req.method(), metrics));
            }
        }
    }

    private static void saveCheckpoint(Trainer trainer, RunFolder folder, int periodIndex, long stepInPeriod,
                                       double lossSum) throws IOException {
        ObjectNode at = JSON.createObjectNode();
        at.put("period_index", periodIndex);
        at.put("step_in_period", stepInPeriod);
        at.put("loss_sum_in_period", lossSum);
        trainer.saveCheckpoint(folder.checkpoint(), periodIndex, at);
    }

    private static List<TwikiProbe> cap(List<TwikiProbe> probes, int max) {
        return max > 0 && probes.size() > max ? probes.subList(0, max) : probes;
    }

    static List<Probe> probes(List<TwikiProbe> ps, Period p, String kind) {
        List<Probe> out = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            out.add(ps.get(i).probe(p.probes() + "/" + kind + "/" + i));
        }
        return out;
    }

    /**
     * Training documents of a diffset. Each carries, as {@code objects}, the objects of the period's
     * changed probes whose subject and object it mentions: the labels an oracle weights.
     */
    static List<TrainingDocument> documents(List<String> lines, TextTokenizer tok, int maxTokens, Period p,
                                            List<TwikiProbe> changed) {
        List<TrainingDocument> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i);
            long[] ids = tok.encode(text, maxTokens);
            String id = (p == null ? "review" : p.name()) + "/" + i;
            StringBuilder objects = new StringBuilder();
            for (TwikiProbe c : changed) {
                if (text.contains(c.subject()) && text.contains(c.object())) {
                    objects.append(objects.length() == 0 ? "" : "\n").append(c.object());
                }
            }
            out.add(new TrainingDocument(id, text, ids, Map.of("uuid", id, "objects", objects.toString())));
        }
        return out;
    }

    private static JsonNode evaluate(Period p, double trainLoss, List<TwikiProbe> changed, List<TwikiProbe> unchanged,
                                     ProbeEvaluator evaluator, TrainingState state, RunContext ctx) throws IOException {
        List<ProbeResult> c;
        List<ProbeResult> u;
        try (Progress.Task bar = ctx.progress().start("eval " + p.name(), changed.size() + unchanged.size(), "probe")) {
            c = evaluator.evaluate(probes(changed, p, "c"), state.hooks(), bar::step);
            u = evaluator.evaluate(probes(unchanged, p, "u"), state.hooks(), bar::step);
        }
        List<ObjectNode> rows = new ArrayList<>();
        add(rows, "changed", changed, c, state.tokenizer());
        add(rows, "unchanged", unchanged, u, state.tokenizer());
        ctx.folder().writePredictions("period-" + p.name(), rows);
        ObjectNode m = JSON.createObjectNode();
        m.put("period", p.name());
        m.put("period_index", p.index());
        double un = ProbeEvaluator.meanNll(u);
        double cc = ProbeEvaluator.meanNll(c);
        m.put("un", un);
        m.put("c", cc);
        m.put("avg", (un + cc) / 2);
        m.put("changed_probes", c.size());
        m.put("unchanged_probes", u.size());
        m.put("train_loss", trainLoss);
        return m;
    }

    private static void add(List<ObjectNode> rows, String split, List<TwikiProbe> probes, List<ProbeResult> results,
                            TextTokenizer tok) {
        for (int i = 0; i < probes.size(); i++) {
            ObjectNode o = JSON.createObjectNode();
            o.put("split", split);
            o.put("subject", probes.get(i).subject());
            o.put("relation", probes.get(i).relation());
            o.put("object", probes.get(i).object());
            o.put("predicted", tok.decode(results.get(i).predictedIds()));
            o.put("object_nll", results.get(i).objectNll());
            o.put("accuracy", results.get(i).accuracy());
            rows.add(o);
        }
    }

    static ObjectNode summary(String method, List<JsonNode> metrics) {
        ObjectNode o = JSON.createObjectNode();
        o.put("benchmark", "temporalwiki");
        o.put("method", method);
        ObjectNode periods = o.putObject("periods");
        double sum = 0;
        for (JsonNode m : metrics) {
            ObjectNode p = periods.putObject(m.get("period").asText());
            p.put("un", m.get("un").asDouble());
            p.put("c", m.get("c").asDouble());
            p.put("avg", m.get("avg").asDouble());
            sum += m.get("avg").asDouble();
        }
        o.put("mean_avg", sum / metrics.size());
        return o;
    }
}
