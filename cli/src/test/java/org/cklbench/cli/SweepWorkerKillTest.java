package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.core.train.CheckpointStore;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;

/**
 * A local sweep's worker stopped part-way through a run, and the sweep run again: the run resumes and
 * ends with the metrics of an uninterrupted one. SIGTERM is sent to {@code ckl sweep} itself (Ctrl-C, a
 * cluster's stop), which must pass it on so that the worker checkpoints the step it is on; SIGKILL goes
 * to the worker (a crash, the out-of-memory killer), which leaves the last periodic checkpoint, and
 * another worker takes its place for the run it had not claimed yet. SIGKILL to {@code ckl sweep} leaves its
 * worker orphaned: it finishes the run it holds and takes no other.
 */
class SweepWorkerKillTest {
    @TempDir
    Path tmp;

    private static final String GRID = """
            {"benchmark": "lama-ckl", "method": "finetune", "preset": "smoke", "threads": 1, "seed": %s,
             "set": {"epochs": 5, "batch_size": 1}}""";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SIGTERM to ckl sweep", "SIGKILL to the worker", "SIGKILL to ckl sweep"})
    void aStoppedWorkersRunResumesToTheMetricsOfAnUninterruptedOne(String how) throws Exception {
        boolean sigterm = how.startsWith("SIGTERM");
        boolean sweepKilled = how.equals("SIGKILL to ckl sweep");
        Cli.Run ref = ckl("run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke", "--threads", "1",
                "--set", "epochs=5", "--set", "batch_size=1", "--out", tmp.resolve("ref").toString());
        assertThat(ref.code()).as(ref.err()).isZero();
        Path refRun = Cli.onlyRun(tmp.resolve("ref"));
        Path grid = Files.writeString(tmp.resolve("grid.json"), GRID.formatted(sigterm ? "1" : "[1, 2]"));
        Path out = tmp.resolve("sweep");
        Path run = out.resolve(refRun.getFileName());

        Process sweep = Cli.start(tmp.resolve("sweep.txt"), "sweep", "--grid", grid.toString(), "--out", out.toString(),
                "--workers", "1");
        ProcessHandle worker = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline && sweep.isAlive()) {
            Path metrics = run.resolve("metrics.jsonl");
            if (Files.isRegularFile(metrics) && !Files.readAllLines(metrics).isEmpty()) {
                // one worker: the one process ckl sweep started
                List<ProcessHandle> children = sweep.children().toList();
                assertThat(children).hasSize(1);
                worker = children.get(0);
                if (sigterm) {
                    sweep.destroy();
                } else if (sweepKilled) {
                    sweep.destroyForcibly();
                } else {
                    worker.destroyForcibly();
                }
                break;
            }
            Thread.sleep(2);
        }
        assertThat(sweep.waitFor(60, TimeUnit.SECONDS)).as("ckl sweep ended").isTrue();
        assertThat(worker).as("the worker was stopped before its run finished (log: %s)",
                Files.readString(tmp.resolve("sweep.txt"))).isNotNull();
        if (sweepKilled) {
            // the orphaned worker finishes the run it holds, then takes no other from the queue
            assertThat(worker.onExit().get(180, TimeUnit.SECONDS).isAlive()).isFalse();
            assertThat(run.resolve("summary.json")).as("the run the worker held").exists();
            try (var runs = Files.list(out)) {
                assertThat(runs.filter(d -> !d.equals(run) && !d.getFileName().toString().startsWith(".")).toList())
                        .as("no run started after ckl sweep was gone").isEmpty();
            }
            Cli.Run again = ckl("sweep", "--grid", grid.toString(), "--out", out.toString(), "--workers", "1");
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(again.err()).contains("2 run(s): 1 done, 0 running, 0 queued, 1 to run");
            assertThat(Files.readString(run.resolve("metrics.jsonl"))).isEqualTo(Files.readString(refRun.resolve("metrics.jsonl")));
            return;
        }
        assertThat(worker.isAlive()).as("no worker outlives ckl sweep").isFalse();
        assertThat(run.resolve("summary.json")).doesNotExist();
        if (sigterm) {
            JsonNode at = new ObjectMapper().readTree(new CheckpointStore(run.resolve("checkpoint")).latest().orElseThrow()
                    .resolve("state.json").toFile()).get("extra");
            assertThat(at.path("step_in_stage").asLong()).as("the worker checkpointed the step it was on: %s", at)
                    .isPositive();
            assertThat(Files.readString(out.resolve(".sweep/logs/" + run.getFileName() + ".log"))).contains("stopped on request");
        } else {
            assertThat(sweep.exitValue()).as("the sweep reports the run it did not complete").isEqualTo(1);
            try (var runs = Files.list(out)) {
                assertThat(runs.filter(d -> Files.isRegularFile(d.resolve("summary.json"))).count())
                        .as("a worker in the killed one's place ran seed 2 (log: %s)", Files.readString(tmp.resolve("sweep.txt")))
                        .isEqualTo(1);
            }
        }

        Cli.Run again = ckl("sweep", "--grid", grid.toString(), "--out", out.toString(), "--workers", "1");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.err()).contains(sigterm ? "1 run(s): 0 done, 0 running, 0 queued, 1 to run"
                : "2 run(s): 1 done, 0 running, 0 queued, 1 to run");
        assertThat(Files.readString(run.resolve("metrics.jsonl"))).isEqualTo(Files.readString(refRun.resolve("metrics.jsonl")));
        assertThat(Files.readString(run.resolve("steps.jsonl"))).isEqualTo(Files.readString(refRun.resolve("steps.jsonl")));
    }
}
