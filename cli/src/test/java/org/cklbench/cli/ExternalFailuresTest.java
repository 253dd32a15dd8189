package org.cklbench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cklbench.cli.Cli.ckl;
import static org.cklbench.cli.ExternalMethodTest.external;
import static org.cklbench.cli.ExternalMethodTest.script;

/**
 * Each way an external method can fail is an error that names the stage and loses nothing of the run
 * folder (the evaluation before training stays, and --resume runs the stage again from scratch).
 */
class ExternalFailuresTest {
    /** The no-op's first lines, then {@code then} (shell) to spoil what it wrote. */
    static String noopThen(String then) {
        return ExternalMethodTest.NOOP + then + "\n";
    }

    @TempDir
    Path tmp;

    /** Runs {@code body} as the method and checks the failure names stage 1 and contains every one of {@code says}. */
    private Path failsAtStageOne(String body, List<String> extra, String... says) throws Exception {
        Path m = script(tmp, "method.sh", body);
        Path runs = tmp.resolve("runs");
        Cli.Run r = external(runs, m.toString(), extra.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isNotZero();
        assertThat(r.err()).contains("external method, stage 1 (epoch 1/4)").contains("Nothing of the run folder is lost")
                .doesNotContain("\u001b").doesNotContain("\\u000a");
        for (String s : says) {
            assertThat(r.err()).contains(s);
        }
        Path run = Cli.onlyRun(runs);
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).as("the evaluation before training is kept").hasSize(1);
        assertThat(run.resolve("run.json")).exists();
        return run;
    }

    /** The tail keeps its lines (as a Python traceback reads), while a terminal escape in it stays escaped. */
    @Test
    void aNonZeroExitShowsTheTailOfStandardError() throws Exception {
        failsAtStageOne("#!/bin/sh\necho 'Traceback: something broke' >&2\nprintf 'line two \\033]52;c;aGk=\\007\\n' >&2\nexit 3\n",
                List.of(), "exited with status 3", "\n    | Traceback: something broke\n    | line two \\u001b]52");
        Path runs = tmp.resolve("runs");
        assertThat(Files.readString(Cli.onlyRun(runs).resolve("external/stage-001/stderr.log"))).contains("\u001b");
    }

    @Test
    void aStagePastItsTimeLimitIsKilledWithItsChildren() throws Exception {
        Path pid = tmp.resolve("child.pid");
        failsAtStageOne("#!/bin/sh\nsleep 60 &\necho $! > " + pid + "\nwait\n", List.of("--param", "timeout=2"),
                "time limit of 2 s");
        Path stat = Path.of("/proc", Files.readString(pid).trim(), "stat");
        // killed: gone, or a zombie its new parent has not reaped yet (state Z, after the name in parentheses)
        boolean dead = false;
        for (int i = 0; i < 50 && !dead; i++) {
            try {
                dead = Files.readString(stat).replaceFirst("^.*\\) ", "").startsWith("Z");
            } catch (java.io.IOException gone) {
                dead = true;
            }
            if (!dead) {
                Thread.sleep(100); // SIGKILL is delivered, not waited for
            }
        }
        assertThat(dead).as("the child was killed").isTrue();
    }

    @Test
    void aMissingAdapterIsRefused() throws Exception {
        failsAtStageOne("#!/bin/sh\nexit 0\n", List.of(), "has no adapter_config.json");
    }

    @Test
    void aMalformedConfigIsRefused() throws Exception {
        failsAtStageOne(noopThen("echo '{' > \"$(field adapter_out)\"/adapter_config.json"), List.of(),
                "adapter_config.json is malformed");
    }

    @Test
    void anotherRankIsRefused() throws Exception {
        failsAtStageOne(noopThen("sed -i 's/\"r\" : 4/\"r\" : 2/' \"$(field adapter_out)\"/adapter_config.json"), List.of(),
                "has r=2", "r=4");
    }

    @Test
    void aSymbolicLinkInTheAdapterIsRefused() throws Exception {
        failsAtStageOne(noopThen("ln -s /etc/passwd \"$(field adapter_out)\"/extra"), List.of(), "is a symbolic link");
    }

    @Test
    void anExtraFileInTheAdapterIsRefused() throws Exception {
        failsAtStageOne(noopThen("echo x > \"$(field adapter_out)\"/optimizer.pt"), List.of(), "optimizer.pt",
                "keep anything else in state_out");
    }

    @Test
    void writingElsewhereInTheRunFolderIsRefused() throws Exception {
        failsAtStageOne(noopThen("echo x > \"$(dirname \"$req\")\"/../../metrics-of-my-own.jsonl"), List.of(),
                "changed the run folder outside adapter_out and state_out", "metrics-of-my-own.jsonl was created");
    }

