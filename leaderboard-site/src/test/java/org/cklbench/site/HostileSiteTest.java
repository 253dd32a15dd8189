package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.runfolder.LeaderboardSpec;
import org.cklbench.runfolder.MethodInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.site.RunFixture.run;
import static org.cklbench.site.RunFixture.tree;
import static org.cklbench.site.RunFixture.write;

/**
 * Run folders written to deface or break the site (issue 25): each is left out, or shown only as far as it
 * can be checked, and the good runs beside it are published.
 */
class HostileSiteTest {
    @TempDir
    Path tmp;

    private Path runs() throws IOException {
        return Files.createDirectories(tmp.resolve("runs"));
    }

    private JsonNode summarize(Map<String, LeaderboardSpec> installed) throws IOException {
        return Summarizer.summarize(tmp.resolve("runs"), List.of(), installed).tree();
    }

    private static List<String> pages(JsonNode data) {
        List<String> out = new ArrayList<>();
        data.get("runs").forEach(r -> out.add(r.get("page").asText()));
        return out;
    }

    private static String skipped(JsonNode data) {
        StringBuilder sb = new StringBuilder();
        data.get("skipped").forEach(s -> sb.append(s.get("folder").asText()).append(": ").append(s.get("reason").asText())
                .append('\n'));
        return sb.toString();
    }

    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/')).sorted()
                    .toList();
        }
    }

    /** Only the files the run-folder format defines are published; a submitted page, image or index never is. */
    @Test
    void onlyTheFormatsFilesArePublished() throws Exception {
        Path dir = run(runs(), "ft1", "finetune", 1, 0.3).dir();
        Files.writeString(dir.resolve("report.html"), "<script>alert(1)</script>");
        Files.writeString(dir.resolve("img.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>");
        Files.writeString(dir.resolve("index.html"), "<p>mine</p>");
        Files.writeString(dir.resolve("notes.txt"), "hello");
        Files.createDirectories(dir.resolve("predictions"));
        Files.writeString(dir.resolve("predictions/eval-000.jsonl"), "{\"split\":\"s\",\"object\":\"o\"}\n");
        Files.writeString(dir.resolve("predictions/page.html"), "<script>alert(1)</script>");
        Path site = tmp.resolve("site");
        SiteBuilder.build(tmp.resolve("runs"), site, List.of(), Map.of());
        assertThat(files(site.resolve("runs/ft1"))).containsExactly("benchmark.json", "bootstrap.json", "metrics.jsonl",
                "predictions/eval-000.jsonl", "run.json", "summary.json");
        String page = Files.readString(site.resolve("runs/ft1.html"));
        assertThat(page).doesNotContain("report.html").doesNotContain("img.svg").doesNotContain("notes.txt")
                .doesNotContain("page.html");
    }

    /** A predictions/ that is a link out of the folder is neither sampled on the run page nor published. */
    @Test
    void aLinkedPredictionsFolderIsNeitherReadNorPublished() throws Exception {
        Path dir = run(runs(), "ft1", "finetune", 1, 0.3).dir();
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("eval-000.jsonl"), "{\"split\":\"secret\",\"object\":\"o\"}\n");
        Files.createSymbolicLink(dir.resolve("predictions"), elsewhere);
        JsonNode data = summarize(Map.of());
        assertThat(data.at("/runs/0/sample_predictions")).isEmpty();
        assertThat(data.at("/runs/0/files").toString()).doesNotContain("predictions");
    }

    /** Every page declares a policy that allows only the site's own script and style, and none uses inline style. */
    @Test
    void everyPageCarriesATightContentSecurityPolicy() throws Exception {
        run(runs(), "ft1", "finetune", 1, 0.3);
        Path site = tmp.resolve("site");
        SiteBuilder.build(tmp.resolve("runs"), site, List.of(), Map.of());
        for (String p : List.of("index.html", "runs/ft1.html", "methods/finetune.html")) {
            String html = Files.readString(site.resolve(p));
            assertThat(html).as(p).contains("<meta http-equiv=\"Content-Security-Policy\" content=\"" + SitePolicy.CSP_META + "\"");
            assertThat(html).as(p).doesNotContain(" style=\"").doesNotContain("<script>");
        }
        assertThat(SitePolicy.CSP).contains("default-src 'none'").contains("script-src 'self'")
                .contains("style-src 'self'").doesNotContain("unsafe");
    }

    @Test
    void twoRunsOfOneConfigurationAndSeedLeaveTheSecondOutAndNameIt() throws Exception {
        run(runs(), "a-ft1", "finetune", 1, 0.3);
        run(runs(), "b-ft1-copy", "finetune", 1, 0.9);
        run(runs(), "c-ft2", "finetune", 2, 0.31);
        JsonNode data = summarize(Map.of());
        assertThat(pages(data)).containsExactly("a-ft1", "c-ft2");
        assertThat(skipped(data)).contains("b-ft1-copy: ").contains("same configuration and seed as a-ft1");
        Path site = tmp.resolve("site");
        SiteBuilder.build(tmp.resolve("runs"), site, List.of(), Map.of());
        assertThat(site.resolve("runs/a-ft1.html")).exists();
    }

    @Test
    void nullsWhereRecordsBelongLeaveOneRunOutOrShowItAsUnknown() throws Exception {
        run(runs(), "good", "finetune", 1, 0.3);
        Path a = run(runs(), "null-model", "finetune", 2, 0.3).dir();
        ObjectNode r = tree(a.resolve("run.json"));
        ((ObjectNode) r.with("provenance").with("inputs")).putNull("model");
        write(a.resolve("run.json"), r);
        Path b = run(runs(), "null-column", "finetune", 3, 0.3).dir();
        ObjectNode s = tree(b.resolve("benchmark.json"));
        s.withArray("columns").addNull();
        write(b.resolve("benchmark.json"), s);
        Path c = run(runs(), "null-rows", "finetune", 4, 0.3).dir();
        s = tree(c.resolve("benchmark.json"));
        s.putObject("reported").put("source", "x").put("model", "m").putArray("rows").addNull();
        write(c.resolve("benchmark.json"), s);
        Path d = run(runs(), "null-headline", "finetune", 5, 0.3).dir();
        s = tree(d.resolve("benchmark.json"));
        s.putArray("headline").addNull();
        write(d.resolve("benchmark.json"), s);
        JsonNode data = summarize(Map.of());
        assertThat(pages(data)).contains("good");
        String skipped = skipped(data);
        assertThat(skipped).contains("null-column: ").contains("null-rows: ").contains("null-headline: ")
                .contains("benchmark.json");
        Path site = tmp.resolve("site");
        SiteBuilder.build(tmp.resolve("runs"), site, List.of(), Map.of());
        assertThat(site.resolve("runs/good.html")).exists();
    }

    @Test
    void jsonOverTheBoundsLeavesOneRunOutNamingTheFile() throws Exception {
        run(runs(), "good", "finetune", 1, 0.3);
        Path deep = run(runs(), "deep", "finetune", 2, 0.3).dir();
        Files.writeString(deep.resolve("summary.json"), "{\"benchmark\":\"demo\",\"method\":\"finetune\",\"x\":"
                + "[".repeat(1001) + "]".repeat(1001) + "}");
        Path longString = run(runs(), "long-string", "finetune", 3, 0.3).dir();
        Files.writeString(longString.resolve("run.json"), "{\"id\":\"" + "a".repeat(20 << 20) + "\"}");
        Path digits = run(runs(), "digits", "finetune", 4, 0.3).dir();
        Files.writeString(digits.resolve("summary.json"), "{\"benchmark\":\"demo\",\"method\":\"finetune\",\"acc\":"
                + "1".repeat(1000) + "}");
        Path lines = run(runs(), "many-lines", "finetune", 5, 0.3).dir();
        Files.writeString(lines.resolve("metrics.jsonl"), "{\"x\":0}\n".repeat(1_000_000));
        JsonNode data = summarize(Map.of());
        assertThat(pages(data)).containsExactly("good");
        assertThat(skipped(data)).contains("deep: ").contains("long-string: ").contains("digits: ").contains("many-lines: ")
                .contains("deep/summary.json").contains("long-string/run.json").contains("digits/summary.json")
                .contains("many-lines/metrics.jsonl");
    }

    /**
     * A forged benchmark.json (direction, label, reported rows) sorting first rules no board: the installed
     * benchmark's spec when there is one, else the spec the runs agree on, and the board says which.
     */
    @Test
    void aForgedSpecRulesNoBoard() throws Exception {
        Path forged = run(runs(), "a-forged", "finetune", 9, 0.3).dir();
        LeaderboardSpec evil = RunFixture.spec("Llama-2-7b certified", -1, new LeaderboardSpec.Reported("paper", "Llama",
                List.of(new LeaderboardSpec.ReportedRow("finetune", "Finetune", Map.of("acc", 0.001), null))));
        new org.cklbench.runfolder.RunFolder(forged).writeBenchmarkSpec(evil);
        run(runs(), "b-ft1", "finetune", 1, 0.3);
        run(runs(), "c-ft2", "finetune", 2, 0.31);

        JsonNode agreed = summarize(Map.of());
        JsonNode board = agreed.get("leaderboards").get(0);
        assertThat(board.at("/columns/0/label").asText()).isEqualTo("Acc");
        assertThat(board.at("/columns/0/better").asInt()).isEqualTo(1);
        assertThat(board.get("reported")).isEmpty();
        assertThat(board.get("spec_source").asText()).contains("2 runs");
        assertThat(pages(agreed)).doesNotContain("a-forged");
        assertThat(skipped(agreed)).contains("a-forged: ").contains("benchmark.json differs");

        LeaderboardSpec installed = RunFixture.spec("Installed acc", 1, null);
        JsonNode fromPlugin = summarize(Map.of("demo", installed));
        board = fromPlugin.get("leaderboards").get(0);
        assertThat(board.at("/columns/0/label").asText()).isEqualTo("Installed acc");
        assertThat(board.get("spec_source").asText()).contains("installed");
        assertThat(pages(fromPlugin)).contains("a-forged", "b-ft1", "c-ft2");
        Path site = tmp.resolve("site");
        SiteBuilder.build(tmp.resolve("runs"), site, List.of(), Map.of("demo", installed));
        assertThat(Files.readString(site.resolve("index.html"))).contains("installed").doesNotContain("Llama");
    }

    /** A spec all runs agree on is shown, its markup as text and its formulas defused in the CSV. */
    @Test
    void markupAndFormulasInASpecTheRunsAgreeOnAreText() throws Exception {
        LeaderboardSpec spec = new LeaderboardSpec("demo", "<img src=x onerror=alert(1)>", "<script>alert('hint')</script>",
                RunFixture.SPEC.columns(), null, RunFixture.SPEC.curve(), new LeaderboardSpec.Reported("<b>paper</b>", "m",
                List.of(new LeaderboardSpec.ReportedRow("finetune", "=HYPERLINK(\"http://evil\",\"click\")",
                        Map.of("acc", 0.1), null))), null, null, "finetune", "none");
        for (long s = 1; s <= 2; s++) {
            new org.cklbench.runfolder.RunFolder(run(runs(), "ft" + s, "finetune", s, 0.3).dir()).writeBenchmarkSpec(spec);
        }
        Path site = tmp.resolve("site");
        SiteBuilder.build(tmp.resolve("runs"), site, List.of(), Map.of());
        String home = Files.readString(site.resolve("index.html"));
        assertThat(home).doesNotContain("<img src=x").doesNotContain("<script>alert('hint')").doesNotContain("<b>paper")
                .contains("&lt;img src=x onerror=alert(1)&gt;").contains("the same in 2 runs");
        String csv = SiteDownloads.boardCsvs(site);
        assertThat(csv).contains("'=HYPERLINK").doesNotContainPattern("(^|,)\"?=HYPERLINK");
    }

    /** A reference line (the majority floor) is shown only where every run of the board reports the same value. */
    @Test
    void aReferenceLineIsShownOnlyWhereAllRunsAgree() throws Exception {
        run(runs(), "b-ft1", "finetune", 1, 0.3);
        run(runs(), "c-ft2", "finetune", 2, 0.31);
        JsonNode refs = summarize(Map.of()).at("/leaderboards/0/references");
        assertThat(refs).hasSize(1);
        assertThat(refs.at("/0/text").asText()).isEqualTo("0.250");
        assertThat(refs.at("/0/agreed_by").asInt()).isEqualTo(2);

        Path forged = run(runs(), "a-forged", "finetune", 3, 0.3).dir();
        ObjectNode s = tree(forged.resolve("summary.json")).put("floor", 0.9);
        write(forged.resolve("summary.json"), s);
        JsonNode board = summarize(Map.of()).at("/leaderboards/0");
        assertThat(board.at("/references/0/text").asText()).doesNotContain("0.9").doesNotContain("0.250");
        assertThat(board.at("/references/0/withheld").asText()).contains("disagree");
    }

    /**
     * Which parameter follows the seed is the installed method's word, not a run's: a forged declaration
     * that {@code lr} follows the seed does not pool a run's row with rows it is not.
     */
    @Test
    void onlyTheInstalledMethodSaysWhatFollowsTheSeed() throws Exception {
        List<MethodInfo> forged = List.of(new MethodInfo("finetune", "d", null, List.of(
                new MethodInfo.Parameter("lr", "double", "seed", "forged"))));
        run(runs(), "ft1", "finetune", 1, 0.3, Map.of("lr", 1), forged);
        run(runs(), "ft2", "finetune", 2, 0.31, Map.of("lr", 2), forged);
        List<MethodInfo> installed = List.of(new MethodInfo("finetune", "d", null, List.of(
                new MethodInfo.Parameter("lr", "double", "0.001", "learning rate"))));
        JsonNode rows = Summarizer.summarize(tmp.resolve("runs"), installed, Map.of()).tree().at("/leaderboards/0/rows");
        assertThat(rows).as("lr=1 and lr=2 are two rows").hasSize(2);
        List<MethodInfo> follows = List.of(new MethodInfo("finetune", "d", null, List.of(
                new MethodInfo.Parameter("lr", "double", "seed", "follows the seed"))));
        rows = Summarizer.summarize(tmp.resolve("runs"), follows, Map.of()).tree().at("/leaderboards/0/rows");
        assertThat(rows).hasSize(1);
    }

    @Test
    void theChartWritesNoNonFiniteCoordinate() {
        String svg = Charts.lines("t", "x", List.of("0", "1", "2"), "y", List.of(new Charts.Series("a",
                List.of(Double.NEGATIVE_INFINITY, 0.5, Double.POSITIVE_INFINITY)), new Charts.Series("b",
                List.of(1e308, -1e308, 0.0))));
        assertThat(svg).doesNotContain("Infinity").doesNotContain("NaN");
        String fixed = Charts.lines("t", "x", List.of("0"), "y", List.of(new Charts.Series("a", List.of(0.5))),
                0.0, Double.NaN);
        assertThat(fixed).doesNotContain("Infinity").doesNotContain("NaN");
    }

    /** Rebuilding into a folder that holds a site keeps the files the build never wrote (a CNAME, .nojekyll). */
    @Test
    void rebuildingKeepsFilesTheBuildDidNotWrite() throws Exception {
        run(runs(), "ft1", "finetune", 1, 0.3);
        run(runs(), "ft2", "finetune", 2, 0.31);
        Path site = tmp.resolve("site");
        SiteBuilder.build(tmp.resolve("runs"), site, List.of(), Map.of());
        Files.writeString(site.resolve("CNAME"), "bench.example.org\n");
        Files.writeString(site.resolve(".nojekyll"), "");
        Files.createDirectories(site.resolve("extra"));
        Files.writeString(site.resolve("extra/notes.md"), "mine");
        org.cklbench.io.Folders.deleteTree(tmp.resolve("runs/ft2"));
        SiteBuilder.build(tmp.resolve("runs"), site, List.of(), Map.of());
        assertThat(Files.readString(site.resolve("CNAME"))).isEqualTo("bench.example.org\n");
        assertThat(site.resolve(".nojekyll")).exists();
        assertThat(Files.readString(site.resolve("extra/notes.md"))).isEqualTo("mine");
        assertThat(site.resolve("runs/ft2.html")).as("what the earlier build wrote and this one did not goes").doesNotExist();
        assertThat(site.resolve("runs/ft1.html")).exists();
    }

    /** What a build says it left out is printable: a run's control characters cannot rewrite the terminal. */
    @Test
    void leftOutLinesEscapeControlCharacters() throws Exception {
        Path a = run(runs(), "esc", "finetune", 1, 0.3).dir();
        ObjectNode r = tree(a.resolve("run.json"));
        r.with("config").put("method", "\u001b[2K\u001b]52;c;ZXZpbA==\u0007all runs verified");
        write(a.resolve("run.json"), r);
        List<String> lines = Skipped.lines(Summarizer.summarize(tmp.resolve("runs"), List.of(), Map.of()));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("1 run folder left out of the site:");
        assertThat(lines.get(1)).startsWith("left out esc: ").contains("\\u001b").doesNotContain("\u001b")
                .doesNotContain("\u0007");
    }

    /**
     * The final case: a hostile run folder (markup in every string it may hold, its own pages and images, a
     * forged spec) next to good ones leaves the good ones published and the site free of foreign markup.
     */
    @Test
    void aHostileRunNextToGoodOnesLeavesTheSiteFreeOfForeignMarkup() throws Exception {
        String x = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        run(runs(), "good1", "finetune", 1, 0.3);
        run(runs(), "good2", "finetune", 2, 0.32);
        run(runs(), "good3", "other", 1, 0.5);
        List<MethodInfo> methods = List.of(new MethodInfo("evil", x, x, List.of(new MethodInfo.Parameter(x, x, x, x))));
        Path h = run(runs(), "hostile", "evil", 1, 0.9, Map.of("p", x), methods).dir();
        ObjectNode r = tree(h.resolve("run.json"));
        r.put("id", x);
        r.with("config").put("model", x).put("device", x).with("settings").put(x, x);
        r.with("variant").put("p", x);
        r.with("provenance").with("software").put(x, x);
        r.with("provenance").put("started", x);
        r.with("provenance").with("inputs").with("model").put("path", x);
        write(h.resolve("run.json"), r);
        ObjectNode m = RunFixture.JSON.createObjectNode().put("x", x).put("acc", 0.9);
        Files.writeString(h.resolve("metrics.jsonl"), RunFixture.JSON.writeValueAsString(m) + "\n");
        Files.createDirectories(h.resolve("predictions"));
        ObjectNode p = RunFixture.JSON.createObjectNode().put("split", x).put("subject", x).put("relation", x)
                .put("object", x).put("predicted", x);
        Files.writeString(h.resolve("predictions/eval-000.jsonl"), RunFixture.JSON.writeValueAsString(p) + "\n");
        Files.writeString(h.resolve("report.html"), x);
        Files.writeString(h.resolve("index.html"), x);
        Files.writeString(h.resolve("img.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\">" + x + "</svg>");
        // a spec that would rename every board's column, and a majority floor of its own
        ObjectNode spec = tree(h.resolve("benchmark.json"));
        spec.put("title", x).put("hint", x);
        ((ObjectNode) spec.withArray("columns").get(0)).put("label", x);
        write(h.resolve("benchmark.json"), spec);

        Path site = tmp.resolve("site");
        SiteBuilder.build(tmp.resolve("runs"), site, List.of(), Map.of("demo", RunFixture.SPEC));
        for (String good : List.of("good1", "good2", "good3")) {
            assertThat(site.resolve("runs/" + good + ".html")).exists();
        }
        StringBuilder all = new StringBuilder();
        for (String f : files(site)) {
            assertThat(f).as("no page, image or script but the site's own")
                    .matches("index\\.html|(runs|methods)/[^/]+\\.html|assets/site\\.(js|css)|assets/style\\.css"
                            + "|site-data\\.json|leaderboard\\.(json|csv)|\\.ckl-site-files"
                            + "|runs/[^/]+/(run|benchmark|summary|bootstrap|verification)\\.json|runs/[^/]+/metrics\\.jsonl"
                            + "|runs/[^/]+/predictions/[^/]+\\.jsonl|runs/[^/]+/steps\\.jsonl"
                            + "|downloads/[^/]+(\\.csv|-predictions\\.jsonl)");
            if (f.endsWith(".html")) {
                all.append(Files.readString(site.resolve(f)));
            }
        }
        String html = all.toString();
        assertThat(html).doesNotContain("<script>").doesNotContain("<img").doesNotContain("alert(1)</script>");
        assertThat(html.split("<script", -1)).as("only the site's own script element").hasSize(
                1 + (int) files(site).stream().filter(f -> f.endsWith(".html")).filter(f -> {
                    try {
                        return Files.readString(site.resolve(f)).contains("<script src=\"");
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).count());
        assertThat(html).contains("&lt;script&gt;");
    }
}
