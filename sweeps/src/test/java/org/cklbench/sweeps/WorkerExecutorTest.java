package org.cklbench.sweeps;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A worker knows its executor by pid and start time, so an ended executor is never mistaken for a live one. */
class WorkerExecutorTest {
    @Test
    void aLiveExecutorIsAliveAndAnEndedOneIsNot() throws Exception {
        assertThat(Worker.alive(Worker.identity(ProcessHandle.current()))).isTrue();
        Process p = new ProcessBuilder("sleep", "30").start();
        String id = Worker.identity(p.toHandle());
        assertThat(Worker.alive(id)).isTrue();
        p.destroyForcibly();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Worker.alive(id)).as("%s after its SIGKILL", id).isFalse();
    }

    @Test
    void aReusedPidWithAnotherStartTimeIsNotTheExecutor() {
        assertThat(Worker.alive(ProcessHandle.current().pid() + ":1")).isFalse();
    }
}
