package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.runfolder.InputFiles;
import org.cklbench.runfolder.MethodInfo;
import org.cklbench.runfolder.LeaderboardSpec;
import org.cklbench.runfolder.Replicates;
import org.cklbench.runfolder.RunConfig;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.RunProvenance;
import org.cklbench.runfolder.RunRecord;
import org.cklbench.runfolder.Summary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Boards by weights and world, rows by what changes results, marks against the reference row or a note why not. */
class BoardKeysTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LeaderboardSpec SPEC = new LeaderboardSpec("demo", "Demo", "hint",
            List.of(new LeaderboardSpec.Column("acc", "Acc", null, "/acc", 1, 3)), null,
            new LeaderboardSpec.Curve("curve", "x", "x", "y", null, null, List.of(new LeaderboardSpec.Series("acc", "Acc")),
                    null), null, null, null, "finetune", "none");
    /** Probe noise every run of a board shares, replicate by replicate (they resampled the same probes). */
    private static final double[] NOISE = new double[50];

    static {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
        for (int b = 0; b < NOISE.length; b++) {
            NOISE[b] = 0.02 * rng.nextGaussian();
        }
    }

    @TempDir
    Path tmp;

    /** A complete run folder of method {@code method}, seed {@code seed}, scoring {@code acc}. */
    private void run(String name, String method, long seed, int threads, String modelPath, String weightsSha,
                     Map<String, Object> variant, double acc) throws Exception {
        run(name, method, seed, threads, modelPath, weightsSha, variant, acc, Map.of());
    }

    private void run(String name, String method, long seed, int threads, String modelPath, String weightsSha,
                     Map<String, Object> variant, double acc, Map<String, InputFiles> methodInputs) throws Exception {
        run(name, method, seed, threads, modelPath, weightsSha, variant, variant, List.of(), acc, methodInputs);
    }

    private void run(String name, String method, long seed, int threads, String modelPath, String weightsSha,
                     Map<String, Object> params, Map<String, Object> variant, List<MethodInfo> methods, double acc,
                     Map<String, InputFiles> methodInputs) throws Exception {
        RunFolder f = new RunFolder(Files.createDirectories(tmp.resolve("runs").resolve(name)));
        ObjectNode settings = JSON.createObjectNode().put("epochs", 3);
        RunConfig config = new RunConfig("demo", "1", method, new TreeMap<>(params), "p", settings, seed, modelPath,
                "/data/world", "cpu", "default", threads);
        TreeMap<String, String> model = new TreeMap<>(Map.of("model.safetensors", weightsSha, "config.json", "c0nf",
                // the seconds a base took to pretrain: not its weights
                "pretraining.json", name));
        Map<String, InputFiles> inputs = new TreeMap<>(methodInputs);
        inputs.put("model", new InputFiles(modelPath, model));
        inputs.put("data", new InputFiles("/data/world", new TreeMap<>(Map.of("probes.jsonl", "w0rld"))));
        RunProvenance prov = new RunProvenance(Map.of(), null, null, null, inputs,
                "2026-01-01T00:00:00Z", null, "2026-01-01T01:00:00Z");
        f.writeRun(new RunRecord(name, config, prov, methods, new TreeMap<>(variant), null));
        f.writeBenchmarkSpec(SPEC);
        f.writeMetrics(List.of(JSON.createObjectNode().put("x", 0).put("acc", acc)));
        f.writeSummary(Summary.of("demo", method, JSON.createObjectNode().put("acc", acc)));
        double[] reps = new double[NOISE.length];
        for (int b = 0; b < reps.length; b++) {
            reps[b] = acc + NOISE[b];
        }
        f.writeReplicates(new Replicates(reps.length, "test-scheme", Map.of("/acc", reps)));
    }

    private JsonNode boards() throws Exception {
        return Summarizer.summarize(tmp.resolve("runs"), List.of(), Map.of()).tree().get("leaderboards");
    }

    private static JsonNode row(JsonNode board, String method) {
        for (JsonNode r : board.get("rows")) {
            if (r.get("method").asText().equals(method)) {
                return r;
            }
        }
        throw new AssertionError("no row " + method + " in " + board);
    }

    @Test
    void threadsAndPathsNeitherSplitARowNorMakeAVariant() throws Exception {
        run("ft1", "finetune", 1, 1, "/bases/one/model", "aaaa", Map.of(), 0.30);
        run("ft2", "finetune", 2, 0, "/copies/elsewhere/model", "aaaa", Map.of(), 0.31);
        JsonNode boards = boards();
        assertThat(boards).hasSize(1);
        JsonNode ft = row(boards.get(0), "finetune");
        assertThat(ft.get("n").asInt()).isEqualTo(2);
        assertThat(ft.get("variant").asText()).isEmpty();
        assertThat(boards.get(0).get("weights").asText()).hasSize(64);
        assertThat(boards.get(0).get("weights_short").asText()).isEqualTo(boards.get(0).get("weights").asText().substring(0, 12));
        assertThat(boards.get(0).get("reference_row").asBoolean()).isTrue();
    }

    /**
     * TAALM's seeds each meta-train their own φ (ta_seed follows the run's seed, the prepared φ differs):
     * one row of three seeds, not three rows; a ta_seed set away from the run's seed is a row of its own.
     */
    @Test
    void whatFollowsTheSeedDoesNotSplitARow() throws Exception {
        List<MethodInfo> taalm = List.of(new MethodInfo("taalm", "d", null, List.of(
                new MethodInfo.Parameter("ta_seed", "int", "seed", "follows the run's seed"))));
        for (long s = 1; s <= 3; s++) {
            Map<String, InputFiles> phi = Map.of("taalm.train-attention",
                    new InputFiles("/prepared/phi" + s, new TreeMap<>(Map.of("ta.safetensors", "phi" + s))),
                    "meta_training", new InputFiles("/data/ta.jsonl", new TreeMap<>(Map.of("ta.jsonl", "split"))));
            run("ta" + s, "taalm", s, 0, "/m", "aaaa", Map.of("ta_seed", s), Map.of(), taalm, 0.5, phi);
        }
        run("ta-fixed", "taalm", 2, 0, "/m", "aaaa", Map.of("ta_seed", 1L), Map.of("ta_seed", 1L), taalm, 0.5,
                Map.of("meta_training", new InputFiles("/data/ta.jsonl", new TreeMap<>(Map.of("ta.jsonl", "split")))));
        // which parameter follows the seed is the installed method's word (a run's own run.json could say anything)
        JsonNode rows = Summarizer.summarize(tmp.resolve("runs"), taalm, Map.of()).tree().get("leaderboards").get(0).get("rows");
        assertThat(rows).hasSize(2);
        assertThat(rows.findValues("n").stream().map(JsonNode::asInt).sorted().toList()).containsExactly(1, 3);
    }

    /** A method's note in run.json (Mix-review's: NF Acc on rehearsed facts) is a footnote marked on its rows, once. */
    @Test
    void aMethodsNoteIsAFootnoteOnItsRows() throws Exception {
        List<MethodInfo> mix = List.of(new MethodInfo("mixreview", "d", null, List.of(), "NF Acc on rehearsed facts"));
        List<MethodInfo> composed = List.of(new MethodInfo("taalm", "d", null, List.of()),
                new MethodInfo("mixreview", "d", null, List.of(), "NF Acc on rehearsed facts"));
        run("ft1", "finetune", 1, 0, "/m", "aaaa", Map.of(), Map.of(),
                List.of(new MethodInfo("finetune", "d", null, List.of())), 0.30, Map.of());
        run("mr1", "mixreview", 1, 0, "/m", "aaaa", Map.of(), Map.of(), mix, 0.4, Map.of());
        run("mr2", "mixreview", 2, 0, "/m", "aaaa", Map.of(), Map.of(), mix, 0.41, Map.of());
        run("tm1", "taalm+mixreview", 1, 0, "/m", "aaaa", Map.of(), Map.of(), composed, 0.5, Map.of());
        JsonNode board = boards().get(0);
        assertThat(board.get("notes")).hasSize(1);
        assertThat(board.get("notes").get(0).asText()).isEqualTo("mixreview: NF Acc on rehearsed facts");
        assertThat(row(board, "mixreview").get("mark").asInt()).isEqualTo(1);
        assertThat(row(board, "taalm+mixreview").get("mark").asInt()).isEqualTo(1);
        assertThat(row(board, "finetune").has("mark")).isFalse();
        // written only where there is one
        String json = Files.readString(tmp.resolve("runs/ft1/run.json"));
        assertThat(json).doesNotContain("\"note\"");
        assertThat(Files.readString(tmp.resolve("runs/mr1/run.json"))).contains("rehearsed facts");
    }

    @Test
    void twoBasesAtOnePathAreTwoBoards() throws Exception {
        run("ft1", "finetune", 1, 0, "/bases/model", "aaaa", Map.of(), 0.30);
        run("ft2", "finetune", 1, 0, "/bases/model", "bbbb", Map.of(), 0.31);
        JsonNode boards = boards();
        assertThat(boards).hasSize(2);
        assertThat(boards.get(0).get("weights").asText()).isNotEqualTo(boards.get(1).get("weights").asText());
        assertThat(boards.get(0).get("world").asText()).isEqualTo(boards.get(1).get("world").asText());
    }

    /** A clearly better method gets ▲ after the correction; a method run on other seeds is paired on the seeds in common. */
    @Test
    void marksAgainstTheReferenceOnTheSeedsInCommon() throws Exception {
        for (long s = 1; s <= 3; s++) {
            run("ft" + s, "finetune", s, 0, "/m", "aaaa", Map.of(), 0.30 + 0.01 * s);
            run("good" + s, "good", s, 0, "/m", "aaaa", Map.of(), 0.60 + 0.01 * s);
            run("same" + (s + 1), "same", s + 1, 0, "/m", "aaaa", Map.of(), 0.30 + 0.01 * (s + 1) + 0.001 * s);
        }
        JsonNode board = boards().get(0);
        JsonNode good = row(board, "good").at("/values/acc");
        assertThat(good.get("vs_reference").asText()).isEqualTo("better");
        assertThat(good.get("paired_seeds").asInt()).isEqualTo(3);
        assertThat(good.get("diff").asDouble()).isCloseTo(0.30, org.assertj.core.api.Assertions.within(1e-9));
        JsonNode same = row(board, "same").at("/values/acc");
        assertThat(same.get("paired_seeds").asInt()).as("seeds 2 and 3 only").isEqualTo(2);
        assertThat(same.has("vs_reference")).isFalse();
        assertThat(board.get("comparisons").asInt()).isEqualTo(2);
        assertThat(board.get("correction").asText()).isEqualTo("Benjamini-Hochberg");
        assertThat(row(board, "finetune").at("/values/acc").has("vs_reference")).isFalse();
        for (JsonNode r : board.get("rows")) {
            JsonNode v = r.at("/values/acc");
            assertThat(v.get("lo").asDouble()).isLessThanOrEqualTo(v.get("mean").asDouble());
            assertThat(v.get("hi").asDouble()).isGreaterThanOrEqualTo(v.get("mean").asDouble());
        }

        // on the page: the mark in the row's cell, with what it was paired against
        Path site = tmp.resolve("site");
        SiteBuilder.build(tmp.resolve("runs"), site, List.of(), Map.of());
        String html = Files.readString(site.resolve("index.html"));
        assertThat(htmlRow(html, "good")).containsPattern("<span\\s+class=\"vs\" title=\"better than finetune \\(paired over 3"
                + " seeds; adjusted p = [0-9.]+\\)\"> ▲</span>");
        assertThat(htmlRow(html, "same")).doesNotContain("class=\"vs\"");
        assertThat(htmlRow(html, "finetune")).doesNotContain("class=\"vs\"");
    }

    /** The reference is the benchmark's word (its leaderboard spec), not the site's: another reference, other marks. */
    @Test
    void theSpecNamesTheReference() throws Exception {
        for (long s = 1; s <= 3; s++) {
            run("ft" + s, "finetune", s, 0, "/m", "aaaa", Map.of(), 0.30 + 0.01 * s);
            run("good" + s, "good", s, 0, "/m", "aaaa", Map.of(), 0.60 + 0.01 * s);
        }
        LeaderboardSpec good = new LeaderboardSpec(SPEC.benchmark(), SPEC.title(), SPEC.hint(), SPEC.columns(),
                SPEC.headline(), SPEC.curve(), SPEC.reported(), SPEC.notice(), SPEC.references(), "good", null);
        JsonNode board = Summarizer.summarize(tmp.resolve("runs"), List.of(), Map.of("demo", good)).tree()
                .get("leaderboards").get(0);
        assertThat(board.get("reference").asText()).isEqualTo("good");
        assertThat(row(board, "finetune").at("/values/acc/vs_reference").asText()).isEqualTo("worse");
        assertThat(row(board, "good").at("/values/acc").has("vs_reference")).isFalse();
        LeaderboardSpec none = new LeaderboardSpec(SPEC.benchmark(), SPEC.title(), SPEC.hint(), SPEC.columns(),
                SPEC.headline(), SPEC.curve(), SPEC.reported(), SPEC.notice(), SPEC.references());
        board = Summarizer.summarize(tmp.resolve("runs"), List.of(), Map.of("demo", none)).tree().get("leaderboards").get(0);
        assertThat(board.get("comparisons").asInt()).isZero();
        assertThat(board.get("reference_note").asText()).startsWith("no reference method in the benchmark's leaderboard spec");
    }

    /** The HTML of {@code method}'s row on the home page's (only) board. */
    private static String htmlRow(String html, String method) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<tr data-verified=\"(?:true|false)\" data-method=\""
                + method + "\">.*?</tr>", java.util.regex.Pattern.DOTALL).matcher(html);
        assertThat(m.find()).as("a row of %s", method).isTrue();
        return m.group();
    }

    /** No Finetune row at the preset's settings: the board says so and marks nothing, rather than dropping marks silently. */
    @Test
    void withoutAReferenceRowTheBoardSaysSo() throws Exception {
        for (long s = 1; s <= 2; s++) {
            run("ft" + s, "finetune", s, 0, "/m", "aaaa", Map.of("lr", 0.1), 0.30);
            run("good" + s, "good", s, 0, "/m", "aaaa", Map.of(), 0.60);
        }
        JsonNode board = boards().get(0);
        assertThat(row(board, "finetune").get("variant").asText()).isEqualTo("lr=0.1");
        assertThat(board.get("reference_row").asBoolean()).isFalse();
        assertThat(board.get("reference_note").asText()).startsWith("no reference row (finetune at the preset's settings)");
        assertThat(row(board, "good").at("/values/acc").has("vs_reference")).isFalse();
        assertThat(row(board, "good").at("/values/acc").has("lo")).isTrue();

        Path site = tmp.resolve("site");
        SiteBuilder.build(tmp.resolve("runs"), site, List.of(), Map.of());
        String html = Files.readString(site.resolve("index.html"));
        assertThat(html).contains("no reference row (finetune at the preset&#39;s settings) on this board: no ▲/▼");
        String w = board.get("weights").asText();
        assertThat(html).contains("weights " + w.substring(0, 12)).contains(w);
    }

    /** What only a method's preparation read (the meta-training split, the prepared model) is the row's, not the world's. */
    @Test
    void aMethodsOwnInputsStayOnTheBoardOfItsWorld() throws Exception {
        run("ft1", "finetune", 1, 0, "/m", "aaaa", Map.of(), 0.30);
        Map<String, InputFiles> taalm = Map.of(
                "meta_training", new InputFiles("/data/world/train_attention.jsonl", new TreeMap<>(Map.of("t.jsonl", "m3ta"))),
                "taalm.ta_model", new InputFiles("/cache/phi", new TreeMap<>(Map.of("model.safetensors", "ph1"))));
        run("ta1", "taalm", 1, 0, "/m", "aaaa", Map.of(), 0.50, taalm);
        JsonNode boards = boards();
        assertThat(boards).hasSize(1);
        assertThat(row(boards.get(0), "taalm").at("/values/acc").has("p_adjusted")).isTrue();
    }

    /** A row that differs from the others only in a setting is named by it. */
    @Test
    void aSettingOverrideNamesItsRow() throws Exception {
        List<String> names = new ArrayList<>();
        for (long s = 1; s <= 2; s++) {
            run("ft" + s, "finetune", s, 0, "/m", "aaaa", Map.of(), 0.30);
            run("good" + s, "good", s, 0, "/m", "aaaa", Map.of(), 0.60);
            names.add("ft" + s);
        }
        RunFolder f = new RunFolder(tmp.resolve("runs").resolve("ft1"));
        RunRecord r = f.run();
        ObjectNode settings = r.config().settings().deepCopy().put("epochs", 9);
        RunConfig c = r.config();
        run("other", "finetune", 1, 0, "/m", "aaaa", Map.of(), 0.35);
        RunFolder o = new RunFolder(tmp.resolve("runs").resolve("other"));
        RunRecord or = o.run();
        o.writeRun(new RunRecord(or.id(), new RunConfig(c.benchmark(), c.benchmarkVersion(), c.method(), c.methodParams(),
                c.preset(), settings, 1, c.model(), c.data(), c.device(), c.dtype(), 0), or.provenance(), or.methods(),
                or.variant(), or.training()));
        JsonNode board = boards().get(0);
        List<String> variants = new ArrayList<>();
        board.get("rows").forEach(x -> variants.add(x.get("method").asText() + ":" + x.get("variant").asText()));
        assertThat(variants).as("best first (0.60, 0.35, 0.30)").containsExactly("good:", "finetune:epochs=9", "finetune:");
        assertThat(board.get("reference_row").asBoolean()).isTrue();
    }
}
