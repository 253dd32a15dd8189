package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.io.Folders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ckl sweep --executor slurm against a real single-node Slurm on loopback: a 2 methods x 2 seeds
 * smoke grid as a job array with the site build after it; a re-run submits nothing; a deleted run
 * folder is resubmitted alone; an array task requeued by Slurm mid-run resumes from its checkpoint,
 * one cancelled mid-run is resubmitted, and both end with the metrics of runs never interrupted.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class SlurmSweepTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static LocalSlurm slurm;

    @BeforeAll
    static void startSlurm() throws Exception {
        Assumptions.assumeTrue(LocalSlurm.installed(),
                "skipped: Slurm is not installed (apt-get install slurm-wlm; .ci/run does)");
        slurm = LocalSlurm.start(tmp.resolve("slurm"));
    }

    @AfterAll
    static void stopSlurm() throws Exception {
        if (slurm != null) {
            slurm.close();
        }
    }

    @Test
    void gridRunsAsAJobArrayAndOnlyMissingRunsAreResubmitted() throws Exception {
        Path grid = tmp.resolve("grid.json");
        Files.writeString(grid, """
                {"benchmark": "lama-ckl", "method": ["finetune", "kadapter"], "seed": [1, 2], "preset": "smoke",
                 "threads": 1, "slurm": {"cpus": 1, "throttle": 2}}
                """);
        Path out = tmp.resolve("sweep");
        Sweep first = sweep("--grid", grid.toString(), "--out", out.toString(), "--executor", "slurm", "--wait", "--poll", "1");
        assertThat(first.code()).as(first.log()).isZero();
        List<String> ids = runIds(out);
        assertThat(ids).hasSize(4);
        for (String id : ids) {
            assertThat(out.resolve(id).resolve("summary.json")).as(first.log()).exists();
            assertThat(out.resolve("site/runs/" + id + ".html")).as("the site lists %s", id).exists();
        }
        assertThat(submissions(out)).hasSize(1);
        assertThat(submissions(out).get(0).get("tasks")).hasSize(4);

        Sweep again = sweep("--grid", grid.toString(), "--out", out.toString(), "--executor", "slurm");
        assertThat(again.code()).as(again.log()).isZero();
        assertThat(again.log()).contains("nothing to submit");
        assertThat(submissions(out)).as("a re-run submits nothing").hasSize(1);

        String deleted = ids.get(1);
        String metrics = Files.readString(out.resolve(deleted).resolve("metrics.jsonl"));
        Folders.deleteTree(out.resolve(deleted));
        Sweep redo = sweep("--grid", grid.toString(), "--out", out.toString(), "--executor", "slurm", "--wait", "--poll", "1");
        assertThat(redo.code()).as(redo.log()).isZero();
        assertThat(submissions(out)).hasSize(2);
        assertThat(submissions(out).get(1).get("tasks").toString()).isEqualTo("[\"" + deleted + "\"]");
        assertThat(Files.readString(out.resolve(deleted).resolve("metrics.jsonl"))).isEqualTo(metrics);
    }

    @Test
    void tasksRequeuedOrCancelledMidRunEndWithTheMetricsOfAnUninterruptedRun() throws Exception {
        Path grid = tmp.resolve("long.json");
        Files.writeString(grid, """
                {"benchmark": "lama-ckl", "method": "finetune", "seed": [1, 2], "preset": "smoke", "threads": 1,
                 "set": {"epochs": 40, "batch_size": 1}}
                """);
        String[] expected = {reference(1), reference(2)};

        Path out = tmp.resolve("interrupted");
        Sweep submit = sweep("--grid", grid.toString(), "--out", out.toString(), "--executor", "slurm");
        assertThat(submit.code()).as(submit.log()).isZero();
        JsonNode sub = submissions(out).get(0);
        String requeued = sub.get("tasks").get(0).asText();
        String victim = sub.get("tasks").get(1).asText();
        assertThat(requeued).contains("_s1_");
        assertThat(victim).contains("_s2_");
        Path requeuedMetrics = out.resolve(requeued).resolve("metrics.jsonl");
        Path metrics = out.resolve(victim).resolve("metrics.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!(lines(requeuedMetrics) >= 3 && lines(metrics) >= 3) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String job = sub.get("job").asText();
        String task = job + "_1";
        Sweep running = sweep("status", "--out", out.toString(), "--json");
        JsonNode row = JSON.readTree(running.out()).get("runs").get(1);
        assertThat(row.get("state").asText()).as(running.log()).isEqualTo("running");
        assertThat(row.get("detail").asText()).contains("job " + task + " RUNNING");

        // as on node failure or preemption: Slurm sends SIGTERM and queues the same task again
        slurm.client("scontrol", "requeue", job + "_0");
        slurm.client("scancel", task);
        while (!slurm.client("squeue", "--noheader", "--array", "--format=%i").strip().lines().noneMatch(task::equals)
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        releaseRequeued(job + "_0", deadline);
        assertThat(out.resolve(victim).resolve("summary.json")).as("cancelled before the end").doesNotExist();
        JsonNode at = JSON.readTree(new org.cklbench.core.train.CheckpointStore(out.resolve(victim).resolve("checkpoint")).latest().orElseThrow().resolve("state.json").toFile()).get("extra");
        assertThat(at.get("step_in_stage").asLong()).as("SIGTERM made a checkpoint at the step it was on: %s", at)
                .isPositive();

        Sweep status = sweep("status", "--out", out.toString(), "--json");
        JsonNode states = JSON.readTree(status.out()).get("runs");
        assertThat(states.get(1).get("state").asText()).as(status.log()).isEqualTo("failed");

        Sweep resubmit = sweep("--grid", grid.toString(), "--out", out.toString(), "--executor", "slurm", "--wait", "--poll", "1");
        assertThat(resubmit.code()).as(resubmit.log()).isZero();
        assertThat(submissions(out).get(1).get("tasks").toString())
                .as("only the cancelled run goes again; the requeued one is Slurm's to finish: %s", resubmit.log())
                .isEqualTo("[\"" + victim + "\"]");
        assertThat(Files.readString(metrics)).isEqualTo(expected[1]);

        while (!Files.exists(out.resolve(requeued).resolve("summary.json")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        String log = Files.readString(out.resolve(".sweep/logs/" + job + "_0.out"));
        assertThat(log).as("the requeued task stopped with a checkpoint and started again")
                .contains("stopped on request").contains("(restart 1)");
        assertThat(log.substring(log.indexOf("(restart 1)"))).as("it resumed rather than starting over")
                .doesNotContain("epoch 1/40 ");
        assertThat(Files.readString(requeuedMetrics)).as(log).isEqualTo(expected[0]);
    }

    /**
     * Slurm holds a requeued task back for about two minutes (its begin time); the test cluster lets
     * it start now, once it is pending again rather than still completing.
     */
    /**
     * Slurm holds a requeued task for about two minutes; the test brings its start forward, but not to
     * "now": slurmd revokes the killed incarnation's credentials to the second, so a relaunch within the
     * same second is refused ("already killed, do not launch batch job") and the task ends as failed.
     */
    private static void releaseRequeued(String task, long deadline) throws Exception {
        boolean released = false;
        while (System.nanoTime() < deadline) {
            String state = slurm.client("squeue", "--noheader", "--array", "--jobs=" + task.split("_")[0],
                    "--format=%i|%T").strip().lines().filter(l -> l.startsWith(task + "|")).findFirst().orElse("");
            if (state.endsWith("|PENDING") && !released) {
                try {
                    slurm.client("scontrol", "update", "JobId=" + task, "StartTime=now+3");
                    released = true;
                } catch (IOException raced) {
                    // it started between the two calls
                }
            } else if (!state.endsWith("|COMPLETING") && !state.endsWith("|PENDING") && !state.isEmpty()) {
                return;
            }
            Thread.sleep(200);
        }
    }

    /** metrics.jsonl of the same run in this process, never interrupted. */
    private static String reference(int seed) throws Exception {
        Path ref = tmp.resolve("reference-" + seed);
        Cli.Run r = Cli.ckl("run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke",
                "--seed", Integer.toString(seed), "--threads", "1", "--set", "epochs=40", "--set", "batch_size=1",
                "--out", ref.toString());
        assertThat(r.code()).as(r.err()).isZero();
        return Files.readString(Cli.onlyRun(ref).resolve("metrics.jsonl"));
    }

    private static long lines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }

    record Sweep(int code, String out, String err) {
        String log() {
            return out + err;
        }
    }

    /** ckl in its own process, as on a login node: Slurm's clients find the test cluster through SLURM_CONF. */
    private static Sweep sweep(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dckl.home=" + Cli.HOME, Main.class.getName(), "sweep"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(slurm.env());
        pb.environment().remove("CKL_LAUNCHER");
        Path stdout = Files.createTempFile(tmp, "sweep", ".out");
        Path stderr = Files.createTempFile(tmp, "sweep", ".err");
        Process p = pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("ckl sweep ended").isTrue();
        return new Sweep(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8) + slurm.logs());
    }

    private static List<String> runIds(Path out) throws Exception {
        List<String> ids = new ArrayList<>();
        JSON.readTree(out.resolve(".sweep/runs.json").toFile()).forEach(n -> ids.add(n.get("id").asText()));
        return ids;
    }

    private static List<JsonNode> submissions(Path out) throws Exception {
        List<JsonNode> subs = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(".sweep/submissions.jsonl"))) {
            subs.add(JSON.readTree(line));
        }
        return subs;
    }
}
