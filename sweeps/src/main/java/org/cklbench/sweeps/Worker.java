package org.cklbench.sweeps;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.plugin.Registries;
import org.cklbench.core.run.Preemption;
import org.cklbench.core.run.RunTimings;
import org.cklbench.core.run.Runner;
import org.cklbench.io.AtomicFiles;
import org.cklbench.progress.Progress;
import org.cklbench.runfolder.RunFolder;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A worker process of a {@link LocalExecutor}: takes the runs of the sweep's queue that no other worker
 * has claimed, one after another in this JVM, so that starting a JVM, loading classes and PyTorch's
 * native library cost once per worker, not once per run (a JVM holds one autograd recorder, so runs side
 * by side are processes). Each run's output goes to its own log, {@code .sweep/logs/<id>.log}. Asked to
 * end (SIGTERM), the run in progress checkpoints the step it is on ({@link Preemption}) and the worker
 * takes no other.
 */
public final class Worker {
    /** The start of the name of the file each worker writes as it ends: its CPU and wall seconds, its runs. */
    public static final String TIMINGS_PREFIX = "worker-timings-";
    /**
     * The environment variable naming the executor that started a worker, as {@code <pid>:<start millis>}: a
     * worker whose executor has ended (SIGKILL, a lost terminal) takes no further run, rather than working
     * through the queue unwatched.
     */
    public static final String EXECUTOR_ENV = "CKL_SWEEP_EXECUTOR";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Worker() {
    }

    /**
     * Runs the queued runs no other worker has claimed; 0 when each of them completed, 1 when one failed.
     *
     * @param progress a fresh progress for each run (it writes to the run's log)
     * @param describe the one line that says what an error was, written to the run's log after "ckl: error: "
     */
    public static int run(SweepFolder folder, Registries registries, Path home, Supplier<Progress> progress,
                          Function<Throwable, String> describe) throws IOException {
        List<SweepFolder.Queued> queue = folder.queue();
        PrintStream out = System.out;
        PrintStream err = System.err;
        int failed = 0;
        int ran = 0;
        String executor = System.getenv(EXECUTOR_ENV);
        for (SweepFolder.Queued q : queue) {
            if (executor != null && !alive(executor)) {
                err.println("the sweep that started this worker (" + executor + ") has ended: taking no further run");
                break;
            }
            Path dir = folder.runDir(q.id());
            if (new RunFolder(dir).complete() || !folder.claim(q.id())) {
                continue;
            }
            err.println("== " + Instant.now() + " " + q.id());
            ran++;
            Path log = folder.logs().resolve(q.id() + ".log");
            try (PrintStream to = new PrintStream(new FileOutputStream(log.toFile(), true), true, StandardCharsets.UTF_8)) {
                to.println("== " + Instant.now() + " worker process " + ProcessHandle.current().pid() + ": "
                        + String.join(" ", q.args()));
                System.setOut(to);
                System.setErr(to);
                try {
                    Runner.runIn(q.request(), dir, registries, home, progress.get());
                } catch (Preemption.Stopped stopped) {
                    throw stopped;
                } catch (Exception | OutOfMemoryError | StackOverflowError e) {
                    failed++;
                    e.printStackTrace(to);
                    to.println("ckl: error: " + describe.apply(e));
                } finally {
                    System.setOut(out);
                    System.setErr(err);
                }
            }
        }
        writeTimings(folder, ran);
        return failed == 0 ? 0 : 1;
    }

    /** {@link #EXECUTOR_ENV}'s value for this process. */
    static String identity(ProcessHandle p) {
        return p.pid() + ":" + p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    /** Whether the process {@code identity} names still runs: the same pid, started at the same time. */
    static boolean alive(String identity) {
        int colon = identity.indexOf(':');
        try {
            long pid = Long.parseLong(identity.substring(0, colon));
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(Worker::identity)
                    .filter(identity::equals).isPresent();
        } catch (RuntimeException e) {
            return true; // a value this class did not write: no opinion, so the worker goes on as without one
        }
    }

    /** This worker's totals, written as it ends: its JVM's CPU and wall seconds and how many runs it took. */
    private static void writeTimings(SweepFolder folder, int runs) throws IOException {
        long pid = ProcessHandle.current().pid();
        ObjectNode o = JSON.createObjectNode();
        o.put("pid", pid);
        o.put("runs", runs);
        o.put("cpu_s", RunTimings.cpuNanos() / 1e9);
        o.put("wall_s", ManagementFactory.getRuntimeMXBean().getUptime() / 1e3);
        Files.createDirectories(folder.meta());
        AtomicFiles.writeString(folder.meta().resolve(TIMINGS_PREFIX + pid + ".json"), JSON.writeValueAsString(o) + "\n");
    }

    /** The totals of the workers of this folder's last local sweep. */
    public static List<Path> timings(SweepFolder folder) throws IOException {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(folder.meta())) {
            try (var s = Files.list(folder.meta())) {
                s.filter(p -> p.getFileName().toString().startsWith(TIMINGS_PREFIX)).sorted().forEach(out::add);
            }
        }
        return out;
    }
}
