package org.cklbench.lamackl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.benchmark.Benchmark;
import org.cklbench.core.benchmark.InputNotGiven;
import org.cklbench.core.benchmark.BenchmarkInputs;
import org.cklbench.core.benchmark.InputRequest;
import org.cklbench.core.benchmark.LeaderboardSpecs;
import org.cklbench.core.benchmark.MetaExample;
import org.cklbench.core.benchmark.OpenContext;
import org.cklbench.core.benchmark.Presets;
import org.cklbench.core.benchmark.SettingChecks;
import org.cklbench.core.benchmark.Protocol;
import org.cklbench.core.eval.Probe;
import org.cklbench.core.eval.ProbeEvaluator;
import org.cklbench.core.eval.ProbeResult;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.progress.Progress;
import org.cklbench.runfolder.LeaderboardSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LAMA-ckl (TAALM, NeurIPS 2024): train on the To-Learn facts' evidence documents for a number of
 * epochs; before training and after every epoch, probe the To-Learn and the Not-To-Forget facts
 * (object-token accuracy of their task sentences); report Top Acc (the best To-Learn accuracy), the
 * first epoch reaching it, NF Acc (Not-To-Forget accuracy then) and Total Knowledge (their sum). The
 * summary also carries {@code controls.majority_floor} ({@link MajorityFloor}), the board's reference line.
 */
