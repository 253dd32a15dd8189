package org.cklbench.sweeps;

import org.cklbench.progress.Progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a sweep's entries on this machine, each {@code ckl run} in its own process (a JVM holds one
 * autograd recorder, and a crash stays in its run), at most {@code workers} at once.
 */
public final class LocalExecutor {
    private final SweepFolder folder;
    private final List<String> ckl;
    private final Map<String, String> env;
    private final int workers;

    /**
     * @param ckl the command that starts ckl (a launcher, or java with its class path)
     * @param env variables added to each run's environment
     */
    public LocalExecutor(SweepFolder folder, List<String> ckl, Map<String, String> env, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("--workers must be at least 1, not " + workers);
        }
        this.folder = folder;
        this.ckl = List.copyOf(ckl);
        this.env = Map.copyOf(env);
        this.workers = workers;
    }

    /** Runs {@code todo}; returns the ids of the runs whose process failed. Logs go to .sweep/logs/<id>.log. */
    public List<String> run(List<SweepEntry> todo, Path plugins, Progress progress) throws IOException {
        Files.createDirectories(folder.logs());
        folder.record(new SweepFolder.Submission("local", Long.toString(ProcessHandle.current().pid()), null,
                todo.stream().map(SweepEntry::id).toList(), Instant.now().toString(), null));
        List<String> failed = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger done = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try (Progress.Task bar = progress.start("sweep (" + workers + " worker" + (workers > 1 ? "s" : "") + ")",
                todo.size(), "run")) {
            List<Future<?>> futures = new ArrayList<>();
            for (SweepEntry e : todo) {
                futures.add(pool.submit(() -> {
                    if (runOne(e, plugins) != 0) {
                        failed.add(e.id());
                    }
                    bar.step(1);
                    bar.message(done.incrementAndGet() + " ended, " + failed.size() + " failed");
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted; the runs resume where they stopped when the sweep is run again", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("a worker failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return todo.stream().map(SweepEntry::id).filter(failed::contains).toList();
    }

    private int runOne(SweepEntry e, Path plugins) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(ckl);
        cmd.addAll(e.runArgs(folder.runDir(e.id()), plugins));
        Path log = folder.logs().resolve(e.id() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        org.cklbench.io.ArithmeticPin.apply(pb.environment());
        Files.writeString(log, "== " + Instant.now() + " " + String.join(" ", cmd) + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Process p = pb.start();
        try {
            return p.waitFor();
        } catch (InterruptedException ie) {
            // the child checkpoints on SIGTERM and can be resumed
            p.destroy();
            throw ie;
        }
    }
}
