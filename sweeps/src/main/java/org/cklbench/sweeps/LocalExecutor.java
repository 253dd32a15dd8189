package org.cklbench.sweeps;

import org.cklbench.core.plugin.Registries;
import org.cklbench.progress.Progress;
import org.cklbench.runfolder.RunFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs a sweep's entries on this machine: {@code workers} worker processes ({@link Worker}), each taking
 * the next run of the queue ({@link RunQueue}: preparations first, then the costliest) that no other has
 * claimed. Asked to end (SIGTERM, Ctrl-C), it asks its workers too, and gives each time to checkpoint the
 * step it is on; every run folder resumes when the sweep is run again.
 */
public final class LocalExecutor {
    /** SIGTERM to a worker, then this long for its checkpoint (Preemption's grace is 20 s). */
    private static final long STOP_SECONDS = 25;

    private final SweepFolder folder;
    private final List<String> workerCommand;
    private final Map<String, String> env;
    private final int workers;

    /**
     * @param workerCommand the command that starts one worker on {@code folder} (ckl's hidden
     *                      {@code sweep worker --out DIR}, through a launcher or java with its class path)
     * @param env           variables added to each worker's environment
     */
    public LocalExecutor(SweepFolder folder, List<String> workerCommand, Map<String, String> env, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("--workers must be at least 1, not " + workers);
        }
        this.folder = folder;
        this.workerCommand = List.copyOf(workerCommand);
        this.env = Map.copyOf(env);
        this.workers = workers;
    }

    /**
     * The environment of each worker: {@code CKL_HOME}, line-by-line progress for log files, and the JIT
     * at its first tier (C1): a run's time is spent in PyTorch, and the optimising compiler's threads took
     * the other worker's core; measured on 2 cores (LAMA-ckl quick, one thread), CPU time per run 5.9 ->
     * 4.0 s for the no-training row and 16.9 -> 14.5 s for Finetune. A CKL_JAVA_OPTS of the user's own is
     * kept as it is.
     */
    public static Map<String, String> environment(Path home) {
        Map<String, String> env = new HashMap<>(Map.of("CKL_HOME", home.toAbsolutePath().toString(),
                "CKL_PROGRESS", "lines", "OPT_OUT_TRACKING", "true"));
        if (System.getenv("CKL_JAVA_OPTS") == null) {
            env.put("CKL_JAVA_OPTS", "-XX:TieredStopAtLevel=1");
        }
        return env;
    }

    /**
     * Runs {@code todo} (in {@link RunQueue}'s order); returns the ids of those that did not complete.
     * Each run's output goes to .sweep/logs/&lt;id&gt;.log, each worker's to .sweep/logs/worker-&lt;i&gt;.log.
     */
    public List<String> run(List<SweepEntry> todo, Registries registries, Path plugins, Progress progress)
            throws IOException {
        List<SweepEntry> queue = RunQueue.order(todo, registries);
        Files.createDirectories(folder.logs());
        folder.writeQueue(queue, plugins);
        for (Path t : Worker.timings(folder)) {
            Files.deleteIfExists(t);
        }
        folder.record(new SweepFolder.Submission("local", Long.toString(ProcessHandle.current().pid()), null,
                queue.stream().map(SweepEntry::id).toList(), Instant.now().toString(), null));
        List<Path> dirs = queue.stream().map(e -> folder.runDir(e.id())).toList();
        int n = Math.min(workers, queue.size());
        Workers children = new Workers(n + queue.size());
        // asked to end (Ctrl-C, SIGTERM, scancel of an allocation), the workers are asked too
        Thread stop = new Thread(children::stop, "ckl-sweep-workers");
        Runtime.getRuntime().addShutdownHook(stop);
        try (Progress.Task bar = progress.start("runs (" + n + " worker" + (n > 1 ? "s" : "") + ")", queue.size(), "run")) {
            for (int i = 0; i < n; i++) {
                children.start();
            }
            long shown = complete(dirs);
            bar.step(shown);
            Optional<Process> alive;
            while (true) {
                children.replaceKilled(queue);
                if ((alive = children.alive()).isEmpty()) {
                    break;
                }
                // wait on a worker still running: once the first has exited, waiting on it returns at once
                // and the loop would spin over the run folders on the core the last worker needs
                alive.get().waitFor(2, TimeUnit.SECONDS);
                long done = complete(dirs);
                bar.step(done - shown);
                shown = done;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted; the runs resume where they stopped when the sweep is run again", e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
            children.stop();
        }
        return queue.stream().filter(e -> !new RunFolder(folder.runDir(e.id())).complete()).map(SweepEntry::id).toList();
    }

    /** This sweep's worker processes. */
    private final class Workers {
        private final List<Process> all = new ArrayList<>();
        private final Set<Process> ended = new HashSet<>();
        private final int most;
        private boolean stopping;

        /** @param most how many workers may be started in all, replacements included */
        Workers(int most) {
            this.most = most;
        }

        synchronized void start() throws IOException {
            int i = all.size() + 1;
            ProcessBuilder pb = new ProcessBuilder(workerCommand).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(folder.logs().resolve("worker-" + i + ".log").toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            pb.environment().put(Worker.EXECUTOR_ENV, Worker.identity(ProcessHandle.current()));
            org.cklbench.io.ArithmeticPin.apply(pb.environment());
            all.add(pb.start());
        }

        synchronized Optional<Process> alive() {
            return all.stream().filter(Process::isAlive).findFirst();
        }

        /**
         * A worker killed by a signal (the kernel's out-of-memory killer, a crash in native code) leaves
         * the runs no worker has claimed yet: another takes its place, as a process per run once isolated
         * a crash in its run. A worker that ends by itself (exit status under 128) found the queue empty,
         * or cannot start at all, and is not replaced.
         */
        synchronized void replaceKilled(List<SweepEntry> queue) throws IOException {
            for (Process p : List.copyOf(all)) {
                if (!p.isAlive() && ended.add(p) && p.exitValue() > 128 && !stopping && all.size() < most
                        && queue.stream().anyMatch(e -> !folder.claimed(e.id()))) {
                    start();
                }
            }
        }

        /** SIGTERM to each live worker, then up to {@link #STOP_SECONDS} for its checkpoint. */
        void stop() {
            List<Process> live;
            synchronized (this) {
                stopping = true;
                live = all.stream().filter(Process::isAlive).toList();
            }
            live.forEach(Process::destroy);
            for (Process p : live) {
                try {
                    p.waitFor(STOP_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static long complete(List<Path> dirs) {
        return dirs.stream().filter(d -> new RunFolder(d).complete()).count();
    }

}
