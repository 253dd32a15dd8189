package org.cklbench.site;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Everything a benchmark shows comes from its own leaderboard spec: no source, template or asset of the
 * site names a benchmark, its splits, its periods, a paper's method or a method of the suite (the reference
 * and the no-training row are the spec's to name).
 */
class SiteKnowsNoBenchmarkTest {
    private static final List<String> NAMES = List.of("lama", "temporalwiki", "twiki", "to-learn", "not-to-forget",
            "0910", "1011", "1112", "top acc", "taalm", "llama2", "tinyllama");
    /** The suite's method ids as words ("lead" is in "leaderboard", "none" in CSS and prose: see {@link #LITERALS}). */
    private static final java.util.regex.Pattern METHODS = java.util.regex.Pattern.compile(
            "\\b(finetune|fine-tune|kadapter|k-adapter|recadam|mixreview|mix-review|rho1|rho-1|oracle|lead)\\b");
    /** The no-training method as a value: a string literal, or named in a page's text. */
    private static final List<String> LITERALS = List.of("\"none\"", "(none)", "'none')");

    @Test
    void noFileOfTheSiteNamesABenchmark() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src", "main"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f).toLowerCase(Locale.ROOT);
                for (String n : NAMES) {
                    if (text.contains(n)) {
                        found.add(f + ": " + n);
                    }
                }
                java.util.regex.Matcher m = METHODS.matcher(text);
                while (m.find()) {
                    found.add(f + ": " + m.group());
                }
                for (String n : LITERALS) {
                    if (text.contains(n)) {
                        found.add(f + ": " + n);
                    }
                }
            }
        }
        assertThat(found).isEmpty();
    }
}
