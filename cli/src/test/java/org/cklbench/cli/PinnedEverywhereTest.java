package org.cklbench.cli;

import org.cklbench.io.ArithmeticPin;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pinned values live in ArithmeticPin; the launcher script and the test JVMs' configuration repeat
 * them (they must be set before Java starts), and must repeat them exactly.
 */
class PinnedEverywhereTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theLauncherScriptExportsThePinnedValues() throws Exception {
        String script = Files.readString(ROOT.resolve("ckl"));
        Map<String, String> exported = new LinkedHashMap<>();
        Matcher m = Pattern.compile("([A-Z_]+)=(\\S+)").matcher(script.substring(script.indexOf("CKL_UNPINNED:-"),
                script.indexOf("\nfi\n", script.indexOf("CKL_UNPINNED:-"))));
        while (m.find()) {
            exported.put(m.group(1), m.group(2));
        }
        Map<String, String> expected = ArithmeticPin.apply(new LinkedHashMap<>());
        assertThat(exported).isEqualTo(expected);
        for (String gone : ArithmeticPin.removed()) {
            assertThat(script).contains("unset " + gone);
        }
    }

    @Test
    void theTestJvmsArePinnedWithTheSameValues() throws Exception {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        ArithmeticPin.apply(new LinkedHashMap<>()).forEach((k, v) -> assertThat(pom).contains("<" + k + ">" + v + "</" + k + ">"));
        assertThat(ArithmeticPin.inForce()).as("surefire's environmentVariables pin this JVM").isTrue();
    }
}
