package org.cklbench.temporalwiki;

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
import org.cklbench.io.JsonLines;
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
 * TemporalWiki: three periods in order, the model carried over; one epoch on the period's filtered
 * diffset, then the period's Changed and Unchanged probes scored by the mean NLL of their object
 * tokens (the schematic sentence of each triple); Un, C and Avg = (Un + C)/2 per period, lower is
 * better. Each period starts a fresh optimiser (the reference runs each in a process of its own). Runs
 * checkpoint every {@code checkpoint_every} steps inside a period as well.
 */
public final class TemporalWikiBenchmark implements Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Presets PRESETS = Presets.fromResource("temporalwiki", TemporalWikiBenchmark.class, "presets.json");
    private static final LeaderboardSpec LEADERBOARD = LeaderboardSpecs.fromResource(TemporalWikiBenchmark.class,
            "leaderboard.json");
    /** The meta-training split of a data folder: rows {@code {text, subject, relation, object}} (and an optional id). */
    static final String META_TRAINING = META_TRAINING_FILE;

    @Override
    public String id() {
        return "temporalwiki";
    }

    @Override
    public String description() {
        return "TemporalWiki: three monthly Wikipedia diffs in turn, probed on changed and unchanged facts (mean object NLL)";
    }

    /** 2: a fresh optimiser each period, and the world's meta-training split from all three periods. */
    @Override
    public String version() {
        return "2";
    }

    @Override
    public Presets presets() {
        return PRESETS;
    }

    /** {@code max_probes} and {@code max_documents} 0 keep every probe and every document of a period. */
    @Override
    public void checkSettings(JsonNode s) {
        SettingChecks.atLeast(s, "max_probes", 0);
        SettingChecks.atLeastIfPresent(s, "max_documents", 0);
    }

    @Override
    public LeaderboardSpec leaderboard() {
        return LEADERBOARD;
    }

    @Override
    public BenchmarkInputs inputs(InputRequest r, Progress progress) throws IOException {
        InputRequest.Folders given = r.folders(() -> {
            WorldTemporalWiki.Inputs world = WorldTemporalWiki.ensure(r.home(), r.preset(), progress);
            return new InputRequest.Folders(world.base(), world.data());
        });
        Path model = given.model();
        Path data = given.data();
        if (model == null || data == null) {
            throw new InputNotGiven("preset '" + r.preset() + "' needs --model DIR and --data DIR (a folder with"
                    + " probes/ and diffsets/, see docs/usage.md)");
        }
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("model", model);
        files.put("probes", data.resolve("probes"));
        files.put("diffsets", data.resolve("diffsets"));
        if (Files.isDirectory(data.resolve("review"))) {
            files.put("review", data.resolve("review"));
        }
        Path split = data.resolve(META_TRAINING);
        return new BenchmarkInputs(files, Files.isRegularFile(split) ? split : null);
    }

    /** Each row's text with the schematic probe sentence of its (subject, relation, object). */
    @Override
    public List<MetaExample> readMetaTraining(Path file) throws IOException {
        List<MetaExample> out = new ArrayList<>();
        JsonLines.forEach(file, l -> {
            TwikiProbe p = new TwikiProbe(l.text("subject"), l.text("relation"), l.text("object"));
            String id = l.node().hasNonNull("id") ? l.text("id") : file.getFileName() + ":" + l.number();
            out.add(new MetaExample(id, l.text("text"), p.sentence(), p.object()));
        });
        return out;
    }

    @Override
    public Protocol open(OpenContext ctx) throws IOException {
        JsonNode s = ctx.settings();
        int maxProbes = s.get("max_probes").asInt();
        int maxDocuments = s.path("max_documents").asInt(0);
        List<Protocol.Stage> stages = new ArrayList<>();
        List<List<Protocol.ProbeSet>> probes = new ArrayList<>();
        for (Period p : Period.ALL) {
            Path changedFile = p.probeFile(ctx.input("probes"), true);
            Path unchangedFile = p.probeFile(ctx.input("probes"), false);
            List<TwikiProbe> changed = nonEmpty(changedFile);
            List<TwikiProbe> unchanged = nonEmpty(unchangedFile);
            List<String> diffs = Diffsets.filtered(ctx.input("diffsets"), p);
            if (diffs.isEmpty()) {
                throw new IllegalArgumentException(ctx.input("diffsets") + " holds no training text for period "
                        + p.name() + "; a period that trains on nothing would still be scored as if it had");
            }
            if (maxDocuments > 0 && diffs.size() > maxDocuments) {
                DocumentSample sample = DocumentSample.of(p, diffs, changed, unchanged, maxDocuments);
                diffs = sample.documents();
                changed = sample.changed();
                unchanged = sample.unchanged();
            }
            changed = cap(changed, maxProbes);
            unchanged = cap(unchanged, maxProbes);
            // each period starts a fresh optimiser, as the reference trains each in a process of its own
            stages.add(new Protocol.Stage("period " + p.name(), documents(diffs, ctx.tokenizer(), ctx.maxTokens(), p,
                    changed), true));
            probes.add(List.of(new Protocol.ProbeSet("changed", probes(changed, p, "c"), changedFile),
                    new Protocol.ProbeSet("unchanged", probes(unchanged, p, "u"), unchangedFile)));
        }
        Map<String, List<TrainingDocument>> corpora = new LinkedHashMap<>();
        if (ctx.inputs().containsKey("review")) {
            // every file of the folder, as the reference loaded its review folder (the earlier Wikipedia)
            List<String> lines = new ArrayList<>();
            try (var files = Files.list(ctx.input("review"))) {
                for (Path f : files.filter(f -> f.toString().endsWith(".jsonl") || f.toString().endsWith(".csv"))
                        .sorted().toList()) {
                    lines.addAll(Diffsets.read(f));
                }
            }
            corpora.put("review", documents(lines, ctx.tokenizer(), ctx.maxTokens(), null, List.of()));
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
            public Map<String, List<TrainingDocument>> corpora() {
                return corpora;
            }

            @Override
            public List<ProbeSet> probes(int stage) {
                return probes.get(stage - 1);
            }

            @Override
            public String evaluationName(int stage) {
                return "period-" + Period.ALL.get(stage - 1).name();
            }

            @Override
            public ObjectNode metrics(int stage, Map<String, List<ProbeResult>> results) {
                Period p = Period.ALL.get(stage - 1);
                List<ProbeResult> c = results.get("changed");
                List<ProbeResult> u = results.get("unchanged");
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
                return m;
            }

            @Override
            public ObjectNode summarize(List<? extends JsonNode> metrics) {
                return summary(metrics);
            }
        };
    }

    private static List<TwikiProbe> nonEmpty(Path file) throws IOException {
        List<TwikiProbe> probes = TwikiProbe.read(file);
        if (probes.isEmpty()) {
            throw new IllegalArgumentException(file + " has no probes; each period needs changed and unchanged ones");
        }
        return probes;
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

    /** Un, C and Avg of every period, and the mean of the Avgs. */
    static ObjectNode summary(List<? extends JsonNode> metrics) {
        ObjectNode o = JSON.createObjectNode();
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
