package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.site.SiteBuilder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cklbench.cli.Cli.ckl;

/**
 * Other people's run folders, written to attack the site: ids that are paths, links out of the folder,
 * {@code javascript:} ids, markup, spreadsheet formulas, stale temporary files, and a site built inside
 * the runs folder again and again. Each is a copy of a real smoke run with one thing changed.
 */
class HostileRunFoldersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path good;

    @BeforeAll
    static void oneRealRun() throws Exception {
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke", "--threads", "2",
                "--set", "epochs=1", "--out", tmp.resolve("real").toString());
        assertThat(r.code()).as(r.err()).isZero();
        good = Cli.onlyRun(tmp.resolve("real"));
    }

    private static Path copy(Path runs, String name) throws IOException {
        Path dst = runs.resolve(name);
        SiteTest.copyTree(good, dst);
        return dst;
    }

    private static ObjectNode runJson(Path folder) throws IOException {
        return (ObjectNode) JSON.readTree(folder.resolve("run.json").toFile());
    }

    private static void write(Path folder, ObjectNode run) throws IOException {
        Files.writeString(folder.resolve("run.json"), JSON.writeValueAsString(run));
    }

    private static String allPages(Path site) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.walk(site)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".html")).toList()) {
                sb.append(Files.readString(p));
            }
        }
        return sb.toString();
    }

    private static Path build(Path runs, String name) throws Exception {
        Path site = tmp.resolve(name);
        Cli.Run b = ckl("site", "build", "--runs", runs.toString(), "--out", site.toString());
        assertThat(b.code()).as(b.err()).isZero();
        return site;
    }

    @Test
    void idsThatArePathsWriteNothingOutsideTheSite() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("paths/runs"));
        Path victim = Files.writeString(tmp.resolve("paths/.bashrc"), "keep me\n");
        Path a = copy(runs, "a-run");
        ObjectNode r = runJson(a);
        r.put("id", "../../../x");
        r.withArray("methods").addObject().put("id", "../../.bashrc").put("description", "d")
                .putArray("parameters");
        write(a, r);
        Path site = build(runs, "paths/site");
        assertThat(Files.readString(victim)).isEqualTo("keep me\n");
        assertThat(tmp.resolve("x.html")).doesNotExist();
        assertThat(tmp.resolve("paths/x.html")).doesNotExist();
        assertThat(site.resolve("runs/a-run.html")).as("the page is named after the folder").exists();
        try (Stream<Path> s = Files.walk(tmp.resolve("paths"))) {
            assertThat(s.filter(p -> p.getFileName().toString().endsWith(".html")))
                    .allMatch(p -> p.startsWith(site));
        }
    }

    @Test
    void aFolderOrMethodNameThatIsNoPlainNameIsLeftOutAndSaidSo() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("names/runs"));
        copy(runs, "evil name;rm -rf");
        Path m = copy(runs, "formula-method");
        ObjectNode r = runJson(m);
        ((ObjectNode) r.get("config")).put("method", "=HYPERLINK(\"http://evil\",\"x\")");
        write(m, r);
        Cli.Run b = ckl("site", "build", "--runs", runs.toString(), "--out", tmp.resolve("names/site").toString());
        assertThat(b.code()).as(b.err()).isZero();
        assertThat(b.err()).contains("left out evil name;rm -rf").contains("left out formula-method")
                .contains("not a plain name");
        assertThat(tmp.resolve("names/site/downloads")).as("both runs left out: no board, no download").doesNotExist();
        assertThat(Files.readString(tmp.resolve("names/site/leaderboard.json"))).doesNotContain("HYPERLINK");
    }

    /** Replicates are input too: lying counts, NaN, a link, a bomb of fields; each run is left out and said so. */
    @Test
    void aBootstrapFileThatLiesLeavesItsRunOutAndTheRestStands() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("boot/runs"));
        copy(runs, "honest");
        String[] lies = {
            "{\"replicates\": 3, \"scheme\": \"s\", \"values\": {\"/top_acc\": [0.1, 0.2]}}",
            "{\"replicates\": 2, \"scheme\": \"s\", \"values\": {\"/top_acc\": [0.1, \"NaN\"]}}",
            "{\"replicates\": 2000000000, \"scheme\": \"s\", \"values\": {}}",
            "{\"replicates\": 2, \"scheme\": \"s\", \"values\": {\"top_acc\": [0.1, 0.2]}}",
            "[1, 2",
        };
        for (int i = 0; i < lies.length; i++) {
            Files.writeString(copy(runs, "lie-" + i).resolve("bootstrap.json"), lies[i]);
        }
        Path linked = copy(runs, "lie-link");
        // another seed: a second run of one configuration and seed would be left out as no replicate
        ObjectNode lr = runJson(linked);
        ((ObjectNode) lr.get("config")).put("seed", 2);
        write(linked, lr);
        Files.delete(linked.resolve("bootstrap.json"));
        Files.createSymbolicLink(linked.resolve("bootstrap.json"), good.resolve("bootstrap.json"));
        Cli.Run b = ckl("site", "build", "--runs", runs.toString(), "--out", tmp.resolve("boot/site").toString());
        assertThat(b.code()).as(b.err()).isZero();
        for (int i = 0; i < lies.length; i++) {
            assertThat(b.err()).contains("left out lie-" + i);
        }
        JsonNode rows = JSON.readTree(tmp.resolve("boot/site/site-data.json").toFile()).at("/leaderboards/0/rows");
        assertThat(rows).hasSize(1);
        // the honest run and the linked one (whose link is not read: no interval from it) make the row
        assertThat(rows.get(0).get("n").asInt()).isEqualTo(2);
    }

    @Test
    void linksOutOfARunFolderAreNeverFollowed() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("links/runs"));
        Path secret = Files.writeString(tmp.resolve("links/secret.txt"), "TOP-SECRET-LINE\n");
        Path a = copy(runs, "linked-file");
        Files.createSymbolicLink(a.resolve("notes.txt"), secret);
        Files.createSymbolicLink(a.resolve("predictions/epoch-999.jsonl"), secret);
        Path b = copy(runs, "linked-metrics");
        Files.delete(b.resolve("metrics.jsonl"));
        Files.createSymbolicLink(b.resolve("metrics.jsonl"), good.resolve("metrics.jsonl"));
        Files.createSymbolicLink(runs.resolve("linked-folder"), good.getParent());
        Cli.Run out = ckl("site", "build", "--runs", runs.toString(), "--out", tmp.resolve("links/site").toString());
        assertThat(out.code()).as(out.err()).isZero();
        Path site = tmp.resolve("links/site");
        assertThat(site.resolve("runs/linked-file/notes.txt")).doesNotExist();
        try (Stream<Path> s = Files.walk(site)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(p)).as(p.toString()).doesNotContain("TOP-SECRET-LINE");
            }
        }
        assertThat(out.err()).contains("left out linked-metrics").contains("symbolic link");
        assertThat(JSON.readTree(site.resolve("site-data.json").toFile()).get("runs")).hasSize(1);
    }

    @Test
    void aJavascriptIdNeverBecomesALink() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("js/runs"));
        Path a = copy(runs, "js-run");
        ObjectNode r = runJson(a);
        r.put("id", "javascript:alert(document.domain);x");
        write(a, r);
        String pages = allPages(build(runs, "js/site"));
        assertThat(pages).doesNotContainPattern("(?i)href=\"\\s*javascript:");
        assertThat(pages).contains("runs/js-run.html");
    }

    /**
     * A run's own benchmark.json does not rule a board of an installed benchmark (issue 25): its markup and
     * formulas appear nowhere, and the board says its spec is the installed benchmark's. (Markup and formulas in
     * a spec that is shown, where all runs agree on it, are text: HostileSiteTest.)
     */
    @Test
    void markupAndFormulasInTheBenchmarksOwnSpecAreText() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("spec/runs"));
        Path a = copy(runs, "spec-run");
        ObjectNode spec = (ObjectNode) JSON.readTree(a.resolve("benchmark.json").toFile());
        spec.put("title", "<img src=x onerror=alert(1)>");
        spec.put("hint", "<script>alert('hint')</script>");
        ((ObjectNode) spec.at("/reported/rows/0")).put("label", "=HYPERLINK(\"http://evil\",\"click\")");
        Files.writeString(a.resolve("benchmark.json"), JSON.writeValueAsString(spec));
        Path site = build(runs, "spec/site");
        String home = Files.readString(site.resolve("index.html"));
        assertThat(home).doesNotContain("<img src=x").doesNotContain("<script>alert('hint')")
                .doesNotContain("onerror").doesNotContain("alert('hint')").contains("the installed benchmark");
        String csv = org.cklbench.site.SiteDownloads.boardCsvs(site);
        assertThat(csv).doesNotContain("HYPERLINK");
    }

    @Test
    void rebuildingASiteInsideTheRunsFolderCountsEachRunOnce() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("inside/runs"));
        Path a = copy(runs, "the-run");
        Files.writeString(a.resolve(".metrics.jsonl.123.tmp"), "half a line");
        for (int i = 0; i < 3; i++) {
            Cli.Run b = ckl("site", "build", "--runs", runs.toString(), "--out", runs.resolve("site").toString());
            assertThat(b.code()).as(b.err()).isZero();
        }
        var data = JSON.readTree(runs.resolve("site/site-data.json").toFile());
        assertThat(data.get("runs")).hasSize(1);
        assertThat(data.at("/leaderboards/0/rows/0/n").asInt()).isEqualTo(1);
        assertThat(runs.resolve("site/runs/the-run/.metrics.jsonl.123.tmp")).as("temporary files are not published")
                .doesNotExist();
    }

    @Test
    void anOutThatIsAFileIsRefusedAndAFailedBuildLeavesNothingBehind() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("out/runs"));
        copy(runs, "a-run");
        Path file = Files.writeString(tmp.resolve("out/report.txt"), "mine\n");
        Cli.Run b = ckl("site", "build", "--runs", runs.toString(), "--out", file.toString());
        assertThat(b.code()).isEqualTo(1);
        assertThat(b.err()).contains("is a file");
        assertThat(Files.readString(file)).isEqualTo("mine\n");

        Path site = build(runs, "out/site");
        Path pinned = site; // an immutable folder cannot be renamed or emptied, so replacing the site fails
        Assumptions.assumeTrue(new ProcessBuilder("chattr", "+i", pinned.toString()).start().waitFor() == 0,
                "skipped: chattr cannot pin a file here");
        try {
            assertThatThrownBy(() -> SiteBuilder.build(runs, site, List.of(), Map.of())).isInstanceOf(IOException.class);
        } finally {
            new ProcessBuilder("chattr", "-i", pinned.toString()).start().waitFor();
        }
        try (Stream<Path> s = Files.list(site.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".site."));
        }
        assertThat(site.resolve("index.html")).as("the earlier site is still there").exists();
    }
}