    @Test
    void rewritingARunFileInPlaceWithItsTimePutBackIsRefused() throws Exception {
        // same size, same modification time, same inode: only the change time tells
        failsAtStageOne(noopThen("""
                f="$(dirname "$req")"/../../metrics.jsonl
                t=$(stat -c %y "$f")
                printf '[' | dd of="$f" bs=1 count=1 conv=notrunc 2>/dev/null
                touch -d "$t" "$f"
                """), List.of(), "metrics.jsonl was changed");
    }

    @Test
    void aStateFolderReplacedByALinkIntoTheRunIsRefused() throws Exception {
        // the next stage would get the run folder as its state_in
        failsAtStageOne(noopThen("s=\"$(field state_out)\"; rm -r \"$s\"; ln -s ../.. \"$s\""), List.of(),
                "state_out", "is a symbolic link");
    }

    @Test
    void touchingTheBaseModelIsRefused() throws Exception {
        // chmod to the mode it has: a change of nothing but its change time, harmless to the model other tests share
        failsAtStageOne(noopThen("chmod u+r \"$(field base_model)\"/config.json"), List.of(),
                "changed the base model folder", "config.json was changed");
    }

    @Test
    void touchingTheBaseModelBehindItsLinksIsRefused() throws Exception {
        // a Hugging Face cache's snapshot folder holds links to the blobs that hold the weights: the base model
        // given as such a folder, here of links to the smoke model's files
        Path where = tmp.resolve("base_model.txt");
        Path first = script(tmp, "where.sh", noopThen("echo \"$(field base_model)\" > " + where + "; exit 1"));
        assertThat(external(tmp.resolve("first"), first.toString()).code()).isNotZero();
        Path real = Path.of(Files.readString(where).strip()).toRealPath();
        Path snapshot = Files.createDirectories(tmp.resolve("models--tiny/snapshots/abc"));
        try (var files = Files.list(real)) {
            for (Path f : files.toList()) {
                Files.createSymbolicLink(snapshot.resolve(f.getFileName()), f);
            }
        }
        // chmod to the mode it has, through the link: a change of nothing but the real file's change time
        failsAtStageOne(noopThen("chmod u+r \"$(readlink -f \"$(field base_model)\"/config.json)\""),
                List.of("--model", snapshot.toString()), "changed the base model folder", "config.json was changed");
    }

    @Test
    void anOversizedResultIsRefused() throws Exception {
        failsAtStageOne(noopThen("head -c 2000000 /dev/zero | tr '\\0' ' ' > \"$(field result)\"; echo '{}' >> \"$(field result)\""),
                List.of(), "result.json holds 2000003 bytes, more than the 1048576");
    }

    @Test
    void aMethodThatRewritesItsOwnListedScriptIsRefused() throws Exception {
        // the run records the script's SHA-256: later stages would run code other than the recorded one
        Path plugins = Files.createDirectories(tmp.resolve("plugins"));
        Path self = script(plugins, "self.sh", noopThen("echo '# rewritten' >> \"$0\""));
        Files.writeString(plugins.resolve("self.external.json"), "{\"id\": \"self\", \"command\": [\"./self.sh\"],"
                + " \"files\": [\"self.sh\"]}");
        Cli.Run r = ckl("run", "--benchmark", "lama-ckl", "--preset", "smoke", "--method", "self", "--plugins",
                plugins.toString(), "--out", tmp.resolve("runs").toString());
        assertThat(r.code()).as(r.err()).isNotZero();
        assertThat(r.err()).contains("external method, stage 1 (epoch 1/4)")
                .contains("changed files its declaration lists").contains("self.sh was changed");
        assertThat(self).exists();
    }

    @Test
    void aProcessAStageLeavesRunningIsKilledBeforeItWritesIntoTheRun() throws Exception {
        Path pids = tmp.resolve("writers.pid");
        // forks twice (out of the method's process tree), waits for the stage to be accepted, then writes into the run
        Path m = script(tmp, "method.sh", noopThen("sh -c '(sleep 1; while :; do echo x >> \"$0\"/late.txt; sleep 0.1; done)"
                + " </dev/null >/dev/null 2>&1 & echo $! >> " + pids + "' \"$(dirname \"$req\")/../..\""));
        Path runs = tmp.resolve("runs");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        Cli.Run r;
        try {
            System.setErr(new java.io.PrintStream(err, true));
            r = external(runs, m.toString());
        } finally {
            System.setErr(old);
        }
        List<String> writers = Files.readAllLines(pids);
        try {
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(writers).hasSize(4);
            assertThat(err.toString()).contains("warning: external method, stage 1 (epoch 1/4): the command exited but left")
                    .contains("pid " + writers.get(0) + " (");
            Path run = Cli.onlyRun(runs);
            Thread.sleep(1500);
            assertThat(run.resolve("late.txt")).as("nothing wrote into the run after its stage").doesNotExist();
            for (String w : writers) {
                assertThat(running(Long.parseLong(w))).as("writer " + w + " was killed").isFalse();
            }
        } finally {
            for (String w : writers) {
                ProcessHandle.of(Long.parseLong(w)).ifPresent(ProcessHandle::destroyForcibly); // a failed test leaves none
            }
        }
    }

