package org.example.ckl.sessions;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.benchmark.Benchmark;
import org.cklbench.core.benchmark.BenchmarkInputs;
import org.cklbench.core.benchmark.InputRequest;
import org.cklbench.core.benchmark.LeaderboardSpecs;
import org.cklbench.core.benchmark.OpenContext;
import org.cklbench.core.benchmark.Presets;
import org.cklbench.core.benchmark.Protocol;
import org.cklbench.core.eval.Probe;
import org.cklbench.core.eval.ProbeEvaluator;
import org.cklbench.core.eval.ProbeResult;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaConfig;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.tokenizer.WordLevelTokenizers;
import org.cklbench.io.Folders;
import org.cklbench.io.JsonLines;
import org.cklbench.progress.Progress;
import org.cklbench.runfolder.LeaderboardSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An example benchmark plugin, written against the SPI alone: facts arrive in sessions (a stage each,
 * its documents seen {@code epochs_per_session} times); after each session every fact seen so far is
 * probed, one probe set per session. It reports the accuracy on every fact at the end, how well each
 * session's facts were learned right after it, and how much of the earlier sessions' facts was lost.
 *
 * <p>Its data is a resource ({@code facts.jsonl}: session, subject, relation, object, document,
 * probe); the {@code smoke} preset copies it under CKL_HOME and makes a tiny randomly initialised model
 * with a word-level tokenizer over its words, so it runs in seconds with nothing downloaded.
 */
public final class SessionsBenchmark implements Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Presets PRESETS = Presets.fromResource("sessions", SessionsBenchmark.class, "presets.json");
    private static final LeaderboardSpec LEADERBOARD = LeaderboardSpecs.fromResource(SessionsBenchmark.class,
            "leaderboard.json");

    /** One fact of the data file. */
    record Fact(String id, int session, String subject, String relation, String object, String document, String probe) {
    }

    @Override
    public String id() {
        return "sessions";
    }

    @Override
    public String description() {
        return "example plugin: facts arrive in sessions; learned, kept and forgotten across them";
    }

    @Override
    public Presets presets() {
        return PRESETS;
    }

    @Override
    public LeaderboardSpec leaderboard() {
        return LEADERBOARD;
    }

    @Override
    public BenchmarkInputs inputs(InputRequest r, Progress progress) throws IOException {
        Path model = r.model();
        Path data = r.data();
        if (model == null || data == null) {
            Path root = embedded(r.home());
            model = model == null ? root.resolve("model") : model;
            data = data == null ? root.resolve("data") : data;
        }
        return new BenchmarkInputs(Map.of("model", model, "facts", data.resolve("facts.jsonl")), null);
    }

    /** The resource's facts under CKL_HOME, and a tiny model for them; made once. */
    private static Path embedded(Path home) throws IOException {
        Path root = home.resolve("presets").resolve("sessions-v1");
        if (Files.isRegularFile(root.resolve("model").resolve("model.safetensors"))) {
            return root;
        }
        Files.createDirectories(root.getParent());
        Path tmp = org.cklbench.io.TempPaths.directory(root.getParent(), ".sessions.");
        Path facts = Files.createDirectories(tmp.resolve("data")).resolve("facts.jsonl");
        try (InputStream in = SessionsBenchmark.class.getResourceAsStream("facts.jsonl")) {
            Files.copy(in, facts);
        }
        List<String> texts = new ArrayList<>();
        for (Fact f : read(facts)) {
            texts.add(f.document());
            texts.add(f.probe());
        }
        Path modelDir = Files.createDirectories(tmp.resolve("model"));
        int vocab = WordLevelTokenizers.write(modelDir, texts);
        LlamaConfig config = LlamaConfig.create(vocab, 64, 128, 2, 4, 2, false, 128);
        try (LlamaModel m = HfModels.init(config, 3, Device.cpu(), DataType.FLOAT32)) {
            HfModels.save(m, modelDir);
        }
        Folders.publish(tmp, root);
        return root;
    }

    static List<Fact> read(Path file) throws IOException {
        List<Fact> out = new ArrayList<>();
        JsonLines.forEach(file, l -> {
            int session = l.require("session").asInt();
            if (session < 1) {
                throw l.error("session must be 1 or more");
            }
            out.add(new Fact(l.text("id"), session, l.text("subject"), l.text("relation"), l.text("object"),
                    l.text("document"), l.text("probe")));
        });
        return out;
    }

    @Override
    public Protocol open(OpenContext ctx) throws IOException {
        List<Fact> facts = read(ctx.input("facts"));
        int sessions = facts.stream().mapToInt(Fact::session).max().orElseThrow(
                () -> new IOException(ctx.input("facts") + " holds no facts"));
        int epochs = ctx.settings().get("epochs_per_session").asInt();
        List<Protocol.Stage> stages = new ArrayList<>();
        List<Protocol.ProbeSet> probeSets = new ArrayList<>();
        for (int s = 1; s <= sessions; s++) {
            List<TrainingDocument> docs = new ArrayList<>();
            List<Probe> probes = new ArrayList<>();
            for (Fact f : facts) {
                if (f.session() == s) {
                    for (int e = 0; e < epochs; e++) {
                        docs.add(new TrainingDocument(f.id() + "#" + e, f.document(),
                                ctx.tokenizer().encode(f.document(), ctx.maxTokens()), Map.of("object", f.object())));
                    }
                    probes.add(new Probe(f.id(), f.probe(), f.object(), f.subject(), f.relation()));
                }
            }
            stages.add(new Protocol.Stage("session " + s + "/" + sessions, docs));
            probeSets.add(new Protocol.ProbeSet("session-" + s, probes));
        }
        return new Protocol() {
            @Override
            public List<Stage> stages() {
                return stages;
            }

            @Override
            public boolean evaluatesBeforeTraining() {
                return false;
            }

            @Override
            public List<ProbeSet> probes(int stage) {
                return probeSets.subList(0, stage);
            }

            @Override
            public String evaluationName(int stage) {
                return "session-" + stage;
            }

            @Override
            public ObjectNode metrics(int stage, Map<String, List<ProbeResult>> results) {
                ObjectNode m = JSON.createObjectNode();
                m.put("session", stage);
                List<ProbeResult> all = new ArrayList<>();
                Map<String, Double> per = new LinkedHashMap<>();
                results.forEach((split, rs) -> {
                    per.put(split, ProbeEvaluator.meanAccuracy(rs));
                    all.addAll(rs);
                });
                m.put("new_acc", per.get("session-" + stage));
                m.put("seen_acc", ProbeEvaluator.meanAccuracy(all));
                per.forEach((split, acc) -> m.put("acc_" + split.replace('-', '_'), acc));
                return m;
            }

            @Override
            public ObjectNode summarize(List<? extends JsonNode> metrics) {
                JsonNode last = metrics.get(metrics.size() - 1);
                double learned = 0;
                double forgetting = 0;
                for (int k = 0; k < metrics.size(); k++) {
                    learned += metrics.get(k).get("new_acc").asDouble();
                    if (k < metrics.size() - 1) {
                        String key = "acc_session_" + (k + 1);
                        forgetting += metrics.get(k).get(key).asDouble() - last.get(key).asDouble();
                    }
                }
                ObjectNode o = JSON.createObjectNode();
                o.put("final_acc", last.get("seen_acc").asDouble());
                o.put("learned", learned / metrics.size());
                o.put("forgetting", metrics.size() > 1 ? forgetting / (metrics.size() - 1) : 0.0);
                return o;
            }
        };
    }
}
