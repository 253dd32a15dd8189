package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.runfolder.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run scored from an adapter trained outside the suite says so in run.json ({@code "reproducible": false} and
 * {@code "reproducible_note"}): its row on the board carries a visible mark with the note, as text, and its run
 * page says it too; the rows of the suite's own runs carry none.
 */
class NotReproducibleRowTest {
    @TempDir
    Path tmp;

    @Test
    void aRowOfARunTrainedElsewhereIsMarkedWithItsNote() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("runs"));
        for (long s = 1; s <= 2; s++) {
            RunFixture.run(runs, "ft" + s, "finetune", s, 0.3);
        }
        RunFolder outside = RunFixture.run(runs, "ext1", "external", 1, 0.5);
        ObjectNode run = RunFixture.tree(outside.dir().resolve(RunFolder.RUN));
        run.put("reproducible", false).put("reproducible_note", "adapter trained by <b>lab X</b> & scored here");
        RunFixture.write(outside.dir().resolve(RunFolder.RUN), run);

        SiteData data = Summarizer.summarize(runs, List.of(), Map.of());
        SiteData.Board board = data.leaderboards().get(0);
        SiteData.Row ext = board.rows().stream().filter(r -> r.method().equals("external")).findFirst().orElseThrow();
        assertThat(ext.reproducible()).isFalse();
        assertThat(ext.reproducibleNote()).isEqualTo("adapter trained by <b>lab X</b> & scored here");
        SiteData.Row ft = board.rows().stream().filter(r -> r.method().equals("finetune")).findFirst().orElseThrow();
        assertThat(ft.reproducible()).isNull();

        Path site = tmp.resolve("site");
        SiteBuilder.build(runs, site, List.of(), Map.of());
        String home = Files.readString(site.resolve("index.html"));
        assertThat(row(home, "external")).contains("<span class=\"tag unreproducible\">not reproducible by the suite:"
                + " adapter trained by &lt;b&gt;lab X&lt;/b&gt; &amp; scored here</span>");
        assertThat(row(home, "finetune")).doesNotContain("unreproducible");
        assertThat(Files.readString(site.resolve("runs/ext1.html")))
                .contains("no: the suite cannot train this run again (adapter trained by &lt;b&gt;lab X&lt;/b&gt; &amp; scored here)");
        assertThat(Files.readString(site.resolve("runs/ft1.html"))).doesNotContain("cannot train this run again");
        // the model as written is the model as read back
        JsonNode written = RunFixture.JSON.readTree(site.resolve(RunFolder.SITE_DATA).toFile());
        assertThat(written.at("/leaderboards/0/rows").findValuesAsText("reproducible_note"))
                .containsExactly("adapter trained by <b>lab X</b> & scored here");
        assertThat(SiteData.read(site).leaderboards().get(0).rows()).isEqualTo(board.rows());
    }

    @Test
    void aRunFolderWithoutBenchmarkJsonIsLeftOutAndSaysWhy() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("runs"));
        RunFixture.run(runs, "ft1", "finetune", 1, 0.3);
        RunFolder old = RunFixture.run(runs, "old1", "finetune", 2, 0.3);
        Files.delete(old.dir().resolve(RunFolder.BENCHMARK));
        SiteData data = Summarizer.summarize(runs, List.of(), Map.of("demo", RunFixture.SPEC));
        assertThat(data.runs()).hasSize(1);
        assertThat(data.skipped()).singleElement().satisfies(s -> {
            assertThat(s.folder()).isEqualTo("old1");
            assertThat(s.reason()).contains("no benchmark.json").contains("run-folder format " + RunFolder.FORMAT_VERSION);
        });
    }

    private static String row(String home, String method) {
        Matcher m = Pattern.compile("<tr data-verified=\"(?:true|false)\" data-method=\"" + method + "\">.*?</tr>",
                Pattern.DOTALL).matcher(home);
        assertThat(m.find()).as("a row of %s", method).isTrue();
        return m.group();
    }
}
