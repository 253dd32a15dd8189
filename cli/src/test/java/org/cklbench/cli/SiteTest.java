package org.cklbench.cli;

import org.cklbench.runfolder.RunFolder;
import org.cklbench.site.SiteBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/**
 * The site built from smoke runs of every method on both benchmarks (two seeds of finetune): links,
 * determinism, escaping, and what headless Chromium renders.
 */
class SiteTest {
    static final List<String> METHODS = List.of("finetune", "kadapter", "recadam", "mixreview", "rho1", "oracle", "lead", "taalm",
            "taalm+kadapter", "taalm+recadam", "taalm+mixreview");

    @TempDir
    static Path tmp;
    static Path runs;
    static Path site;

    @BeforeAll
    static void smokeRunsAndSite() throws Exception {
        runs = tmp.resolve("runs");
        for (String bench : List.of("lama-ckl", "temporalwiki")) {
            for (String m : METHODS) {
                Cli.Run r = ckl("run", "--benchmark", bench, "--method", m, "--preset", "smoke", "--threads", "2",
                        "--out", runs.toString());
                assertThat(r.code()).as(r.err()).isZero();
            }
        }
        assertThat(ckl("run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke", "--seed", "2",
                "--threads", "2", "--out", runs.toString()).code()).isZero();
        site = tmp.resolve("site");
        Cli.Run b = ckl("site", "build", "--runs", runs.toString(), "--out", site.toString());
        assertThat(b.code()).as(b.err()).isZero();
    }

