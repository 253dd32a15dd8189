package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.runfolder.LeaderboardSpec;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.Summary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a new user of the site misread (a trial of the quickstart's site): a highlight on a tie, colours shared by
 * methods, accuracy axes beyond [0, 1], another benchmark's footnote, accuracy on a board ranked by NLL, probes of
 * another epoch than the one shown, raw ids and times, and run folders left out without a word.
 */
class SiteReadingTest {
    @TempDir
    Path tmp;

    private Path runs() {
        return tmp.resolve("runs");
    }

    private JsonNode data() throws Exception {
        return Summarizer.summarize(runs(), List.of(), Map.of()).tree();
    }

    private Path site() throws Exception {
        Path site = tmp.resolve("site");
        SiteBuilder.build(runs(), site, List.of(), Map.of());
        return site;
    }

    private static List<String> all(String text, String regex, int group) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            out.add(m.group(group));
        }
        return out;
    }

    @Test
    void aColumnWhereEveryRowTiesHighlightsNothing() throws Exception {
        // a smoke board: no method moved To-Learn; Not-To-Forget still has a best
        BoardFixture.run(runs(), "a", "alpha", 1, new double[] {0, 0.5}, new double[] {1, 0.6});
        BoardFixture.run(runs(), "b", "beta", 1, new double[] {0, 0.5}, new double[] {1, 0.7});
        BoardFixture.run(runs(), "c", "gamma", 1, new double[] {0, 0.5}, new double[] {1, 0.8});
        List<String> best = new ArrayList<>();
        for (JsonNode r : data().at("/leaderboards/0/rows")) {
            r.get("values").fields().forEachRemaining(e -> {
                if (e.getValue().path("best").asBoolean()) {
                    best.add(r.get("method").asText() + "." + e.getKey());
                }
            });
        }
        assertThat(best).as("learn and mean_nll tie in every row").containsExactly("gamma.keep");
    }

    @Test
    void everyMethodOfABoardHasItsOwnColourOnEveryChart() throws Exception {
        for (int i = 0; i < 13; i++) {
            BoardFixture.run(runs(), "m" + i, String.format("method%02d", i), 1, new double[] {0, 0.05 * i},
                    new double[] {1, 1 - 0.05 * i});
        }
        String home = Files.readString(site().resolve("index.html"));
        List<String> svgs = all(home, "<svg class=\"chart\"[\\s\\S]*?</svg>", 0);
        assertThat(svgs).hasSize(3);
        Map<String, String> styleOf = new TreeMap<>();
        for (String curve : svgs.subList(0, 2)) {
            Map<String, String> here = new LinkedHashMap<>();
            Matcher m = Pattern.compile("<g class=\"series\" data-name=\"([^\"]+)\">(?:<polygon[^>]*/>)?<polyline fill=\"none\" "
                    + "stroke=\"(#[0-9a-f]{6})\" stroke-width=\"2\"( stroke-dasharray=\"[^\"]+\")?").matcher(curve);
            while (m.find()) {
                here.put(m.group(1), m.group(2));
            }
            assertThat(here).hasSize(13);
            assertThat(new LinkedHashSet<>(here.values())).as("13 methods, 13 colours").hasSize(13);
            here.forEach((name, colour) -> assertThat(styleOf.putIfAbsent(name, colour)).as(name).isIn(null, colour));
        }
        Matcher p = Pattern.compile("<g class=\"point\" data-name=\"([^\"]+)\">[\\s\\S]*?fill=\"(#[0-9a-f]{6})\"").matcher(svgs.get(2));
        int points = 0;
        while (p.find()) {
            assertThat(p.group(2)).as("%s's colour on the trade-off", p.group(1)).isEqualTo(styleOf.get(p.group(1)));
            points++;
        }
        assertThat(points).isEqualTo(13);
    }

    @Test
    void anAccuracyAxisStaysWithinZeroAndOne() throws Exception {
        // two seeds far apart: the intervals reach well below 0 and above 1
        BoardFixture.run(runs(), "a1", "alpha", 1, new double[] {0, 0.0}, new double[] {1, 1.0});
        BoardFixture.run(runs(), "a2", "alpha", 2, new double[] {0, 0.9}, new double[] {1, 0.1});
        BoardFixture.run(runs(), "b1", "beta", 1, new double[] {0, 0.4}, new double[] {1, 0.5});
        JsonNode data = data();
        JsonNode board = data.at("/leaderboards/0");
        assertThat(board.at("/rows/0/values/learn/lo").asDouble()).as("the fixture's interval runs below 0").isNegative();
        String svg = TradeOff.of(board, data.at("/benchmarks/ckl"));
        List<Double> ticks = new ArrayList<>();
        all(svg, "fill=\"#5b6475\">(-?[0-9.]+)</text>", 1).forEach(t -> ticks.add(Double.parseDouble(t)));
        assertThat(ticks).isNotEmpty().allMatch(t -> t >= 0 && t <= 1);
        assertThat(ticks).contains(0.0, 1.0);
        // an NLL axis (lower is better) fits its data, however far from [0, 1]
        String nll = Charts.scatter("t", "x", "NLL", List.of(new Charts.Point("a", 0.5, 0.4, 0.6, 3.0, 2.5, 3.5),
                new Charts.Point("b", 0.6, 0.5, 0.7, 4.0, 3.5, 4.5)), 0, 1, Double.NaN, Double.NaN);
        assertThat(all(nll, "fill=\"#5b6475\">(-?[0-9.]+)</text>", 1)).contains("4.5");
    }

    @Test
    void aMethodsFootnoteAppearsOnlyWhereItsColumnIs() throws Exception {
        String note = "Not-To-Forget is measured on rehearsed facts";
        withNote(BoardFixture.run(runs(), "ckl-mr", "mixreview", 1, new double[] {0, 0.3}, new double[] {1, 0.6}), note);
        BoardFixture.run(runs(), "ckl-ft", "finetune", 1, new double[] {0, 0.2}, new double[] {1, 0.6});
        withNote(RunFixture.run(runs(), "demo-mr", "mixreview", 1, 0.4), note);
        RunFixture.run(runs(), "demo-ft", "finetune", 1, 0.3);
        Map<String, JsonNode> boards = new TreeMap<>();
        data().get("leaderboards").forEach(b -> boards.put(b.get("benchmark").asText(), b));
        assertThat(boards.get("ckl").get("notes").toString()).contains(note);
        assertThat(boards.get("ckl").at("/rows").findValues("mark")).hasSize(1);
        assertThat(boards.get("demo").path("notes").toString()).as("the demo board has no Not-To-Forget").doesNotContain(note);
        assertThat(boards.get("demo").at("/rows").findValues("mark")).isEmpty();
        assertThat(Leaderboards.appliesTo("mixreview: Acc is kept", List.of(RunFixture.SPEC.columns().get(0)),
                java.util.Set.of("Acc", "Not-To-Forget"))).isTrue();
    }

    private static void withNote(RunFolder f, String note) throws Exception {
        ObjectNode run = RunFixture.tree(f.dir().resolve("run.json"));
        ObjectNode m = run.putArray("methods").addObject();
        m.put("id", "mixreview").put("description", "d").put("note", note).putArray("parameters");
        RunFixture.write(f.dir().resolve("run.json"), run);
    }

    @Test
    void aBoardRankedByNllShowsNllPerRelation() throws Exception {
        LeaderboardSpec byNll = new LeaderboardSpec("ckl", "CKL", "hint", List.of(BoardFixture.LEARN, BoardFixture.KEEP),
                List.of(BoardFixture.MEAN), BoardFixture.SPEC.curve(), null, null, null, "finetune", "none");
        BoardFixture.run(runs(), "ft", "finetune", 1, new double[] {0, 0.6}, new double[] {1, 0.4}).writeBenchmarkSpec(byNll);
        BoardFixture.run(runs(), "ta", "taalm", 1, new double[] {0, 0.8}, new double[] {1, 0.4}).writeBenchmarkSpec(byNll);
        JsonNode data = data();
        Map<String, JsonNode> byPage = new TreeMap<>();
        data.get("runs").forEach(r -> byPage.put(r.get("page").asText(), r));
        List<PerRelation.Table> tables = PerRelation.of(data.at("/leaderboards/0"), byPage);
        assertThat(tables).extracting(PerRelation.Table::metric).containsOnly("object NLL");
        // every probe of the fixture has object NLL 1.5; accuracy would be 1.000 for "capital"
        assertThat(tables.get(1).lines().get(0).cells()).containsExactly("1.500", "1.500");
        String home = Files.readString(site().resolve("index.html"));
        assertThat(home).contains("<summary>Object NLL per relation</summary>").contains("<h4 class=\"table-caption\">To-Learn · object NLL</h4>");
    }

    @Test
    void theRunPageListsTheProbesOfTheEpochItReports() throws Exception {
        RunFolder f = BoardFixture.run(runs(), "ft", "finetune", 1, new double[] {0, 0.8, 0.4}, new double[] {1, 0.6, 0.5});
        // a Top-Acc protocol: the summary reports epoch 1, not the last (2)
        f.writeSummary(Summary.of("ckl", "finetune", RunFixture.JSON.createObjectNode().put("learn", 0.8).put("keep", 0.6)
                .put("epoch", 1).put("mean_nll", 2.0)));
        JsonNode run = data().at("/runs/0");
        assertThat(run.get("sample_from").asText()).isEqualTo("predictions/epoch-001.jsonl");
        // epoch 1's "employer" probes score (0.8*5-2)/3 = 2/3; the last epoch's would be 0
        assertThat(run.at("/sample_predictions/2/accuracy").asDouble()).isCloseTo(2 / 3.0, org.assertj.core.data.Offset.offset(1e-9));
        String page = Files.readString(site().resolve("runs/ft.html"));
        assertThat(page).contains("<h3>Probes of epoch 1, the evaluation the results above are read at</h3>")
                .doesNotContain("Probes of the last evaluation");
    }

    @Test
    void pagesWriteTimesToTheSecondCountsWithTheirNounAndSplitsAsWords() throws Exception {
        RunFolder f = BoardFixture.run(runs(), "ft", "finetune", 1, new double[] {0, 0.6}, new double[] {1, 0.4});
        ObjectNode run = RunFixture.tree(f.dir().resolve("run.json"));
        run.with("provenance").put("finished", "2026-12-07T04:42:45.247856190Z");
        RunFixture.write(f.dir().resolve("run.json"), run);
        Path site = site();
        String home = Files.readString(site.resolve("index.html"));
        assertThat(home).contains("Built from 1 run on 1 board, the newest finished 2026-12-07 04:42:45 UTC")
                .doesNotContain("247856190");
        assertThat(home).contains("<td class=\"text probes\">Not-To-Forget 5 · To-Learn 5</td>")
                .contains("<h4 class=\"table-caption\">To-Learn · accuracy</h4>");
        assertThat(Files.readString(site.resolve("runs/ft.html"))).contains("2026-12-07 04:42:45 UTC").doesNotContain("247856190");
        assertThat(Labels.time("2026-12-07T04:42:45.999999999Z")).as("truncated, as a clock shows seconds").isEqualTo("2026-12-07 04:42:45 UTC");
        assertThat(Labels.time("not a time")).isEqualTo("not a time");
        // the downloads keep the ids
        assertThat(Files.readString(site.resolve("site-data.json"))).contains("\"probes\" : \"not_to_forget 5 · to_learn 5\"");
        assertThat(Labels.split("not_to_forget")).isEqualTo("Not-To-Forget");
        assertThat(Labels.split("changed")).isEqualTo("Changed");
        assertThat(Labels.split("Odd id")).isEqualTo("Odd id");
    }

    @Test
    void aStepAxisHasRoundTicks() {
        List<String> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int i = 1; i <= 84; i++) {
            xs.add(String.valueOf(i));
            ys.add(1.0 / i);
        }
        String svg = Charts.lines("loss per step", "optimiser step", xs, "loss", List.of(new Charts.Series("loss", ys)));
        // the x labels are the ones under the plot (text-anchor middle, below it)
        List<String> labels = all(svg, "y=\"(\\d+)\" font-size=\"12\" text-anchor=\"middle\" fill=\"#5b6475\">([^<]+)</text>", 2);
        assertThat(labels).containsExactly("1", "10", "20", "30", "40", "50", "60", "70", "80");
        // named evaluations (periods, epochs) keep their own labels
        String periods = Charts.lines("t", "period", List.of("0910", "1011", "1112"), "y",
                List.of(new Charts.Series("a", List.of(1.0, 2.0, 3.0))));
        assertThat(all(periods, "text-anchor=\"middle\" fill=\"#5b6475\">([^<]+)</text>", 1)).containsExactly("0910", "1011", "1112");
    }

    @Test
    void anIncompleteRunFolderIsReportedNotSkippedSilently() throws Exception {
        BoardFixture.run(runs(), "ft", "finetune", 1, new double[] {0, 0.6}, new double[] {1, 0.4});
        RunFolder stopped = BoardFixture.run(runs(), "stopped\u001b[2Kx", "taalm", 1, new double[] {0, 0.6}, new double[] {1, 0.4});
        Files.delete(stopped.dir().resolve(RunFolder.SUMMARY));
        SiteData data = Summarizer.summarize(runs(), List.of(), Map.of());
        assertThat(data.skipped()).hasSize(1);
        assertThat(data.skipped().get(0).reason()).startsWith("incomplete: it has run.json but no summary.json");
        List<String> lines = Skipped.lines(data);
        assertThat(lines.get(0)).isEqualTo("1 run folder left out of the site:");
        assertThat(lines.get(1)).startsWith("left out stopped\\u001b[2Kx: incomplete").doesNotContain("\u001b");
        String home = Files.readString(site().resolve("index.html"));
        assertThat(home).contains("1 run folder left out of the site").contains("left out stopped\\u001b[2Kx: incomplete");
    }

    /**
     * A board wider than a 1280-pixel window scrolls inside its box, not the page, and its method column stays in
     * view when scrolled to the far right (where a board of periods has its sort column). Chromium lays the page
     * out; a probe script (allowed: the site's own origin) scrolls the table and writes what it measured.
     */
    @Test
    void aWideTableScrollsInItsBoxWithTheMethodColumnInView() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(chromium),
                "skipped: /usr/bin/chromium is absent (apt-get install chromium; .ci/run does)");
        List<LeaderboardSpec.Column> cols = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            cols.add(new LeaderboardSpec.Column("c" + i, "period " + i + " Avg", null, "/learn", -1, 3));
        }
        LeaderboardSpec wide = new LeaderboardSpec("ckl", "CKL", "hint", cols, List.of(BoardFixture.MEAN),
                BoardFixture.SPEC.curve(), null, null, null, "finetune", "none");
        for (int s = 1; s <= 3; s++) {
            BoardFixture.run(runs(), "ft" + s, "finetune", s, new double[] {0, 0.2 + 0.1 * s}, new double[] {1, 0.6})
                    .writeBenchmarkSpec(wide);
            BoardFixture.run(runs(), "ta" + s, "taalm+kadapter", s, new double[] {0, 0.3 + 0.1 * s}, new double[] {1, 0.5})
                    .writeBenchmarkSpec(wide);
        }
        Path site = site();
        String home = Files.readString(site.resolve("index.html"));
        Files.writeString(site.resolve("probe.html"), home.replace("</body>", "<script src=\"assets/probe.js\"></script></body>"));
        Files.writeString(site.resolve("assets/probe.js"), String.join("\n",
                "var w = document.querySelector('table.measured').parentElement;",
                "w.scrollLeft = 100000;",
                "var td = w.querySelector('tbody td');",
                "document.body.setAttribute('data-probe', [document.documentElement.scrollWidth, window.innerWidth,",
                "  w.scrollWidth, w.clientWidth, Math.round(td.getBoundingClientRect().left - w.getBoundingClientRect().left),",
                "  w.scrollLeft, getComputedStyle(td).position].join(' '));"));
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,900", "--dump-dom",
                site.resolve("probe.html").toUri().toString()).redirectError(tmp.resolve("chromium.err").toFile()).start();
        String dom = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Matcher m = Pattern.compile("data-probe=\"(\\d+) (\\d+) (\\d+) (\\d+) (-?\\d+) (\\d+) (\\w+)\"").matcher(dom);
        assertThat(m.find()).as("the probe ran: %s", Files.readString(tmp.resolve("chromium.err"))).isTrue();
        int page = Integer.parseInt(m.group(1));
        int window = Integer.parseInt(m.group(2));
        assertThat(page).as("the page itself is no wider than the window").isLessThanOrEqualTo(window);
        assertThat(Integer.parseInt(m.group(3))).as("the table is wider than its box").isGreaterThan(Integer.parseInt(m.group(4)));
        assertThat(Integer.parseInt(m.group(6))).as("and scrolled").isPositive();
        assertThat(m.group(7)).isEqualTo("sticky");
        assertThat(Integer.parseInt(m.group(5))).as("the method cell at the box's left edge, scrolled or not").isBetween(-1, 1);
    }
}
