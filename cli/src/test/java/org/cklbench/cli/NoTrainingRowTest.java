package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/**
 * The no-training row is a run like any other: the base evaluated at every stage, its summary
 * computed from its own evaluations (never typed in), shown on the leaderboard with intervals, and
 * the rows that differ from Finetune marked.
 */
class NoTrainingRowTest {
    @TempDir
    Path tmp;

    @Test
    void theBaseModelIsEvaluatedAtEveryStageAndShownAsARow() throws Exception {
        Path runs = tmp.resolve("runs");
        for (String method : List.of("none", "finetune")) {
            for (String seed : List.of("1", "2")) {
                Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--method", method, "--preset", "smoke", "--seed", seed,
                        "--threads", "2", "--out", runs.toString());
                assertThat(r.code()).as(r.err()).isZero();
            }
        }
        ObjectMapper json = new ObjectMapper();
        Path none = Cli.onlyRunMatching(runs, "lama-ckl_none_smoke_s1");
        List<JsonNode> lines = Files.readAllLines(none.resolve("metrics.jsonl")).stream().map(l -> {
            try {
                return json.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertThat(lines).hasSize(5);
        for (JsonNode l : lines) {
            assertThat(l.get("train_loss").isNull()).isTrue();
            assertThat(l.get("to_learn_acc").asDouble()).isEqualTo(lines.get(0).get("to_learn_acc").asDouble());
            assertThat(l.get("not_to_forget_nll").asDouble()).isEqualTo(lines.get(0).get("not_to_forget_nll").asDouble());
        }
        JsonNode summary = json.readTree(none.resolve("summary.json").toFile());
        // To-Learn facts are those the base does not answer; Not-To-Forget those it does
        assertThat(summary.get("top_acc").asDouble()).isZero();
        assertThat(summary.get("nf_acc").asDouble()).isEqualTo(lines.get(0).get("not_to_forget_acc").asDouble());
        assertThat(none.resolve("bootstrap.json")).exists();

        Cli.Run site = ckl("site", "build", "--runs", runs.toString(), "--out", tmp.resolve("site").toString());
        assertThat(site.code()).as(site.err()).isZero();
        JsonNode board = json.readTree(tmp.resolve("site/site-data.json").toFile()).get("leaderboards").get(0);
        assertThat(board.get("reference").asText()).isEqualTo("finetune");
        JsonNode row = null;
        for (JsonNode r : board.get("rows")) {
            if (r.get("method").asText().equals("none")) {
                row = r;
            }
        }
        assertThat(row).as("a no-training row").isNotNull();
        assertThat(row.get("n").asInt()).isEqualTo(2);
        JsonNode nf = row.at("/values/nf_acc");
        assertThat(nf.get("lo").asDouble()).isLessThanOrEqualTo(nf.get("mean").asDouble());
        assertThat(nf.get("hi").asDouble()).isGreaterThanOrEqualTo(nf.get("mean").asDouble());
        assertThat(nf.has("diff_lo") && nf.has("diff_hi")).as("compared with finetune, paired").isTrue();
        assertThat(nf.get("paired_seeds").asInt()).as("paired on seeds 1 and 2").isEqualTo(2);
        assertThat(nf.get("p_adjusted").asDouble()).isGreaterThanOrEqualTo(nf.get("p").asDouble());
        assertThat(board.get("reference_row").asBoolean()).isTrue();
        assertThat(board.get("weights").asText()).matches("[0-9a-f]{64}");
        // on the page: the no-training row of the board, its two seeds, each value's interval, and the marks the model gives
        String html = SiteTest.boardRow(Files.readString(tmp.resolve("site/index.html")), board.get("anchor").asText(), "none");
        assertThat(html).contains("<a href=\"methods/none.html\">none</a>").contains("<td data-value=\"2\">")
                .contains(">1</a>").contains(">2</a>");
        assertThat(html.split("<span\\s+class=\"ci\">\\[", -1)).as("an interval under each value").hasSize(board.get("columns").size() + 1);
        assertThat(SiteTest.marksOf(html)).as("the marks the model gives, none where it gives none")
                .isEqualTo(SiteTest.expectedMarks(board, row));
        assertThat(html).as("the floor is never best").doesNotContain("class=\"best\"");
    }
}
