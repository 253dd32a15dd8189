package org.cklbench.cli;

import org.cklbench.core.benchmark.Benchmark;
import org.cklbench.core.benchmark.InputRequest;
import org.cklbench.core.plugin.Registries;
import org.cklbench.core.run.ResolvedRun;
import org.cklbench.core.run.RunRequest;
import org.cklbench.core.run.Runner;
import org.cklbench.engine.djl.PyTorchEngine;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.site.SiteBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "quickstart", mixinStandardHelpOptions = true,
        header = "Run the embedded default end to end, offline, and print its leaderboards.",
        description = {"The embedded default, end to end and offline: generate the synthetic world, pretrain",
            "its tiny base, build LAMA-ckl and TemporalWiki over it, meta-train the Train-Attention models, run every",
            "method on both benchmarks (preset quick), build the site, print the leaderboards and the path of",
            "index.html. Each method runs 3 seeds on each benchmark (intervals over seeds and probes; TAALM's",
            "Train-Attention model is meta-trained per seed); a no-training row shows the base itself. Everything",
            "is cached in CKL_HOME and every run folder is resumable, so a second call reuses what exists and an",
            "interrupted one goes on."})
final class QuickstartCommand implements Callable<Integer> {
    static final List<String> METHODS = List.of("taalm", "none", "finetune", "kadapter", "recadam", "mixreview", "rho1",
            "oracle", "lead", "taalm+kadapter", "taalm+recadam", "taalm+mixreview");
    static final List<String> BENCHMARKS = List.of("lama-ckl", "temporalwiki");

    @Option(names = "--out", defaultValue = "quickstart", description = "Where runs/ and site/ go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--threads", defaultValue = "0", description = "CPU cores to share among the workers (default: all);"
            + " each run computes on the suite's pinned thread count whatever this is, so results do not depend on it.")
    int threads;

    @Option(names = "--seeds", defaultValue = "3", description = "Seeds 1..N of every method on each benchmark, for"
            + " intervals over seeds (default: ${DEFAULT-VALUE}); TAALM's Train-Attention model is meta-trained per seed.")
    int seeds;

    @Option(names = "--profile", description = "Also print where the time went: by phase (world and data, Train-Attention"
            + " training, model loading, training, evaluation) and by method, from each run's timings.json; written to"
            + " <out>/profile.txt too.")
    boolean profile;

    // Measured on 2 cores (LAMA-ckl quick, Finetune, JVM start included): one run of 2 threads 10.1 s, of 1
    // thread 14.2 s, two runs of 1 thread side by side 16.4 s for both (1.23x the throughput).
    @Option(names = "--workers", defaultValue = "0", description = "Runs at once: N worker processes of"
            + " one pinned thread each, each taking the next queued run (default: 2 where there are 2 cores or more,"
            + " measured 1.23x faster on 2 cores).")
    int workers;

    @Option(names = "--no-screenshot", description = "Do not take a picture of the leaderboard (by default, where a"
            + " Chromium is on the PATH, <out>/screenshots/home.png: docs/screenshots/home.png is a copy of it).")
    boolean noScreenshot;

    @Option(names = "--worker", hidden = true, description = "Internal: run the queued runs no other worker has"
            + " claimed, one after another in this process, until none is left.")
    boolean worker;

    private long t0;

    private void say(String what) {
        System.err.printf(Locale.ROOT, "[quickstart %s] %s%n", clock((System.nanoTime() - t0) / 1_000_000_000L), what);
    }

