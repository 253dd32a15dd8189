package org.cklbench.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/**
 * ckl quickstart on a small grid of its own: the same path as the embedded plan (inputs, workers, site,
 * tables), and a second call reuses the runs complete before it and prints the same tables.
 */
class QuickstartGridTest {
    @TempDir
    Path tmp;

    @Test
    void runsTheGridBuildsTheSiteAndReusesWhatIsComplete() throws Exception {
        Path grid = Files.writeString(tmp.resolve("grid.json"), """
                {"benchmark": "lama-ckl", "preset": "smoke", "seed": [1, 2],
                 "grids": [{"method": "finetune"}, {"method": "none", "cost": 0.3}]}""");
        String[] args = {"quickstart", "--grid", grid.toString(), "--out", tmp.resolve("q").toString(), "--workers", "2",
            "--no-screenshot"};
        Cli.Run first = quickstart(args);
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.err()).contains("0 of 4 runs complete already (reused), 4 to do, 2 at once");
        assertThat(first.out()).contains("lama-ckl · preset smoke").containsPattern("(?m)^finetune ").containsPattern("(?m)^none ");
        assertThat(tmp.resolve("q/site/index.html")).exists();

        Cli.Run again = quickstart(args);
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.err()).contains("4 of 4 runs complete already (reused), nothing to run");
        assertThat(tables(again.out())).isEqualTo(tables(first.out()));
    }

    /** ckl with System.err caught too: the quickstart's own lines go there, as the runs' progress does. */
    private static Cli.Run quickstart(String... args) {
        java.io.PrintStream old = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Cli.Run r;
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            r = ckl(args);
        } finally {
            System.setErr(old);
        }
        return new Cli.Run(r.code(), r.out(), r.err() + err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** What the quickstart prints but the path of the site. */
    private static String tables(String out) {
        return out.lines().filter(l -> !l.startsWith("Open ")).reduce("", (a, b) -> a + b + "\n");
    }
}
