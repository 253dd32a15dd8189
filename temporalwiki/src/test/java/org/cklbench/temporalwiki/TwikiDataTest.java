package org.cklbench.temporalwiki;

import org.cklbench.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TwikiDataTest {
    @TempDir
    Path tmp;

    @Test
    void theReleasedProbesReadWhole() throws Exception {
        Path dir = Shared.require("data/temporalwiki/probes");
        int[][] want = {{1732, 7090}, {1108, 7063}, {1701, 7043}};
        int total = 0;
        for (Period p : Period.ALL) {
            List<TwikiProbe> c = TwikiProbe.read(p.probeFile(dir, true));
            List<TwikiProbe> u = TwikiProbe.read(p.probeFile(dir, false));
            assertThat(c).as("%s changed", p.name()).hasSize(want[p.index()][0]);
            assertThat(u).as("%s unchanged", p.name()).hasSize(want[p.index()][1]);
            total += c.size() + u.size();
        }
        assertThat(total).isEqualTo(25737);
        TwikiProbe first = TwikiProbe.read(Period.ALL.get(0).probeFile(dir, true)).get(0);
        assertThat(first.sentence()).isEqualTo(
                "Guess the object. \n  subject is The Witches of Eastwick , relation is character role , object is devil");
    }

    @Test
    void csvProbesReadByHeaderAndABrokenRowIsNamed() throws Exception {
        Files.writeString(tmp.resolve("0901-1001_changed.csv"),
                "subject,relation,object\nAda,employer,\"Hale, Group\"\nBo,member of,Club\n");
        List<TwikiProbe> ps = TwikiProbe.read(tmp.resolve("0901-1001_changed.csv"));
        assertThat(ps).containsExactly(new TwikiProbe("Ada", "employer", "Hale, Group"), new TwikiProbe("Bo", "member of", "Club"));
        Files.writeString(tmp.resolve("bad.csv"), "subject,relation,object\nAda,employer\n");
        assertThatThrownBy(() -> TwikiProbe.read(tmp.resolve("bad.csv"))).hasMessageContaining("bad.csv:2");
    }

    @Test
    void theDiffsetFilterOfTheReference() {
        assertThat(Diffsets.keep("short line")).isFalse();
        assertThat(Diffsets.keep("nan")).isFalse();
        assertThat(Diffsets.keep("The bridge over the river was rebuilt in the spring of that year.")).isTrue();
        assertThat(Diffsets.keep("| 1990 | 2.3 | 4.5 | 6.7 | 8.9 | 10.1 | 12.3 | 14.5 | 16.7 | 18.9 | 20.1 |")).isFalse();
        assertThat(Diffsets.keep("  " + "x".repeat(49) + "  ")).isFalse();
        assertThat(Diffsets.keep("x".repeat(50))).isTrue();
    }

    /** Once "Input length = 1", naming neither file nor place. */
    @Test
    void csvBytesThatAreNotUtf8NameTheFile() throws Exception {
        Path f = tmp.resolve("0901-1001_changed.csv");
        Files.write(f, "subject,relation,object\nCaf\u00e9,owner,Bo\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> TwikiProbe.read(f)).hasMessageContaining(f.toString())
                .hasMessageContaining("not UTF-8");
        Path d = tmp.resolve("0901-1001.csv");
        Files.write(d, "text\nna\u00efve\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Diffsets.read(d)).hasMessageContaining(d.toString()).hasMessageContaining("not UTF-8");
    }
}
