package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 29's site items: which values are highlighted, the board's order, its pictures, per-relation table and downloads. */
class BoardPicturesTest {
    @TempDir
    Path tmp;

    private Path runs() {
        return tmp.resolve("runs");
    }

    private JsonNode board() throws Exception {
        return Summarizer.summarize(runs(), List.of(), Map.of()).tree().at("/leaderboards/0");
    }

    private static List<String> best(JsonNode board) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : board.get("rows")) {
            r.get("values").fields().forEachRemaining(e -> {
                if (e.getValue().path("best").asBoolean()) {
                    out.add(r.get("method").asText() + "." + e.getKey());
                }
            });
        }
        return out;
    }

    @Test
    void reportedRowsAreNeverHighlightedAndSitInTheirOwnTable() throws Exception {
        BoardFixture.run(runs(), "ft", "finetune", 1, new double[] {0, 0.3}, new double[] {1, 0.6});
        BoardFixture.run(runs(), "ta", "taalm", 1, new double[] {0, 0.5}, new double[] {1, 0.5});
        JsonNode board = board();
        // the reported row (0.99, 0.99) beats both, and is still not best: best is among measured rows; mean_nll ties
        // in both rows, so it has no best
        assertThat(best(board)).containsExactlyInAnyOrder("taalm.learn", "finetune.keep");
        for (JsonNode r : board.get("reported")) {
            r.get("values").forEach(v -> assertThat(v.has("best")).isFalse());
        }
        Path site = tmp.resolve("site");
        SiteBuilder.build(runs(), site, List.of(), Map.of());
        String home = Files.readString(site.resolve("index.html"));
        String measured = home.substring(home.indexOf("<table class=\"sortable-table measured\">"), home.indexOf("</table>"));
        assertThat(measured).contains("class=\"best\"").doesNotContain("TAALM (paper)");
        int reported = home.indexOf("<table class=\"reported-table\">");
        assertThat(reported).as("the reported rows' own table").isPositive();
        String rep = home.substring(reported, home.indexOf("</table>", reported));
        assertThat(rep).contains("TAALM (paper)").contains("0.990").doesNotContain("best");
    }

    @Test
    void aOneRowTableHighlightsNothing() throws Exception {
        BoardFixture.run(runs(), "ft", "finetune", 1, new double[] {0, 0.3}, new double[] {1, 0.6});
        assertThat(best(board())).isEmpty();
        Path site = tmp.resolve("site");
        SiteBuilder.build(runs(), site, List.of(), Map.of());
        assertThat(Files.readString(site.resolve("index.html"))).doesNotContain("class=\"best\"");
    }

    @Test
    void noneIsNeverBest() throws Exception {
        BoardFixture.run(runs(), "none", "none", 1, new double[] {0.9, 0.9}, new double[] {1, 1});
        BoardFixture.run(runs(), "ft", "finetune", 1, new double[] {0, 0.3}, new double[] {1, 0.6});
        assertThat(best(board())).as("none and one other: no contest").isEmpty();
        BoardFixture.run(runs(), "ta", "taalm", 1, new double[] {0, 0.5}, new double[] {1, 0.5});
        assertThat(best(board())).doesNotContain("none.learn", "none.keep", "none.mean_nll")
                .contains("taalm.learn", "finetune.keep");
    }

    @Test
    void rowsAreSortedByTheHeadlineAndShowTheirProbes() throws Exception {
        BoardFixture.run(runs(), "a", "alpha", 1, new double[] {0, 0.2}, new double[] {1, 0.6});
        BoardFixture.run(runs(), "b", "beta", 1, new double[] {0, 0.6}, new double[] {1, 0.6});
        BoardFixture.run(runs(), "c", "gamma", 1, new double[] {0, 0.4}, new double[] {1, 0.6});
        BoardFixture.run(runs(), "c2", "gamma", 2, new double[] {0, 0.4}, new double[] {1, 0.6});
        JsonNode board = board();
        List<String> order = new ArrayList<>();
        board.get("rows").forEach(r -> order.add(r.get("method").asText()));
        assertThat(order).as("best To-Learn first, not by name").containsExactly("beta", "gamma", "alpha");
        assertThat(board.get("sorted_by").asText()).isEqualTo("learn");
        assertThat(board.at("/rows/1/probes").asText()).isEqualTo("not_to_forget 5 · to_learn 5");
        assertThat(board.at("/rows/1/n").asInt()).isEqualTo(2);
        List<String> cols = new ArrayList<>();
        board.get("columns").forEach(c -> cols.add(c.get("key").asText()));
        assertThat(cols).as("a headline figure that is no column (a mean over periods) becomes one")
                .containsExactly("learn", "keep", "mean_nll");
    }

    @Test
    void eachBoardHasItsOwnCsvColumnsAndOneProbesFile() throws Exception {
        BoardFixture.run(runs(), "ft", "finetune", 1, new double[] {0, 0.3}, new double[] {1, 0.6});
        BoardFixture.run(runs(), "ta", "taalm", 1, new double[] {0, 0.5}, new double[] {1, 0.5});
        RunFixture.run(runs(), "demo1", "finetune", 1, 0.3);
        Path site = tmp.resolve("site");
        SiteBuilder.build(runs(), site, List.of(), Map.of());
        List<Path> csvs;
        try (var s = Files.list(site.resolve("downloads"))) {
            csvs = s.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        }
        assertThat(csvs).hasSize(2);
        for (Path csv : csvs) {
            try (CSVParser p = CSVParser.parse(csv, StandardCharsets.UTF_8, CSVFormat.DEFAULT.builder().setHeader()
                    .setSkipHeaderRecord(true).get())) {
                List<String> header = p.getHeaderNames();
                List<CSVRecord> rows = p.getRecords();
                assertThat(header).startsWith("benchmark", "preset", "kind", "model", "method", "variant", "seeds",
                        "n_seeds", "probes", "weights_sha256", "world_sha256");
                if (rows.get(0).get("benchmark").equals("ckl")) {
                    assertThat(header.subList(11, header.size())).containsExactly("learn", "learn_sd", "learn_lo", "learn_hi",
                            "learn_vs_finetune", "learn_p_adjusted", "keep", "keep_sd", "keep_lo", "keep_hi",
                            "keep_vs_finetune", "keep_p_adjusted", "mean_nll", "mean_nll_sd", "mean_nll_lo", "mean_nll_hi",
                            "mean_nll_vs_finetune", "mean_nll_p_adjusted");
                    assertThat(rows).extracting(r -> r.get("kind") + " " + r.get("method"))
                            .containsExactly("measured taalm", "measured finetune", "reported taalm");
                    assertThat(rows.get(0).get("learn")).isEqualTo("0.5");
                } else {
                    assertThat(header.subList(11, header.size())).containsExactly("acc", "acc_sd", "acc_lo", "acc_hi",
                            "acc_vs_finetune", "acc_p_adjusted");
                }
            }
        }
        Path probes;
        try (var s = Files.list(site.resolve("downloads"))) {
            probes = s.filter(p -> p.getFileName().toString().startsWith("ckl-") && p.toString().endsWith(".jsonl"))
                    .findFirst().orElseThrow();
        }
        List<String> lines = Files.readAllLines(probes);
        assertThat(lines).as("each run's probes at the summary's epoch: 2 runs x 2 splits x 5").hasSize(20);
        JsonNode first = RunFixture.JSON.readTree(lines.get(0));
        assertThat(first.get("method").asText()).isEqualTo("taalm");
        assertThat(first.get("evaluation").asText()).isEqualTo("epoch-001");
        assertThat(first.get("relation").asText()).isEqualTo("capital");
        assertThat(SitePolicy.type("downloads/" + probes.getFileName())).isNotNull();
        assertThat(SitePolicy.type("downloads/" + csvs.get(0).getFileName())).startsWith("text/csv");
    }

    @Test
    void thePerRelationTableHoldsEachRelationsAccuracy() throws Exception {
        // To-Learn 0.6 over 5 probes: the 2 "capital" probes score 1, the 3 "employer" ones (0.6*5-2)/3 = 1/3
        BoardFixture.run(runs(), "ft", "finetune", 1, new double[] {0, 0.6}, new double[] {1, 0.4});
        BoardFixture.run(runs(), "ft2", "finetune", 2, new double[] {0, 0.8}, new double[] {1, 0.4});
        Map<String, JsonNode> byPage = new java.util.TreeMap<>();
        JsonNode data = Summarizer.summarize(runs(), List.of(), Map.of()).tree();
        data.get("runs").forEach(r -> byPage.put(r.get("page").asText(), r));
        List<PerRelation.Table> tables = PerRelation.of(data.at("/leaderboards/0"), byPage);
        assertThat(tables).extracting(PerRelation.Table::split).containsExactly("not_to_forget", "to_learn");
        PerRelation.Table learn = tables.get(1);
        assertThat(learn.methods()).containsExactly("finetune");
        assertThat(learn.lines()).extracting(PerRelation.Line::relation).containsExactly("capital", "employer");
        assertThat(learn.lines().get(0).cells()).containsExactly("1.000");
        // seed 1: 1/3, seed 2: (4-2)/3 = 2/3; mean 0.5
        assertThat(learn.lines().get(1).cells()).containsExactly("0.500");
        assertThat(learn.lines().get(1).probes()).isEqualTo("3");
        Path site = tmp.resolve("site");
        SiteBuilder.build(runs(), site, List.of(), Map.of());
        String home = Files.readString(site.resolve("index.html"));
        assertThat(home).containsPattern("data-split=\"to_learn\" data-metric=\"accuracy\">[\\s\\S]*?<td class=\"text\">employer</td><td>3</td>\\s*<td>0\\.500</td>");
    }

    /** One board's curves and trade-off scatter, as headless Chromium parses the page (no script needed). */
    @Test
    void curvesAndTradeOffAreWellFormedInChromium() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(chromium),
                "skipped: /usr/bin/chromium is absent (apt-get install chromium; .ci/run does)");
        BoardFixture.run(runs(), "ft1", "finetune", 1, new double[] {0, 0.2, 0.3}, new double[] {1, 0.8, 0.6});
        BoardFixture.run(runs(), "ft2", "finetune", 2, new double[] {0, 0.3, 0.4}, new double[] {1, 0.7, 0.5});
        BoardFixture.run(runs(), "ta1", "taalm", 1, new double[] {0, 0.4, 0.5}, new double[] {1, 0.9, 0.8});
        Path site = tmp.resolve("site");
        SiteBuilder.build(runs(), site, List.of(), Map.of());
        String dom = dom(chromium, site.resolve("index.html"));
        // two curve charts (To-Learn, Not-To-Forget) and the trade-off, each an <svg> the browser parsed
        List<String> svgs = all(dom, "<svg class=\"chart\"[\\s\\S]*?</svg>");
        assertThat(svgs).hasSize(3);
        String curve = svgs.get(0);
        assertThat(curve).contains("<title>To-Learn per epoch</title>");
        List<String> lines = all(curve, "<g class=\"series\" data-name=\"([^\"]+)\">");
        assertThat(lines).containsExactly("<g class=\"series\" data-name=\"taalm\">", "<g class=\"series\" data-name=\"finetune\">");
        for (String pts : all(curve, "<polyline [^>]*points=\"([^\"]*)\"")) {
            Matcher m = Pattern.compile("points=\"([^\"]*)\"").matcher(pts);
            assertThat(m.find()).isTrue();
            assertThat(m.group(1).split(" ")).as("a point per epoch").hasSize(3)
                    .allMatch(p -> p.matches("\\d+(\\.\\d)?,\\d+(\\.\\d)?"));
        }
        assertThat(all(curve, "<polygon class=\"band\"")).as("a band for finetune's two seeds only").hasSize(1);
        assertThat(curve).doesNotContain("NaN").doesNotContain("Infinity");
        assertThat(all(curve, ">(0\\.0|0\\.2|0\\.4|0\\.6|0\\.8|1\\.0)</text>")).as("round ticks on the fixed axis").hasSize(6);
        String scatter = svgs.get(2);
        assertThat(scatter).contains("<title>To-Learn against Not-To-Forget</title>");
        assertThat(all(scatter, "<g class=\"point\"")).hasSize(2);
        assertThat(all(scatter, "class=\"xerr\"")).hasSize(2);
        assertThat(all(scatter, "class=\"yerr\"")).hasSize(2);
        assertThat(scatter).doesNotContain("NaN");
        assertThat(dom).as("no style attribute: the policy would ignore it").doesNotContainPattern("<[^>]+ style=");
        String run = dom(chromium, site.resolve("runs/ft1.html"));
        assertThat(run).contains("<title>NLL per epoch</title>").contains("<title>train loss per epoch</title>");
    }

    private static List<String> all(String text, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    private String dom(Path chromium, Path page) throws Exception {
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        Path err = tmp.resolve("chromium.err");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                "--dump-dom", page.toUri().toString()).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> console = Files.readAllLines(err).stream()
                .filter(l -> l.contains(":CONSOLE") || l.contains("Uncaught") || l.contains("Content Security Policy")).toList();
        assertThat(console).as("console of %s", page.getFileName()).isEmpty();
        return out;
    }
}
