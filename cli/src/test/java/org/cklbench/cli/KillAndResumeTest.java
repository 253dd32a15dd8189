package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;
import static org.cklbench.cli.Cli.onlyRun;

/** A real run, killed with SIGKILL part-way and resumed, ends with the metrics of an uninterrupted one. */
class KillAndResumeTest {
    @TempDir
    Path tmp;

    private static final List<String> RUN = List.of("run", "--benchmark", "lama-ckl", "--method", "finetune",
            "--preset", "smoke", "--threads", "1", "--set", "epochs=5", "--set", "batch_size=1");

    private static final List<String> TWIKI = List.of("run", "--benchmark", "temporalwiki", "--method", "finetune",
            "--preset", "smoke", "--threads", "1", "--set", "batch_size=1", "--set", "checkpoint_every=3");

    @ParameterizedTest(name = "killed once metrics.jsonl has {0} line(s)")
    @ValueSource(ints = {1, 3})
    void resumedRunMatchesAnUninterruptedOne(int linesBeforeKill) throws Exception {
        killAndResume(RUN, linesBeforeKill, linesBeforeKill > 2, false);
    }

    /** SIGTERM (scancel, Slurm's time limit, Ctrl-C) is not a crash: the run checkpoints the step it is on. */
    @ParameterizedTest(name = "{0} stopped with SIGTERM resumes from the step it was on")
    @ValueSource(strings = {"lama-ckl", "temporalwiki"})
    void aSigtermCheckpointsTheStepItIsOn(String benchmark) throws Exception {
        killAndResume(benchmark.equals("lama-ckl") ? RUN : TWIKI, 1, true, true);
    }

    /** TemporalWiki checkpoints inside a period too: killed in period 2, it resumes inside it. */
    @ParameterizedTest(name = "TemporalWiki killed once metrics.jsonl has {0} line(s)")
    @ValueSource(ints = {1, 2})
    void temporalWikiResumesBetweenAndWithinPeriods(int linesBeforeKill) throws Exception {
        killAndResume(TWIKI, linesBeforeKill, true, false);
    }

    private void killAndResume(List<String> run, int linesBeforeKill, boolean expectCheckpoint, boolean sigterm)
            throws Exception {
        List<String> ref = new ArrayList<>(run);
        ref.addAll(List.of("--out", tmp.resolve("ref").toString()));
        assertThat(ckl(ref.toArray(String[]::new)).code()).isZero();
        String expected = Files.readString(onlyRun(tmp.resolve("ref")).resolve("metrics.jsonl"));
        String expectedSteps = Files.readString(onlyRun(tmp.resolve("ref")).resolve("steps.jsonl"));

        Path out = tmp.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dckl.home=" + Cli.HOME,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", Main.class.getName()));
        cmd.addAll(run);
        cmd.addAll(List.of("--out", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        boolean killed = false;
        while (System.nanoTime() < deadline && p.isAlive()) {
            Path metrics = Files.isDirectory(out) ? findMetrics(out) : null;
            if (metrics != null && Files.readAllLines(metrics).size() >= linesBeforeKill) {
                if (sigterm) {
                    p.destroy();
                } else {
                    p.destroyForcibly();
                }
                killed = true;
                break;
            }
            Thread.sleep(2);
        }
        p.waitFor(30, TimeUnit.SECONDS);
        assertThat(killed).as("the run was killed before it finished (log: %s)", Files.readString(tmp.resolve("log.txt")))
                .isTrue();
        Path folder = onlyRun(out);
        assertThat(folder.resolve("summary.json")).doesNotExist();
        if (expectCheckpoint) {
            assertThat(new org.cklbench.core.train.CheckpointStore(folder.resolve("checkpoint")).latest())
                    .as("resumes from a checkpoint").isPresent();
        }
        if (sigterm) {
            JsonNode at = new ObjectMapper().readTree(new org.cklbench.core.train.CheckpointStore(folder.resolve("checkpoint")).latest().orElseThrow().resolve("state.json").toFile()).get("extra");
            assertThat(at.path("step_in_stage").asLong())
                    .as("a checkpoint inside the epoch or period: %s", at).isPositive();
            assertThat(Files.readString(tmp.resolve("log.txt"))).contains("stopped on request");
        }

        List<String> resume = new ArrayList<>(run);
        resume.addAll(List.of("--out", out.toString(), "--resume"));
        Cli.Run r = ckl(resume.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(folder.resolve("metrics.jsonl"))).isEqualTo(expected);
        assertThat(Files.readString(folder.resolve("steps.jsonl"))).as("steps cut back to the checkpoint, then the rest")
                .isEqualTo(expectedSteps);
    }

    private static Path findMetrics(Path out) throws java.io.IOException {
        try (var s = Files.list(out)) {
            return s.map(d -> d.resolve("metrics.jsonl")).filter(Files::isRegularFile).findFirst().orElse(null);
        }
    }
}
