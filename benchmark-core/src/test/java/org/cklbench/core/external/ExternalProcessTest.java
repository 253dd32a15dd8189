package org.cklbench.core.external;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A method cannot leave processes behind its stage (the attacks of docs/external-methods.md, "Processes"):
 * a writer that escapes the process tree by forking twice, that also starts a session of its own, or that
 * clears its environment, is dead once {@link ExternalProcess#run} returns or fails, and its file stops
 * growing. Its logs cannot outgrow their limit.
 */
class ExternalProcessTest {
    @TempDir
    Path tmp;
    private Path writer;
    private Path pidFile;
    private Path written;

    @BeforeEach
    void writerScript() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "skipped: no /proc (the suite runs on Linux)");
        pidFile = tmp.resolve("writer.pid");
        written = tmp.resolve("written.txt");
        // writes a line every 0.1 s until killed
        writer = script("writer.sh", "#!/bin/sh\necho $$ > \"$1\"\nwhile :; do echo x >> \"$2\"; sleep 0.1; done\n");
    }

    /** A test that fails (the suite without this fix) leaves no writer behind. */
    @AfterEach
    void killTheWriter() throws Exception {
        if (pidFile != null && Files.isRegularFile(pidFile)) {
            ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Sleepers a test started that are no stage's: killed whatever the test's outcome. */
    private final List<Process> bystanders = new ArrayList<>();

    @AfterEach
    void killTheBystanders() {
        bystanders.forEach(Process::destroyForcibly);
    }

    /** A {@code sleep 600} the JVM starts (its session and process group), with {@code env} added. */
    private Process bystander(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("sleep", "600").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove(StageProcesses.TOKEN_VARIABLE);
        pb.environment().putAll(env);
        Process p = pb.start();
        bystanders.add(p);
        return p;
    }

    private Path script(String name, String body) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    /**
     * A method that starts the writer through {@code how} (a command prefix such as "setsid"), from a shell
     * that exits at once (the writer is re-parented out of the method's tree), waits until it writes, then
     * runs {@code then}.
     */
    private Path method(String how, String then) throws Exception {
        return script("method.sh", "#!/bin/sh\n"
                + "sh -c '" + how + " \"$0\" \"$1\" \"$2\" </dev/null >/dev/null 2>&1 &' " + writer + " " + pidFile + " " + written + "\n"
                + "while [ ! -s " + written + " ]; do sleep 0.05; done\n"
                + then + "\n");
    }

    private List<String> run(Path method, int timeout, long logLimit) throws Exception {
        return ExternalProcess.run(new StageProcesses(StageProcesses.installedSetsid()), List.of(method.toString()), tmp, Map.of(), timeout, tmp.resolve("stdout.log"),
                tmp.resolve("stderr.log"), logLimit);
    }

    /** The writer is gone (or a zombie left to its new parent) and its file no longer grows. */
    private void writerIsDead() throws Exception {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(StageProcesses.isAlive(pid)).as("the writer, pid %d, was killed", pid).isFalse();
        long size = Files.size(written);
        Thread.sleep(400);
        assertThat(Files.size(written)).as("the writer's file stopped growing").isEqualTo(size);
    }

    private void leftoversNameTheWriter(List<String> leftovers) throws Exception {
        assertThat(leftovers).anySatisfy(l -> assertThat(l).startsWith("pid " + Files.readString(pidFile).trim() + " (")
                .contains("writer.sh"));
    }

    @Test
    void aDoubleForkedWriterDiesWhenTheCommandExits() throws Exception {
        leftoversNameTheWriter(run(method("", "exit 0"), 60, ExternalProcess.LOG_LIMIT));
        writerIsDead();
    }

    @Test
    void aWriterInASessionOfItsOwnDiesWhenTheCommandExits() throws Exception {
        leftoversNameTheWriter(run(method("setsid", "exit 0"), 60, ExternalProcess.LOG_LIMIT));
        writerIsDead();
    }

    @Test
    void aWriterWithAnEmptyEnvironmentDiesWhenTheCommandExits() throws Exception {
        Assumptions.assumeTrue(StageProcesses.installedSetsid() != null,
                "skipped: util-linux setsid is missing, so the stage has no session of its own to find it by");
        leftoversNameTheWriter(run(method("env -i", "exit 0"), 60, ExternalProcess.LOG_LIMIT));
        writerIsDead();
    }

    @Test
    void aDoubleForkedWriterDiesAtTheTimeLimit() throws Exception {
        assertThatThrownBy(() -> run(method("setsid", "sleep 60"), 2, ExternalProcess.LOG_LIMIT))
                .isInstanceOf(ExternalProcess.Failed.class).hasMessageContaining("time limit of 2 s");
        writerIsDead();
    }

    @Test
    void aDoubleForkedWriterDiesWhenTheCommandFails() throws Exception {
        assertThatThrownBy(() -> run(method("", "echo broken >&2; exit 4"), 60, ExternalProcess.LOG_LIMIT))
                .isInstanceOf(ExternalProcess.Failed.class).hasMessageContaining("exited with status 4")
                .hasMessageContaining("left").hasMessageContaining("writer.sh").hasMessageContaining("broken");
        writerIsDead();
    }

    @Test
    void aCommandThatLeavesNothingReportsNothing() throws Exception {
        assertThat(run(script("quiet.sh", "#!/bin/sh\nsleep 0.1 &\nwait\necho done\n"), 60, ExternalProcess.LOG_LIMIT)).isEmpty();
        assertThat(Files.readString(tmp.resolve("stdout.log"))).isEqualTo("done\n");
    }

    @Test
    void theCommandLeadsASessionOfItsOwnAndCarriesTheStagesToken() throws Exception {
        Assumptions.assumeTrue(StageProcesses.installedSetsid() != null, "skipped: util-linux setsid is missing");
        Path m = script("ids.sh", "#!/bin/sh\necho $$ $(cut -d' ' -f6 /proc/$$/stat)\necho \"$"
                + StageProcesses.TOKEN_VARIABLE + "\"\n");
        run(m, 60, ExternalProcess.LOG_LIMIT);
        List<String> out = Files.readAllLines(tmp.resolve("stdout.log"));
        String[] ids = out.get(0).split(" ");
        assertThat(ids[1]).as("the session id is the command's pid").isEqualTo(ids[0]);
        assertThat(out.get(1)).matches("[0-9a-f]{32}");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoInPlaceOfTheStandardErrorLogDoesNotHangTheSuite() throws Exception {
        // reading the tail of a FIFO would block until someone writes into it: forever
        Path m = script("fifo.sh", "#!/bin/sh\nrm \"$1\"\nmkfifo \"$1\"\nexit 3\n");
        Path stderr = tmp.resolve("stderr.log");
        assertThatThrownBy(() -> ExternalProcess.run(new StageProcesses(StageProcesses.installedSetsid()), List.of(m.toString(), stderr.toString()), tmp, Map.of(), 60,
                tmp.resolve("stdout.log"), stderr, ExternalProcess.LOG_LIMIT))
                .isInstanceOf(ExternalProcess.Failed.class).hasMessageContaining("exited with status 3")
                .hasMessageContaining("replaced by something other than a regular file");
    }

    @Test
    void aProgramThatIsNotThereCannotStart() throws Exception {
        assertThatThrownBy(() -> run(tmp.resolve("typo.sh"), 60, ExternalProcess.LOG_LIMIT))
                .isInstanceOf(ExternalProcess.Failed.class).hasMessageContaining("cannot start")
                .hasMessageContaining("no executable file");
        assertThatThrownBy(() -> ExternalProcess.run(new StageProcesses(StageProcesses.installedSetsid()), List.of("python-that-is-not-there"), tmp, Map.of(), 60,
                tmp.resolve("stdout.log"), tmp.resolve("stderr.log"), ExternalProcess.LOG_LIMIT))
                .isInstanceOf(ExternalProcess.Failed.class).hasMessageContaining("cannot start")
                .hasMessageContaining("not a program on the PATH");
    }

    @Test
    void aFloodedLogIsCutAtItsLimit() throws Exception {
        assertThatThrownBy(() -> run(script("flood.sh", "#!/bin/sh\nwhile :; do echo aaaaaaaaaaaaaaaaaaaaaaa; done\n"), 60, 100_000))
                .isInstanceOf(ExternalProcess.Failed.class)
                .hasMessageContaining("wrote more than 100000 bytes to its standard output (stdout.log)");
        assertThatThrownBy(() -> run(script("burst.sh", "#!/bin/sh\nhead -c 200000 /dev/zero >&2\n"), 60, 100_000))
                .isInstanceOf(ExternalProcess.Failed.class)
                .hasMessageContaining("wrote more than 100000 bytes to its standard error (stderr.log)");
    }

    @Test
    void processesThatAreNotTheStagesAreSpared() throws Exception {
        StageProcesses stage = new StageProcesses(StageProcesses.installedSetsid());
        String token = stage.token();
        List<Process> spared = List.of(
                // the stage's token as a prefix of another value
                bystander(Map.of(StageProcesses.TOKEN_VARIABLE, token + "0")),
                // another stage's token
                bystander(Map.of(StageProcesses.TOKEN_VARIABLE, new StageProcesses(null).token())),
                // the token under another variable whose name ends in the token variable's
                bystander(Map.of("OTHER_" + StageProcesses.TOKEN_VARIABLE, token)),
                // no token, in the suite's own session and process group, not the stage's
                bystander(Map.of()));
        // a method that leaves a writer behind, so that the stage's killing has something to find and kill
        List<String> leftovers = ExternalProcess.run(stage, List.of(method("", "exit 0").toString()), tmp, Map.of(), 60,
                tmp.resolve("stdout.log"), tmp.resolve("stderr.log"), ExternalProcess.LOG_LIMIT);
        leftoversNameTheWriter(leftovers);
        writerIsDead();
        // a resume's killing of what the token's stage left behind spares them too
        assertThat(StageProcesses.killLeftBy(token).found()).isEmpty();
        for (Process p : spared) {
            assertThat(p.isAlive()).as("pid %d, not the stage's, still runs", p.pid()).isTrue();
            assertThat(leftovers).noneMatch(l -> l.startsWith("pid " + p.pid() + " "));
        }
    }

    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anInterruptDuringTheKillingKillsAllAndIsKeptForTheCaller() throws Exception {
        StageProcesses stage = new StageProcesses(StageProcesses.installedSetsid());
        Process own = bystander(Map.of(StageProcesses.TOKEN_VARIABLE, stage.token()));
        bystanders.remove(own);
        Thread.currentThread().interrupt();
        StageProcesses.Killed k;
        try {
            k = stage.killAll();
        } finally {
            assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
        }
        assertThat(k.survivors()).isEmpty();
        assertThat(k.found()).containsExactly("pid " + own.pid() + " (sleep 600)");
        assertThat(own.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
}
