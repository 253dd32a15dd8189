package org.cklbench.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ckl quickstart --profile}: the runs' timings.json added up by phase and by method. */
class QuickstartProfileTest {
    @TempDir
    Path tmp;

    private Path run(String name, String benchmark, String method, double prep, double train, double eval)
            throws Exception {
        Path d = Files.createDirectories(tmp.resolve("runs").resolve(name));
        Files.writeString(d.resolve("timings.json"), """
                {"benchmark": "%s", "method": "%s", "seed": 1, "wall_s": 99, "cpu_s": %s,
                 "phases": {"preparation": {"wall_s": 1, "cpu_s": %s, "count": 1},
                            "train": {"wall_s": 1, "cpu_s": %s, "count": 14},
                            "evaluate": {"wall_s": 1, "cpu_s": %s, "count": 15}}}
                """.formatted(benchmark, method, prep + train + eval, prep, train, eval));
        return d;
    }

    @Test
    void addsUpThePhasesAndTheMethodsAndNamesRunsWithoutTimings() throws Exception {
        List<Path> dirs = List.of(run("a", "lama-ckl", "taalm", 100, 20, 2), run("b", "lama-ckl", "finetune", 0, 12, 2),
                run("c", "lama-ckl", "finetune", 0, 14, 2), Files.createDirectories(tmp.resolve("runs/untimed")));
        QuickstartProfile.Clock clock = new QuickstartProfile.Clock();
        clock.mark("inputs: lama-ckl");
        String report = QuickstartProfile.report(clock, dirs, new org.cklbench.sweeps.SweepFolder(tmp.resolve("runs")));
        assertThat(report).contains("inputs: lama-ckl");
        assertThat(report).contains("3 runs timed, 1 without timings.json");
        assertThat(report).containsPattern("preparation\\s+100\\.0\\s+65\\.8%");
        assertThat(report).containsPattern("train\\s+46\\.0\\s+30\\.3%");
        assertThat(report).containsPattern("all runs\\s+152\\.0");
        // finetune: two runs, 14 and 16 CPU s: 15 per run, 13 of it training
        assertThat(report).containsPattern("lama-ckl finetune\\s+2\\s+15\\.0\\s+0\\.0\\s+0\\.0\\s+13\\.0\\s+2\\.0\\s+30\\.0");
        assertThat(report).containsPattern("lama-ckl taalm\\s+1\\s+122\\.0\\s+100\\.0");
    }
}