    private static String clock(long s) {
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    @Override
    public Integer call() throws Exception {
        t0 = System.nanoTime();
        PyTorchEngine.initForResults();
        Path home = Home.get();
        BarProgress progress = new BarProgress();
        if (worker) {
            return work(home, progress);
        }
        say("CKL_HOME is " + home);
        boolean cached = Files.isDirectory(home.resolve("worlds"));
        say(cached ? "reusing what CKL_HOME already holds (world, base model, data, Train-Attention models)"
                : "first run: generating the world and pretraining its base model (about 2 minutes)");
        Registries registries = Registries.load(null);
        QuickstartProfile.Clock clock = new QuickstartProfile.Clock();
        for (String id : BENCHMARKS) {
            Benchmark b = registries.benchmarks().get(id);
            b.inputs(new InputRequest("quick", b.presets().get("quick").settings(Map.of()), null, null, home), progress);
            say(b.leaderboard().title() + " over the world: ready");
            clock.mark("inputs: " + id + (id.equals(BENCHMARKS.get(0)) ? " (the world, its base and data)" : " (data)"));
        }

        Path runs = out.resolve("runs");
        Files.createDirectories(runs);
        if (workers == 0) {
            workers = Math.min(2, java.lang.Runtime.getRuntime().availableProcessors());
        }
        if (seeds < 1 || workers < 1) {
            throw new UsageError("--seeds must be 1 or more, --workers 0 (automatic) or more");
        }
        int cores = threads > 0 ? threads : java.lang.Runtime.getRuntime().availableProcessors();
        int perWorker = workers > 1 ? Math.max(1, cores / workers) : threads;
        List<RunRequest> requests = requests(perWorker);
        if (workers == 1) {
            runHere(requests, runs, registries, home, progress);
        } else {
            List<Path> dirs = requests.stream().map(r -> runDir(r, runs, registries)).toList();
            say(dirs.stream().filter(d -> !new RunFolder(d).complete()).count() + " of " + requests.size()
                    + " runs to do, " + workers + " at once");
            runInWorkers(dirs, runs, home, perWorker, progress);
        }
        clock.mark("runs (" + workers + " at once)");
        Path site = out.resolve("site");
        Path index = SiteBuilder.build(runs, site, SiteCommand.methodInfo(registries), SiteCommand.specs(registries));
        SiteCommand.reportSkipped(site, new java.io.PrintWriter(System.err, true));
        say("site built");
        if (!noScreenshot) {
            screenshot(index, out.resolve("screenshots").resolve("home.png"));
        }
        clock.mark("site");
        printLeaderboards(org.cklbench.site.SiteData.read(site));
        System.out.println();
        System.out.println("Open " + index.toAbsolutePath() + " (or: ./ckl site serve --dir " + site + ")");
        if (profile) {
            List<Path> dirs = requests.stream().map(r -> runDir(r, runs, registries)).toList();
            String text = QuickstartProfile.report(clock, dirs, runs.resolve(".sweep"));
            System.out.println();
            System.out.print(text);
            org.cklbench.io.AtomicFiles.writeString(out.resolve("profile.txt"), text);
        }
        return 0;
    }

    private void screenshot(Path index, Path png) throws java.io.IOException, InterruptedException {
        java.util.Optional<Path> browser = Screenshot.browser();
        if (browser.isEmpty()) {
            say("no Chromium on the PATH: no screenshot of the leaderboard");
        } else if (Screenshot.take(browser.get(), index, png, 2400)) {
            say("screenshot of the leaderboard: " + png);
        } else {
            say("Chromium could not take a screenshot of " + index);
        }
    }

    /**
     * The environment of each run's process. The JIT stops at its first tier (C1): a run's time is spent in
     * PyTorch, and the optimising compiler's threads took the other worker's core; measured on 2 cores
     * (LAMA-ckl quick, one thread), CPU time per run 5.9 -> 4.0 s for the no-training row and 16.9 -> 14.5
     * s for Finetune. A CKL_JAVA_OPTS of the user's own is kept as it is.
     */
    static Map<String, String> childEnvironment(Path home) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("CKL_HOME", home.toAbsolutePath().toString(),
                "CKL_PROGRESS", "lines", "OPT_OUT_TRACKING", "true"));
        if (System.getenv("CKL_JAVA_OPTS") == null) {
            env.put("CKL_JAVA_OPTS", "-XX:TieredStopAtLevel=1");
        }
        return env;
    }

    /**
     * Where a run goes in the queue. The TAALM runs, each of which meta-trains its seed's Train-Attention
     * model (φ follows the run's seed), go first, side by side when workers allow; then the runs that need
     * no Train-Attention model, so that a worker done with the shorter preparation does not wait for the
     * other (measured: a TAALM run queued third waited 39 s for its model); the runs that use a prepared
     * model last. Within each part the longest first (Mix-review trains on twice the documents; the
     * no-training row only evaluates), so that no long run is left alone at the end.
     */
    static int queuePosition(RunRequest r) {
        boolean taalm = java.util.Arrays.asList(r.method().split("\\+")).contains("taalm");
        int part = taalm && r.method().equals("taalm") ? 0 : taalm ? 2 : 1;
        int length = r.method().contains("mixreview") ? 0 : r.method().equals("none") ? 2 : 1;
        return part * 3 + length;
    }

    private List<RunRequest> requests(int threadsPerRun) {
        List<RunRequest> requests = new ArrayList<>();
        for (String bench : BENCHMARKS) {
            for (String method : METHODS) {
                for (long seed = 1; seed <= seeds; seed++) {
                    requests.add(new RunRequest(bench, method, Map.of(), "quick", Map.of(), null, null, seed, "cpu",
                            null, threadsPerRun));
                }
            }
        }
        requests.sort(java.util.Comparator.comparingInt(QuickstartCommand::queuePosition));
        return requests;
    }

    private static Path runDir(RunRequest r, Path runs, Registries registries) {
        return runs.resolve(ResolvedRun.of(r, registries).config().id());
    }

    private static long complete(List<Path> dirs) {
        return dirs.stream().filter(d -> new RunFolder(d).complete()).count();
    }

    /**
     * Runs side by side are processes (a JVM holds one autograd recorder), each a worker that takes the
     * next run of the queue no other has claimed and runs it in its own JVM, so JVM start, class loading
     * and PyTorch's native library cost once per worker, not once per run. A claim is a file created
     * atomically under {@code runs/.sweep/claims}; the claims of an interrupted quickstart are cleared
     * when it starts again, and every run folder resumes.
     */
    private void runInWorkers(List<Path> dirs, Path runs, Path home, int perWorker, BarProgress progress)
            throws Exception {
        Path logs = runs.resolve(".sweep").resolve("logs");
        Path claims = runs.resolve(".sweep").resolve("claims");
        org.cklbench.io.Folders.deleteTree(claims);
        Files.createDirectories(claims);
        QuickstartProfile.clearWorkers(runs.resolve(".sweep"));
        Files.createDirectories(logs);
        List<Process> children = java.util.Collections.synchronizedList(new ArrayList<>());
        // asked to end (Ctrl-C, SIGTERM), the workers are asked too: each checkpoints the step it is on
        Thread stop = new Thread(() -> stopWorkers(children), "ckl-quickstart-workers");
        java.lang.Runtime.getRuntime().addShutdownHook(stop);
        try {
            for (int i = 1; i <= workers; i++) {
                List<String> cmd = new ArrayList<>(Launcher.command(null));
                cmd.addAll(List.of("quickstart", "--worker", "--out", out.toAbsolutePath().toString(), "--seeds",
                        Integer.toString(seeds), "--threads", Integer.toString(perWorker)));
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("worker-" + i + ".log").toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                pb.environment().putAll(childEnvironment(home));
                org.cklbench.io.ArithmeticPin.apply(pb.environment());
                children.add(pb.start());
            }
            try (var bar = progress.start("runs (" + workers + " workers)", dirs.size(), "run")) {
                long shown = complete(dirs);
                bar.step(shown);
                java.util.Optional<Process> alive;
                // wait on a worker still running: once the first has exited, waiting on it returns at once
                // and the loop would spin over the run folders on the core the last worker needs
                while ((alive = children.stream().filter(Process::isAlive).findFirst()).isPresent()) {
                    alive.get().waitFor(2, java.util.concurrent.TimeUnit.SECONDS);
                    long done = complete(dirs);
                    bar.step(done - shown);
                    shown = done;
                }
            }
        } finally {
            try {
                java.lang.Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
            stopWorkers(children);
        }
        List<String> missing = dirs.stream().filter(d -> !new RunFolder(d).complete())
                .map(d -> d.getFileName().toString()).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missing.size() + " run(s) did not complete (" + missing.get(0)
                    + (missing.size() > 1 ? ", ..." : "") + "); the workers' logs are " + logs.resolve("worker-*.log")
                    + "; run the quickstart again to resume them");
        }
    }

    /** SIGTERM to each live worker, then up to 25 s for its checkpoint (Preemption's grace is 20 s). */
    private static void stopWorkers(List<Process> children) {
        List<Process> live;
        synchronized (children) {
            live = children.stream().filter(Process::isAlive).toList();
        }
        live.forEach(Process::destroy);
        for (Process p : live) {
            try {
                p.waitFor(25, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A worker: claims and runs queued runs in this process; exit status 1 when one of them failed. */
    private int work(Path home, BarProgress progress) throws Exception {
        Registries registries = Registries.load(null);
        Path runs = out.resolve("runs");
        Path claims = runs.resolve(".sweep").resolve("claims");
        int failed = 0;
        int ran = 0;
        for (RunRequest r : requests(threads)) {
            Path dir = runDir(r, runs, registries);
            if (new RunFolder(dir).complete()) {
                continue;
            }
            try {
                Files.createFile(claims.resolve(dir.getFileName().toString()));
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                continue;
            }
            System.err.println("== " + java.time.Instant.now() + " " + dir.getFileName());
            ran++;
            try {
                Runner.runIn(r, dir, registries, home, progress);
            } catch (org.cklbench.core.run.Preemption.Stopped stopped) {
                throw stopped;
            } catch (Exception e) {
                failed++;
                e.printStackTrace();
            }
        }
        QuickstartProfile.writeWorker(runs.resolve(".sweep"), ran);
        return failed == 0 ? 0 : 1;
    }

    private static final int WIDTH = 18;

    private void runHere(List<RunRequest> requests, Path runs, Registries registries, Path home, BarProgress progress)
            throws Exception {
        int done = 0;
        long runStart = System.nanoTime();
        int ran = 0;
        for (RunRequest req : requests) {
            done++;
            long s = System.nanoTime();
            RunFolder f = Runner.run(req, runs, true, registries, home, progress);
            boolean reused = (System.nanoTime() - s) < 2_000_000_000L && f.complete();
            if (!reused) {
                ran++;
            }
            double perRun = ran == 0 ? 0 : (System.nanoTime() - runStart) / 1e9 / ran;
            say(String.format(Locale.ROOT, "%d/%d %s %s seed %d %s; ETA %s", done, requests.size(), req.benchmark(),
                    req.method(), req.seed(), reused ? "(complete, reused)" : "done",
                    clock(Math.round(perRun * (requests.size() - done)))));
        }
    }

    /** The site's boards as terminal tables: each row's values with ▲/▼, and under it the 95% intervals. */
    static void printLeaderboards(org.cklbench.site.SiteData data) {
        for (org.cklbench.site.SiteData.Board b : data.leaderboards()) {
            System.out.println();
            System.out.printf("%s · preset %s · %s · weights %s · world %s%n", b.benchmark(), b.preset(), b.model(),
                    b.weightsShort(), b.worldShort());
            StringBuilder head = new StringBuilder(String.format("%-18s", "method"));
            for (org.cklbench.site.SiteData.ColumnHead c : b.columns()) {
                head.append(' ').append(String.format("%" + WIDTH + "s", c.shortLabel()));
            }
            System.out.println(head);
            for (org.cklbench.site.SiteData.Row r : b.rows()) {
                printRow(b, r.method(), false, r.values());
            }
            for (org.cklbench.site.SiteData.ReportedRow r : b.reported()) {
                printRow(b, r.label(), true, r.values());
            }
            for (org.cklbench.site.SiteData.ReferenceValue ref : b.references()) {
                System.out.printf("%s (%s): %s%n", ref.label(), ref.columnLabel(), ref.text());
            }
            System.out.println("(under each row: 95% interval over seeds and probes, t on the seeds and a probe bootstrap)");
            if (b.referenceNote() != null) {
                System.out.println("(" + b.referenceNote() + ")");
            } else {
                System.out.println("(▲/▼: better/worse than " + b.reference() + " at the preset's settings,"
                        + " paired over seeds and probes, Benjamini-Hochberg over the table's " + b.comparisons()
                        + " comparisons, false-discovery rate 5%)");
            }
            System.out.println("(* reported in the paper, for " + (b.reportedModel() == null ? "another model" : b.reportedModel()) + ")");
        }
    }

    /** One row and, where any value has one, the line of its intervals. */
    private static void printRow(org.cklbench.site.SiteData.Board b, String name, boolean reported,
                                 java.util.Map<String, org.cklbench.site.SiteData.Cell> values) {
        String shown = name.length() > 17 ? name.substring(0, 17) : name;
        StringBuilder line = new StringBuilder(String.format("%-18s", reported ? shown + "*" : shown));
        StringBuilder ci = new StringBuilder(String.format("%-18s", ""));
        for (org.cklbench.site.SiteData.ColumnHead c : b.columns()) {
            org.cklbench.site.SiteData.Cell v = values.get(c.key());
            String mark = v == null || v.vsReference() == null ? "" : v.vsReference().equals("better") ? " ▲"
                    : v.vsReference().equals("worse") ? " ▼" : "";
            // a space before each cell, so a value wider than the column never runs into the last
            line.append(' ').append(String.format("%" + WIDTH + "s", (v == null ? "–" : v.text()) + mark));
            ci.append(' ').append(String.format("%" + WIDTH + "s", v == null || v.interval() == null ? "" : v.interval()));
        }
        System.out.println(line);
        if (!ci.toString().isBlank()) {
            System.out.println(ci);
        }
    }
}
