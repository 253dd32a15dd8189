package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.core.io.Folders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
 * folder is resubmitted alone; an array task cancelled mid-run is resubmitted and ends with the
 * metrics of a run never interrupted.
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
    void aTaskCancelledMidRunIsResubmittedAndEndsWithTheSameMetrics() throws Exception {
        Path grid = tmp.resolve("long.json");
        Files.writeString(grid, """
                {"benchmark": "lama-ckl", "method": "finetune", "seed": [1, 2], "preset": "smoke", "threads": 1,
                 "set": {"epochs": 40, "batch_size": 1}}
                """);
        Path ref = tmp.resolve("reference");
        Cli.Run r = Cli.ckl("run", "--benchmark", "lama-ckl", "--method", "finetune", "--preset", "smoke", "--seed", "2",
                "--threads", "1", "--set", "epochs=40", "--set", "batch_size=1", "--out", ref.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String expected = Files.readString(Cli.onlyRun(ref).resolve("metrics.jsonl"));

        Path out = tmp.resolve("cancelled");
        Sweep submit = sweep("--grid", grid.toString(), "--out", out.toString(), "--executor", "slurm");
        assertThat(submit.code()).as(submit.log()).isZero();
        JsonNode sub = submissions(out).get(0);
        String victim = sub.get("tasks").get(1).asText();
        assertThat(victim).contains("_s2_");
        Path metrics = out.resolve(victim).resolve("metrics.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!(Files.exists(metrics) && Files.readAllLines(metrics).size() >= 3) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String task = sub.get("job").asText() + "_1";
        slurm.client("scancel", task);
        while (!slurm.client("squeue", "--noheader", "--array", "--format=%i").strip().lines().noneMatch(task::equals)
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(out.resolve(victim).resolve("summary.json")).as("cancelled before the end").doesNotExist();
        JsonNode at = JSON.readTree(out.resolve(victim).resolve("checkpoint/state.json").toFile()).get("extra");
        assertThat(at.get("step_in_epoch").asLong()).as("SIGTERM made a checkpoint at the step it was on: %s", at)
                .isPositive();

        Sweep status = sweep("status", "--out", out.toString(), "--json");
        JsonNode states = JSON.readTree(status.out()).get("runs");
        assertThat(states.get(1).get("state").asText()).as(status.log()).isEqualTo("failed");

        Sweep resubmit = sweep("--grid", grid.toString(), "--out", out.toString(), "--executor", "slurm", "--wait", "--poll", "1");
        assertThat(resubmit.code()).as(resubmit.log()).isZero();
        assertThat(submissions(out).get(1).get("tasks").toString()).as("only the cancelled run goes again")
                .isEqualTo("[\"" + victim + "\"]");
        assertThat(Files.readString(metrics)).isEqualTo(expected);
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