public final class LamaCklBenchmark implements Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Presets PRESETS = Presets.fromResource("lama-ckl", LamaCklBenchmark.class, "presets.json");
    private static final LeaderboardSpec LEADERBOARD = LeaderboardSpecs.fromResource(LamaCklBenchmark.class, "leaderboard.json");
    /**
     * The split files of a LAMA-ckl folder. The review set the TAALM authors' Mix-review read: their
     * loader took every jsonl in the folder of the Not-To-Forget file, which held all four.
     */
    static final List<String> SPLITS = List.of("invariant_descriptive.jsonl", "invariant_schematic.jsonl",
            META_TRAINING_FILE, "variant.jsonl");

    @Override
    public String id() {
        return "lama-ckl";
    }

    @Override
    public String description() {
        return "LAMA-ckl: learn 500 time-variant facts from their evidence, keep 500 invariant ones (TAALM, NeurIPS 2024)";
    }

    @Override
    public Presets presets() {
        return PRESETS;
    }

    @Override
    public void checkSettings(JsonNode s) {
        SettingChecks.atLeast(s, "epochs", 1);
        SettingChecks.oneOf(s, "task_form", List.of("descriptive", "schematic"));
    }

    @Override
    public LeaderboardSpec leaderboard() {
        return LEADERBOARD;
    }

    @Override
    public BenchmarkInputs inputs(InputRequest r, Progress progress) throws IOException {
        InputRequest.Folders given = r.folders(() -> {
            WorldLamaCkl.Inputs world = WorldLamaCkl.ensure(r.home(), r.preset(), progress);
            return new InputRequest.Folders(world.base(), world.lamaCkl());
        });
        Path model = given.model();
        Path data = given.data();
        if (model == null) {
            throw new InputNotGiven("preset '" + r.preset() + "' needs --model DIR (a Hugging Face Llama folder)");
        }
        if (data == null) {
            throw new InputNotGiven("preset '" + r.preset() + "' needs --data DIR holding variant.jsonl and"
                    + " invariant_*.jsonl (the released LAMA-ckl files or a built set)");
        }
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("model", model);
        files.put("to_learn", data.resolve("variant.jsonl"));
        files.put("not_to_forget", data.resolve("invariant_" + r.settings().get("task_form").asText() + ".jsonl"));
        // every split beside them: Mix-review's review_reference corpus reads them all
        files.put("data", data);
        Path split = data.resolve(META_TRAINING_FILE);
        return new BenchmarkInputs(files, Files.isRegularFile(split) ? split : null);
    }

    /** An empty split would give a run that trains on nothing or scores nothing, and still ends "complete". */
    private static List<LamaCklRow> nonEmpty(List<LamaCklRow> rows, Path file) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(file + " has no rows; a LAMA-ckl split needs at least one fact");
        }
        return rows;
    }

    /** The Train-Attention split ({@code train_attention.jsonl}): each fact's evidence with its schematic task. */
    @Override
    public List<MetaExample> readMetaTraining(Path file) throws IOException {
        return LamaCklRow.read(file).stream()
                .map(r -> new MetaExample(r.uuid(), r.evidence(), r.task("schematic"), r.object())).toList();
    }

    @Override
    public Protocol open(OpenContext ctx) throws IOException {
        JsonNode s = ctx.settings();
        String form = s.get("task_form").asText();
        int epochs = s.get("epochs").asInt();
        List<LamaCklRow> toLearn = nonEmpty(LamaCklRow.read(ctx.input("to_learn")), ctx.input("to_learn"));
        List<LamaCklRow> notToForget = nonEmpty(LamaCklRow.read(ctx.input("not_to_forget")), ctx.input("not_to_forget"));
        List<TrainingDocument> docs = documents(toLearn, ctx.tokenizer(), ctx.maxTokens());
        List<TrainingDocument> review = documents(notToForget, ctx.tokenizer(), ctx.maxTokens());
        List<TrainingDocument> reviewReference = new ArrayList<>();
        for (String split : SPLITS) {
            Path f = ctx.input("data").resolve(split);
            if (Files.isRegularFile(f)) {
                reviewReference.addAll(documents(LamaCklRow.read(f), ctx.tokenizer(), ctx.maxTokens()));
            }
        }
        // a control computed once from the data: what answering each relation's commonest object scores
        double majorityFloor;
        try {
            majorityFloor = MajorityFloor.of(toLearn, form, ctx.tokenizer());
        } catch (org.cklbench.core.eval.ProbeNotLocatedException e) {
            throw new org.cklbench.core.eval.ProbeNotLocatedException(e.uuid(), org.cklbench.text.Printable.of(
                    ctx.input("to_learn")) + ": " + e.getMessage());
        }
        List<Protocol.ProbeSet> probes = List.of(
                new Protocol.ProbeSet("to_learn", probes(toLearn, form), ctx.input("to_learn")),
                new Protocol.ProbeSet("not_to_forget", probes(notToForget, form), ctx.input("not_to_forget")));
        List<Protocol.Stage> stages = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            stages.add(new Protocol.Stage("epoch " + e + "/" + epochs, docs));
        }
        return new Protocol() {
            @Override
            public List<Stage> stages() {
                return stages;
            }

            @Override
            public boolean evaluatesBeforeTraining() {
                return true;
            }

            @Override
            public Map<String, List<TrainingDocument>> corpora() {
                Map<String, List<TrainingDocument>> c = new LinkedHashMap<>();
                c.put("review", review);
                c.put("review_reference", reviewReference);
                return c;
            }

            @Override
            public List<ProbeSet> probes(int stage) {
                return probes;
            }

            @Override
            public String evaluationName(int stage) {
                return String.format("epoch-%03d", stage);
            }

            @Override
            public ObjectNode metrics(int stage, Map<String, List<ProbeResult>> results) {
                List<ProbeResult> a = results.get("to_learn");
                List<ProbeResult> b = results.get("not_to_forget");
                ObjectNode m = JSON.createObjectNode();
                m.put("epoch", stage);
                m.put("to_learn_acc", ProbeEvaluator.meanAccuracy(a));
                m.put("not_to_forget_acc", ProbeEvaluator.meanAccuracy(b));
                m.put("to_learn_nll", ProbeEvaluator.meanNll(a));
                m.put("not_to_forget_nll", ProbeEvaluator.meanNll(b));
                return m;
            }

            @Override
            public java.util.OptionalInt topStage(List<? extends JsonNode> metrics) {
                return java.util.OptionalInt.of(summary(metrics).get("epoch").asInt());
            }

            @Override
            public ObjectNode summarize(List<? extends JsonNode> metrics) {
                ObjectNode o = summary(metrics);
                o.putObject("controls").put("majority_floor", majorityFloor);
                return o;
            }
        };
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
        return rows.stream().map(r -> new Probe(r.uuid(), r.task(form), r.object(), r.subject(), r.relationLabel())).toList();
    }

    /** Top Acc, Epoch, NF Acc and Total Knowledge of a curve (the metrics lines, epoch 0 first). */
    static ObjectNode summary(List<? extends JsonNode> metrics) {
        List<LamaCklMetrics.Point> curve = metrics.stream().map(m -> new LamaCklMetrics.Point(m.get("epoch").asInt(),
                m.get("to_learn_acc").asDouble(), m.get("not_to_forget_acc").asDouble())).toList();
        LamaCklMetrics k = LamaCklMetrics.fromCurve(curve);
        ObjectNode o = JSON.createObjectNode();
        o.put("top_acc", k.topAcc());
        o.put("epoch", k.epoch());
        o.put("nf_acc", k.nfAcc());
        o.put("total_knowledge", k.totalKnowledge());
        o.put("epochs_evaluated", metrics.size());
        return o;
    }
}
