package org.cklbench.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The quickstart's terminal table carries each board's reference lines (LAMA-ckl's majority-answer floor). */
class QuickstartTableTest {
    @TempDir
    Path tmp;

    @Test
    void printsTheReferenceLinesUnderTheBoard() throws Exception {
        Path data = tmp.resolve("site-data.json");
        Files.writeString(data, """
                {"leaderboards": [{"benchmark": "lama-ckl", "preset": "quick", "model": "m", "reference": "finetune",
                  "columns": [{"key": "top_acc", "short_label": "Top Acc"}],
                  "rows": [{"method": "lead", "values": {"top_acc": {"text": "0.6300"}}}],
                  "reported": [],
                  "references": [{"key": "majority_floor", "label": "Majority-answer floor", "column": "top_acc",
                                  "column_label": "Top Acc", "value": 0.165, "text": "0.1650"}]}]}
                """);
        String out = printed();
        assertThat(out).contains("lead").contains("0.6300").contains("Majority-answer floor (Top Acc): 0.1650");
    }

    /** A reported row's label is never cut (it was "Mix-review (QLoRA*"); a bound of -0 is 0 where it is formatted (RunRecordsTest). */
    @Test
    void labelsAreWhole() throws Exception {
        Files.writeString(tmp.resolve("site-data.json"), """
                {"leaderboards": [{"benchmark": "lama-ckl", "preset": "quick", "model": "m", "reference": "finetune",
                  "columns": [{"key": "top_acc", "short_label": "Top Acc"}, {"key": "nf_acc", "short_label": "NF Acc"}],
                  "rows": [{"method": "finetune", "values": {"top_acc": {"text": "0", "interval": "[0, 3]"}}}],
                  "reported": [{"method": "mixreview", "label": "Mix-review (QLoRA)",
                                "values": {"top_acc": {"text": "12.5"}}}],
                  "references": []}]}
                """);
        String out = printed();
        assertThat(out).contains("Mix-review (QLoRA)* ").contains("[0, 3]");
        // the label column is as wide as its longest label: the values start in the same place on every line
        String[] lines = out.split("\\R");
        int head = java.util.Arrays.stream(lines).filter(l -> l.startsWith("method ")).findFirst().orElseThrow()
                .indexOf("Top Acc");
        int reported = java.util.Arrays.stream(lines).filter(l -> l.startsWith("Mix-review")).findFirst().orElseThrow()
                .indexOf("12.5");
        assertThat(reported + "12.5".length()).isEqualTo(head + "Top Acc".length());
    }

    /** A worlds/ folder without the quick world's finished base (a smoke run's, a stopped pretraining) is not reused. */
    @Test
    void aWorldsFolderAloneIsNotAReusedBase() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve("worlds").resolve("world-0123456789ab"));
        assertThat(QuickstartCommand.homeLine(home)).startsWith("first run: generating the world and pretraining");
        org.cklbench.datasets.world.WorldPreset quick = org.cklbench.datasets.world.WorldPreset.of("quick");
        Path base = Files.createDirectories(quick.baseDir(home));
        assertThat(QuickstartCommand.homeLine(home)).as("a stopped pretraining").startsWith("first run");
        Files.writeString(base.resolve("model.safetensors"), "x");
        assertThat(QuickstartCommand.homeLine(home)).startsWith("reusing what CKL_HOME already holds");
    }

    /** What the quickstart prints of the site data in {@code tmp}. */
    private String printed() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            QuickstartCommand.printLeaderboards(org.cklbench.site.SiteData.read(tmp));
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
