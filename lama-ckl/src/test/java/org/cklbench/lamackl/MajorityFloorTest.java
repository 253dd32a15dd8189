package org.cklbench.lamackl;

import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.engine.tokenizer.WordLevelTokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MajorityFloorTest {
    @TempDir
    Path tmp;

    private static LamaCklRow row(String relation, String subject, String template, String object) {
        String task = template.replace("[X]", subject).replace("[Y]", object);
        return new LamaCklRow(relation, relation + "-" + subject, task, task, subject, relation, object, "", task,
                0.5, task.length(), false, null);
    }

    @Test
    void scoresTheCommonestObjectOfEachRelationPerTokenAsTheEvaluatorDoes() throws Exception {
        List<LamaCklRow> rows = List.of(
                // P108: "Sipo Group" twice, "Lano Group" once, "Mira" once
                row("P108", "Ada", "[X] works for [Y] .", "Sipo Group"),
                row("P108", "Ben", "[X] works for [Y] .", "Sipo Group"),
                row("P108", "Cy", "[X] works for [Y] .", "Lano Group"),
                row("P108", "Di", "[X] works for [Y] .", "Mira"),
                // P551: a tie between Oslo and Bergen, broken by string order (Bergen)
                row("P551", "Ed", "[X] lives in [Y] .", "Oslo"),
                row("P551", "Flo", "[X] lives in [Y] .", "Bergen"));
        List<String> texts = new ArrayList<>();
        rows.forEach(r -> texts.add(r.taskDescriptive()));
        WordLevelTokenizers.write(tmp, texts);
        try (TextTokenizer tok = TextTokenizer.load(tmp)) {
            assertThat(MajorityFloor.majorityObjects(rows)).isEqualTo(Map.of("P108", "Sipo Group", "P551", "Bergen"));
            // 1 + 1 + 1/2 (Group) + 0 (one token, guess's first word differs) + 0 + 1, over 6 probes
            assertThat(MajorityFloor.of(rows, "descriptive", tok)).isCloseTo(3.5 / 6, within(1e-12));
        }
    }

    @Test
    void aShorterOrLongerGuessEarnsOnlyTheTokensItShares() {
        assertThat(MajorityFloor.tokenAccuracy(new long[] {5}, new long[] {5, 6})).isEqualTo(0.5);
        assertThat(MajorityFloor.tokenAccuracy(new long[] {5, 6, 7}, new long[] {5})).isEqualTo(1.0);
        assertThat(MajorityFloor.tokenAccuracy(new long[] {6, 5}, new long[] {5, 6})).isEqualTo(0.0);
    }
}
