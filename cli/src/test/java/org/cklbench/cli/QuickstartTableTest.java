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
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            QuickstartCommand.printLeaderboards(org.cklbench.site.SiteData.read(tmp));
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("lead").contains("0.6300").contains("Majority-answer floor (Top Acc): 0.1650");
    }
}