    @Test
    void wrongShapesAndNonFiniteValuesAreRefused() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")),
                "skipped: /usr/bin/python3 is missing (the check writes a safetensors file with Python)");
        // rewrites the safetensors file: first tensor's first value NaN, or its shape swapped (same byte count)
        String spoil = """
                #!/usr/bin/python3
                import json, struct, sys, shutil, os
                req = json.load(open(sys.argv[-1]))
                for f in ("adapter_config.json", "adapter_model.safetensors"):
                    shutil.copy(os.path.join(req["adapter_in"], f), req["adapter_out"])
                p = os.path.join(req["adapter_out"], "adapter_model.safetensors")
                b = bytearray(open(p, "rb").read())
                n = struct.unpack("<Q", b[:8])[0]
                h = json.loads(b[8:8 + n])
                name = sorted(k for k in h if k.endswith("lora_A.weight"))[0]
                if "%s" == "nan":
                    b[8 + n + h[name]["data_offsets"][0]: 8 + n + h[name]["data_offsets"][0] + 4] = struct.pack("<f", float("nan"))
                else:
                    h[name]["shape"] = list(reversed(h[name]["shape"]))
                    hb = json.dumps(h, separators=(",", ":")).encode().ljust(n)
                    b[8:8 + n] = hb
                open(p, "wb").write(bytes(b))
                """;
        failsAtStageOne(String.format(spoil, "nan"), List.of(), "NaN");
        Folders.clear(tmp);
        failsAtStageOne(String.format(spoil, "shape"), List.of(), "shape");
    }

    /**
     * The no-op method, logging each stage it is called for, which at stage 2 runs {@code atStageTwo} (shell)
     * until the file {@code ok} exists.
     */
    private Path stageTwoMethod(Path log, Path ok, String atStageTwo) throws Exception {
        return script(tmp, "method.sh", ExternalMethodTest.NOOP.replace("set -e\n", "set -e\nstage=$(sed -n 's/^  \"stage\" : \\([0-9]*\\),$/\\1/p' \"$1\")\necho $stage >> " + log
                + "\nif [ \"$stage\" = 2 ] && [ ! -e " + ok + " ]; then " + atStageTwo + "; fi\n"));
    }

    /** The run stopped in stage 2, after its first two metrics lines; --resume calls stage 2 again and ends the run. */
    private static Path resumesAtStageTwo(Path runs, Path method, Path log, Path ok) throws Exception {
        Path run = Cli.onlyRun(runs);
        List<String> kept = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertThat(kept).hasSize(2);
        Files.createFile(ok);
        Cli.Run again = external(runs, method.toString(), "--resume");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(Files.readAllLines(log)).containsExactly("1", "2", "2", "3", "4");
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(5).startsWith(kept.toArray(String[]::new));
        return run;
    }

    @Test
    void aKilledRunResumesAtTheStageThatFailed() throws Exception {
        Path log = tmp.resolve("calls.log");
        Path ok = tmp.resolve("ok");
        Path m = stageTwoMethod(log, ok, "echo 'not yet' >&2; exit 1");
        Path runs = tmp.resolve("runs");
        Cli.Run first = external(runs, m.toString());
        assertThat(first.code()).isNotZero();
        assertThat(first.err()).contains("stage 2 (epoch 2/4)").contains("not yet");
        Path run = resumesAtStageTwo(runs, m, log, ok);
        JsonNode req = ExternalMethodTest.JSON.readTree(run.resolve("external/stage-002/request.json").toFile());
        assertThat(req.get("stage").asInt()).isEqualTo(2);
    }

    @Test
    void aResumeOnAnotherHostSaysThatTheLastTrysProcessesThereCouldNotBeChecked() throws Exception {
        Path log = tmp.resolve("calls.log");
        Path ok = tmp.resolve("ok");
        Path m = stageTwoMethod(log, ok, "exit 1");
        Path runs = tmp.resolve("runs");
        assertThat(external(runs, m.toString()).code()).isNotZero();
        Path token = Cli.onlyRun(runs).resolve("external/stage-002/processes.token");
        List<String> lines = Files.readAllLines(token);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("[0-9a-f]{32}");
        String here = lines.get(1);
        assertThat(here).isNotBlank();
        // as if the run folder had moved to this host from a node that ran stage 2 (a shared file system)
        Files.write(token, List.of(lines.get(0), "gpu-node-17"));
        Files.createFile(ok);
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        Cli.Run again;
        try {
            System.setErr(new java.io.PrintStream(err, true));
            again = external(runs, m.toString(), "--resume");
        } finally {
            System.setErr(old);
        }
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(err.toString()).contains("WARNING: external method, stage 2 (epoch 2/4): its last try ran on host gpu-node-17,"
                + " this suite runs on host " + here + ": processes that try left running on gpu-node-17 could not be"
                + " looked for or killed from here");
        // the stage ran here this time: a later resume has nothing to warn of
        assertThat(Files.readAllLines(token).get(1)).isEqualTo(here);
    }

    @Test
    void aSigtermKillsTheStagesProcessAndTheResumeRunsThatStageAgain() throws Exception {
        Path log = tmp.resolve("calls.log");
        Path child = tmp.resolve("child.pid");
        Path ok = tmp.resolve("ok");
        Path m = stageTwoMethod(log, ok, "sleep 60 & echo $! > " + child + "; wait");
        Path runs = tmp.resolve("runs");
        Process p = startUntil(m, runs, child);
        assertThat(child).as("stage 2's process started (%s)", Files.readString(tmp.resolve("out.txt"))).exists();
        p.destroy();
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String said = Files.readString(tmp.resolve("out.txt"));
        assertThat(said).contains("stopped on request").contains("runs this stage again from its start")
                .doesNotContain("after saving a checkpoint");
        long sleeper = Long.parseLong(Files.readString(child).trim());
        for (int i = 0; i < 50 && ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(100);
        }
        assertThat(ProcessHandle.of(sleeper).map(ProcessHandle::isAlive).orElse(false)).as("the stage's child was killed").isFalse();
        resumesAtStageTwo(runs, m, log, ok);
    }

    @Test
    void aResumeAfterTheSuiteWasKilledKillsWhatItsLastTryLeftRunning() throws Exception {
        // SIGKILL (the OOM killer, a scheduler past its grace time) stops no method: the stage's processes go on
        Path log = tmp.resolve("calls.log");
        Path writer = tmp.resolve("writer.pid");
        Path written = tmp.resolve("written.txt");
        Path ok = tmp.resolve("ok");
        Path m = stageTwoMethod(log, ok, "sh -c '(while :; do echo x >> " + written + "; sleep 0.1; done) </dev/null"
                + " >/dev/null 2>&1 & echo $! > " + writer + "'; sleep 60");
        Path runs = tmp.resolve("runs");
        Process p = startUntil(m, runs, written);
        assertThat(written).as("stage 2's writer started (%s)", Files.readString(tmp.resolve("out.txt"))).exists();
        long pid = Long.parseLong(Files.readString(writer).trim());
        try {
            p.destroyForcibly();
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(running(pid)).as("the writer outlives the killed suite").isTrue();
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            java.io.PrintStream old = System.err;
            try {
                System.setErr(new java.io.PrintStream(err, true));
                resumesAtStageTwo(runs, m, log, ok);
            } finally {
                System.setErr(old);
            }
            assertThat(running(pid)).as("the resume killed the writer").isFalse();
            long size = Files.size(written);
            Thread.sleep(400);
            assertThat(Files.size(written)).isEqualTo(size);
            assertThat(err.toString()).contains("warning: external method, stage 2 (epoch 2/4): ")
                    .contains("left running when the suite running it was killed, were killed: ").contains("pid " + pid + " (");
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // a failed test leaves none
        }
    }

    /** Whether {@code pid} runs: not gone, nor a zombie its new parent has not reaped (state Z after the name). */
    static boolean running(long pid) {
        try {
            return !Files.readString(Path.of("/proc", Long.toString(pid), "stat")).replaceFirst("^.*\\) ", "").startsWith("Z");
        } catch (java.io.IOException gone) {
            return false;
        }
    }

    /** Empties a folder between two runs of one test. */
    static final class Folders {
        static void clear(Path dir) throws Exception {
            org.cklbench.io.Folders.deleteTree(dir.resolve("runs"));
        }
    }

    /** Starts {@code ckl run} of method {@code m} into {@code runs} and waits (2 minutes at most) until {@code marker} has content. */
    private Process startUntil(Path m, Path runs, Path marker) throws Exception {
        Process p = Cli.start(tmp.resolve("out.txt"), "run", "--benchmark", "lama-ckl", "--preset", "smoke", "--method",
                "external", "--param", "command=" + m, "--out", runs.toString());
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && p.isAlive() && !(Files.isRegularFile(marker) && Files.size(marker) > 0)) {
            Thread.sleep(20);
        }
        return p;
    }
}