    static List<Path> pages(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".html")).sorted().toList();
        }
    }

    @Test
    void everyLinkOfEveryPageResolvesToAFileOfTheSite() throws Exception {
        Pattern ref = Pattern.compile("(?:href|src)=\"([^\"#]*)(?:#[^\"]*)?\"");
        List<String> dead = new ArrayList<>();
        List<Path> pages = pages(site);
        assertThat(pages).hasSizeGreaterThan(20);
        for (Path page : pages) {
            String html = Files.readString(page);
            // no network resource: every href and src is a relative path (SVG's xmlns is a name, not a fetch)
            assertThat(html).doesNotContainPattern("(?:href|src)=\"(?:https?:)?//");
            Matcher m = ref.matcher(html);
            while (m.find()) {
                String target = org.unbescape.html.HtmlEscape.unescapeHtml(m.group(1));
                if (target.isEmpty()) {
                    continue;
                }
                if (!Files.isRegularFile(page.getParent().resolve(target).normalize())) {
                    dead.add(site.relativize(page) + " -> " + target);
                }
            }
        }
        assertThat(dead).isEmpty();
    }

    @Test
    void theHomePageHasEveryMethodAndTheReportedRows() throws Exception {
        String home = Files.readString(site.resolve("index.html"));
        com.fasterxml.jackson.databind.JsonNode data = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(site.resolve("site-data.json").toFile());
        for (com.fasterxml.jackson.databind.JsonNode board : data.get("leaderboards")) {
            for (String m : METHODS) {
                // the row on its board (not the methods list's link): its seeds, and the model's ▲/▼ column by column
                com.fasterxml.jackson.databind.JsonNode row = modelRow(board, m);
                String html = boardRow(home, board.get("anchor").asText(), m);
                assertThat(html).as("%s's row on %s", m, board.get("anchor").asText())
                        .contains("<a href=\"methods/" + m + ".html\">" + m + "</a>")
                        .contains("<td data-value=\"" + row.get("n").asInt() + "\">");
                assertThat(marksOf(html)).as("%s's marks on %s", m, board.get("anchor").asText())
                        .isEqualTo(expectedMarks(board, row));
            }
        }
        assertThat(home).contains("TAALM (QLoRA)").contains("reported · Llama2-7B").contains("reported · TinyLlama");
        assertThat(home).as("the reported rows' caveats, as footnotes").contains("trained its LoRA adapter with plain Adam")
                .contains("under the label &#39;K-Adapter&#39;").contains("<ol class=\"notes\">");
        assertThat(home).contains("0.4290").contains("4.019");
        assertThat(home).as("the LAMA-ckl board's majority-answer floor, a reference line")
                .containsPattern("<strong>Majority-answer floor</strong>\\s*\\(<span>Top Acc</span>\\): <span>0\\.\\d{4}</span>");
        assertThat(home).containsPattern("finetune</a>\\s*</td>\\s*<td data-value=\"2\">");
        assertThat(org.cklbench.site.SiteDownloads.boardCsvs(site)).startsWith("benchmark,preset,kind,model,method");
    }

    @Test
    void twoBuildsFromTheSameRunsAreByteIdentical() throws Exception {
        Path again = tmp.resolve("site-again");
        org.cklbench.core.plugin.Registries reg = org.cklbench.core.plugin.Registries.load(null);
        SiteBuilder.build(runs, again, SiteCommand.methodInfo(reg), SiteCommand.specs(reg));
        List<Path> a;
        List<Path> b;
        try (Stream<Path> s = Files.walk(site); Stream<Path> t = Files.walk(again)) {
            a = s.filter(Files::isRegularFile).map(site::relativize).sorted().toList();
            b = t.filter(Files::isRegularFile).map(again::relativize).sorted().toList();
        }
        assertThat(b).isEqualTo(a);
        assertThat(a).as("nothing that differs between machines or processes, such as the run folder's lock")
                .noneMatch(p -> p.getFileName().toString().equals(RunFolder.LOCK));
        for (Path p : a) {
            assertThat(Files.readAllBytes(again.resolve(p))).as(p.toString()).isEqualTo(Files.readAllBytes(site.resolve(p)));
        }
    }

    /** A subject with HTML in it (and a method id and a model folder with some) is shown as text. */
    @Test
    void htmlInADatasetStringIsRenderedAsText() throws Exception {
        Path evilRuns = tmp.resolve("evil-runs");
        Path src = Cli.onlyRunMatching(runs, "temporalwiki_finetune_smoke");
        Path dst = evilRuns.resolve("evil");
        copyTree(src, dst);
        Path pred = dst.resolve("predictions/period-1112.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(pred));
        lines.set(0, lines.get(0).replaceFirst("\"subject\":\"[^\"]*\"", "\"subject\":\"<script>alert('x')</script>\""));
        Files.write(pred, lines);
        Path out = tmp.resolve("evil-site");
        SiteBuilder.build(evilRuns, out, List.of(), Map.of());
        String page;
        try (Stream<Path> s = Files.list(out.resolve("runs"))) {
            page = Files.readString(s.filter(p -> p.toString().endsWith(".html")).findFirst().orElseThrow(), StandardCharsets.UTF_8);
        }
        assertThat(page).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;").doesNotContain("<script>alert");
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    /**
     * In headless Chromium (Debian's chromium, which .ci/run installs): the home page's tables, with
     * every method and the reported rows, a run page's curve, a method page; no console error.
     */
    @Test
    void headlessChromiumRendersThePagesWithoutErrors() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(chromium),
                "skipped: /usr/bin/chromium is absent (apt-get install chromium; .ci/run does)");
        String home = dom(chromium, site.resolve("index.html"));
        assertThat(home).contains("<table class=\"sortable-table measured\">").contains("<table class=\"reported-table\">");
        assertThat(home).as("the LAMA-ckl board's curves, trade-off and per-relation table")
                .contains("<title>To-Learn per epoch</title>").contains("<title>Not-To-Forget per epoch</title>")
                .contains("<title>Top Acc against NF Acc</title>").contains("class=\"per-relation-table\" data-split=\"to_learn\"")
                .contains("<title>Avg per period</title>");
        for (String m : METHODS) {
            assertThat(home).contains(">" + m + "</a>");
        }
        assertThat(home).contains("reported · Llama2-7B");
        Path runPage;
        try (Stream<Path> s = Files.list(site.resolve("runs"))) {
            runPage = s.filter(p -> p.getFileName().toString().startsWith("lama-ckl_taalm_smoke")
                    && p.toString().endsWith(".html")).findFirst().orElseThrow();
        }
        String run = dom(chromium, runPage);
        assertThat(run).contains("<svg class=\"chart\"").contains("<polyline").contains("<title>NLL per epoch</title>")
                .contains("<title>training loss per step</title>").contains("<title>gradient norm (before clipping) per step</title>");
        assertThat(dom(chromium, site.resolve("methods/taalm+kadapter.html"))).contains("taalm+kadapter");
    }

    /**
     * The DOM after scripts ran; fails on any console message (Chromium logs them all at INFO level,
     * errors and uncaught exceptions included), which the pages never write.
     */
    static String dom(Path chromium, Path page) throws Exception {
        Path profile = Files.createTempDirectory(tmp, "chromium-profile");
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                "--dump-dom", page.toUri().toString()).redirectError(tmp.resolve("chromium.err").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> console = Files.readAllLines(tmp.resolve("chromium.err")).stream()
                .filter(l -> l.contains(":CONSOLE") || l.contains("Uncaught")).toList();
        assertThat(console).as("console of %s", page.getFileName()).isEmpty();
        return out;
    }

    /** The measured row of {@code method} at the preset's settings in site-data.json's {@code board}. */
    static com.fasterxml.jackson.databind.JsonNode modelRow(com.fasterxml.jackson.databind.JsonNode board, String method) {
        for (com.fasterxml.jackson.databind.JsonNode r : board.get("rows")) {
            if (r.get("method").asText().equals(method) && r.get("variant").asText().isEmpty()) {
                return r;
            }
        }
        throw new AssertionError("no row of " + method + " on " + board.get("anchor").asText());
    }

    /** The HTML of {@code method}'s measured row at the preset's settings on the board {@code anchor} of the home page. */
    static String boardRow(String home, String anchor, String method) {
        int at = home.indexOf("<div id=\"" + anchor + "\">");
        assertThat(at).as("board %s", anchor).isNotNegative();
        String board = home.substring(at, home.indexOf("</tbody>", at));
        Matcher m = Pattern.compile("<tr data-verified=\"(?:true|false)\" data-method=\"" + Pattern.quote(method)
                + "\">.*?</tr>", Pattern.DOTALL).matcher(board);
        while (m.find()) {
            if (!m.group().contains("<span class=\"muted\">")) {
                return m.group();
            }
        }
        throw new AssertionError("no row of " + method + " at the preset's settings on board " + anchor);
    }

    /** The ▲/▼ of a row's HTML, in column order. */
    static List<String> marksOf(String rowHtml) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<span\\s+class=\"vs\"[^>]*> ([▲▼])</span>").matcher(rowHtml);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The marks site-data.json gives the row, in the board's column order. */
    static List<String> expectedMarks(com.fasterxml.jackson.databind.JsonNode board, com.fasterxml.jackson.databind.JsonNode row) {
        List<String> out = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode c : board.get("columns")) {
            String vs = row.path("values").path(c.get("key").asText()).path("vs_reference").asText("");
            if (!vs.isEmpty()) {
                out.add(vs.equals("better") ? "▲" : "▼");
            }
        }
        return out;
    }
}
