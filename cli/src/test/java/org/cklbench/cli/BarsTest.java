package org.cklbench.cli;

import me.tongfei.progressbar.ProgressBar;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BarsTest {
    @Test
    void plainLinesUnlessOnATerminalOrAskedForABar() {
        assertThat(Bars.lines(null, false)).isTrue();
        assertThat(Bars.lines(null, true)).isFalse();
        assertThat(Bars.lines("bar", false)).isFalse();
        assertThat(Bars.lines("lines", true)).isTrue();
    }

    /** A quickstart once left 145 KB of carriage-return frames in a log; now a few whole lines. */
    @Test
    void outsideATerminalProgressIsFewPlainLines() {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        try (ProgressBar bar = Bars.bar("epoch 1/4", 10_000, "step", Bars.LINE_INTERVAL_MS, lines::add)) {
            for (int i = 0; i < 10_000; i++) {
                bar.step();
            }
        }
        assertThat(lines).isNotEmpty().hasSizeLessThanOrEqualTo(2).doesNotHaveDuplicates();
        assertThat(String.join("\n", lines)).doesNotContain("\r").contains("epoch 1/4").contains("10000/10000");
    }
}
