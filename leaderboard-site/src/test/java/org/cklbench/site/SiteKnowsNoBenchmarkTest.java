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
 * site names a benchmark, its splits, its periods or a paper's method.
 */
class SiteKnowsNoBenchmarkTest {
    private static final List<String> NAMES = List.of("lama", "temporalwiki", "twiki", "to-learn", "not-to-forget",
            "0910", "1011", "1112", "top acc", "taalm", "llama2", "tinyllama");

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
            }
        }
        assertThat(found).isEmpty();
    }
}
