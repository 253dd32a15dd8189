package org.cklbench.cli;

import org.cklbench.core.benchmark.Benchmark;
import org.cklbench.core.benchmark.InputRequest;
import org.cklbench.core.plugin.Registries;
import org.cklbench.core.run.ResolvedRun;
import org.cklbench.core.run.RunRequest;
import org.cklbench.engine.djl.PyTorchEngine;
import org.cklbench.io.FileLocks;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.site.SiteBuilder;
import org.cklbench.site.SiteData;
import org.cklbench.sweeps.Grid;
import org.cklbench.sweeps.LocalExecutor;
import org.cklbench.sweeps.SweepEntry;
import org.cklbench.sweeps.SweepFolder;
import org.cklbench.text.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;

@Command(name = "quickstart", mixinStandardHelpOptions = true,
        header = "Run the embedded default end to end, offline, and print its leaderboards.",
        description = {"The embedded default, end to end and offline: generate the synthetic world, pretrain " +
            "its tiny base, build LAMA-ckl and TemporalWiki over it, meta-train the Train-Attention models, run every " +
            "method on both benchmarks (preset quick), build the site, print the leaderboards and the path of " +
            "index.html. Each method runs 3 seeds on each benchmark (intervals over seeds and probes; TAALM's " +
            "Train-Attention model is meta-trained per seed); a no-training row shows the base itself. Everything " +
            "is cached in CKL_HOME and every run folder is resumable, so a second call reuses what exists and an " +
            "interrupted one goes on. The plan is a grid, as ckl sweep reads (--grid to run another)."})
final class QuickstartCommand implements Callable<Integer> {
    /** The quickstart's plan (benchmarks x methods x seeds, and each run's cost), a grid in the resources. */
    static final String PLAN = "quickstart.json";

    @Option(names = "--out", defaultValue = "quickstart", description = "Where runs/ and site/ go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--threads", defaultValue = "0", description = "CPU cores to share among the workers (default: all);"
            + " each run computes on the suite's pinned thread count whatever this is, so results do not depend on it.")
    int threads;

    @Option(names = "--seeds", description = "Seeds 1..N of every method on each benchmark, for intervals over seeds"
            + " (default: the plan's, 3); TAALM's Train-Attention model is meta-trained per seed.")
    Integer seeds;

    @Option(names = "--grid", description = "Run this grid file (as ckl sweep reads) instead of the embedded plan, e.g."
            + " a smaller one; the rest is the same: inputs, runs, site, tables.")
    Path grid;

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

    private long t0;

    private void say(String what) {
        System.err.printf(Locale.ROOT, "[quickstart %s] %s%n", clock((System.nanoTime() - t0) / 1_000_000_000L), what);
    }

    private static String clock(long s) {
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /**
     * What CKL_HOME gives the quickstart: its base when the quick world's base is finished there; a worlds/
     * folder alone (a smoke run's world, a stopped pretraining) still means pretraining first.
     */
    static String homeLine(Path home) {
        return org.cklbench.datasets.world.WorldPreset.of("quick").made(home)
                ? "reusing what CKL_HOME already holds (world, base model, data, Train-Attention models)"
                : "first run: generating the world and pretraining its base model (about 2 minutes)";
    }

    @Override
    public Integer call() throws Exception {
        t0 = System.nanoTime();
        if (workers == 0) {
            workers = Math.min(2, java.lang.Runtime.getRuntime().availableProcessors());
        }
        if ((seeds != null && seeds < 1) || workers < 1) {
            throw new UsageError("--seeds must be 1 or more, --workers 0 (automatic) or more");
        }
        PyTorchEngine.initForResults();
        Path home = Home.get();
        BarProgress progress = new BarProgress();
        say("CKL_HOME is " + home);
        say(homeLine(home));
        Registries registries = Registries.load(null);
        List<SweepEntry> entries = plan().expand(registries);
        QuickstartProfile.Clock clock = new QuickstartProfile.Clock();
        prepareInputs(entries, registries, home, progress, clock);

        SweepFolder folder = new SweepFolder(out.resolve("runs"));
        Files.createDirectories(folder.meta());
        int cores = threads > 0 ? threads : java.lang.Runtime.getRuntime().availableProcessors();
        int perWorker = workers > 1 ? Math.max(1, cores / workers) : threads;
        try (FileLocks.Held lock = FileLocks.tryAcquire(folder.lockFile()).orElseThrow(() -> new IllegalStateException(
                "another ckl quickstart or sweep (process " + FileLocks.holder(folder.lockFile()) + ") is running "
                        + folder.dir() + "; let it finish first"))) {
            folder.recordRuns(entries, null);
            // reused: complete before this call, whoever ran them
            List<SweepEntry> todo = entries.stream().filter(e -> !new RunFolder(folder.runDir(e.id())).complete())
                    .map(e -> e.withThreads(perWorker)).toList();
            say(String.format(Locale.ROOT, "%d of %d runs complete already (reused), ", entries.size() - todo.size(),
                    entries.size()) + (todo.isEmpty() ? "nothing to run" : String.format(Locale.ROOT, "%d to do, %d at once",
                    todo.size(), Math.min(workers, todo.size()))));
            if (!todo.isEmpty()) {
                List<String> missing = new LocalExecutor(folder, SweepCommand.workerCommand(null, folder, null),
                        LocalExecutor.environment(home), workers).run(todo, registries, null, progress);
                if (!missing.isEmpty()) {
                    throw new IllegalStateException(missing.size() + " run(s) did not complete (" + missing.get(0)
                            + (missing.size() > 1 ? ", ..." : "") + "); their logs are " + folder.logs().resolve("<run>.log")
                            + "; run the quickstart again to resume them");
                }
            }
        }
        clock.mark("runs (" + workers + " at once)");
        Path site = out.resolve("site");
        Path index = SiteBuilder.build(folder.dir(), site, SiteCommand.methodInfo(registries), SiteCommand.specs(registries));
        SiteCommand.reportSkipped(site, new java.io.PrintWriter(System.err, true));
        say("site built");
        if (!noScreenshot) {
            screenshot(index, out.resolve("screenshots").resolve("home.png"));
        }
        clock.mark("site");
        printLeaderboards(SiteData.read(site));
        System.out.println();
        System.out.println("Open " + index.toAbsolutePath() + " (or: ./ckl site serve --dir " + site + ")");
        if (profile) {
            List<Path> dirs = entries.stream().map(e -> folder.runDir(e.id())).toList();
            String text = QuickstartProfile.report(clock, dirs, folder);
            System.out.println();
            System.out.print(text);
            org.cklbench.io.AtomicFiles.writeString(out.resolve("profile.txt"), text);
        }
        return 0;
    }

    /** The embedded plan, or {@code --grid}; with seeds 1..{@code --seeds} when given. */
    private Grid plan() throws IOException {
        Grid g;
        if (grid != null) {
            g = Grid.read(grid);
        } else {
            try (InputStream in = QuickstartCommand.class.getResourceAsStream(PLAN)) {
                g = Grid.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), Path.of(PLAN));
            }
        }
        return seeds == null ? g : g.with("seed", LongStream.rangeClosed(1, seeds).boxed().toList());
    }

    /**
     * Each benchmark's inputs (the world, its base, the data), made once before the workers start, so that
     * they do not wait for one another on the same files.
     */
    private void prepareInputs(List<SweepEntry> entries, Registries registries, Path home, BarProgress progress,
                               QuickstartProfile.Clock clock) throws IOException {
        Set<List<Object>> done = new LinkedHashSet<>();
        for (SweepEntry e : entries) {
            RunRequest r = e.request();
            if (!done.add(java.util.Arrays.asList(r.benchmark(), r.preset(), r.model(), r.data(), r.overrides()))) {
                continue;
            }
            ResolvedRun resolved = ResolvedRun.of(r, registries);
            Benchmark b = resolved.benchmark();
            b.inputs(new InputRequest(r.preset(), resolved.settings(), r.model(), r.data(), home), progress);
            say(b.leaderboard().title() + " over the world: ready");
            clock.mark("inputs: " + r.benchmark() + (done.size() == 1 ? " (the world, its base and data)" : " (data)"));
        }
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

    private static final int WIDTH = 18;

    /** The site's boards as terminal tables: each row's values with ▲/▼, and under it the 95% intervals. */
    static void printLeaderboards(SiteData data) {
        for (SiteData.Board b : data.leaderboards()) {
            System.out.println();
            System.out.printf("%s · preset %s · %s · weights %s · world %s%n", b.benchmark(), b.preset(), b.model(),
                    b.weightsShort(), b.worldShort());
            // the label column as wide as its longest label: "Mix-review (QLoRA)*" whole, never cut mid-parenthesis
            int labels = "method".length();
            for (SiteData.Row r : b.rows()) {
                labels = Math.max(labels, Printable.of(r.method()).length());
            }
            for (SiteData.ReportedRow r : b.reported()) {
                labels = Math.max(labels, Printable.of(r.label()).length() + 1);
            }
            String label = "%-" + labels + "s";
            StringBuilder head = new StringBuilder(String.format(label, "method"));
            for (SiteData.ColumnHead c : b.columns()) {
                head.append(' ').append(String.format("%" + WIDTH + "s", c.shortLabel()));
            }
            System.out.println(head);
            for (SiteData.Row r : b.rows()) {
                printRow(b, label, r.method(), false, r.values());
            }
            for (SiteData.ReportedRow r : b.reported()) {
                printRow(b, label, r.label(), true, r.values());
            }
            for (SiteData.ReferenceValue ref : b.references()) {
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
    private static void printRow(SiteData.Board b, String label, String name, boolean reported,
                                 Map<String, SiteData.Cell> values) {
        String shown = Printable.of(name);
        StringBuilder line = new StringBuilder(String.format(label, reported ? shown + "*" : shown));
        StringBuilder ci = new StringBuilder(String.format(label, ""));
        for (SiteData.ColumnHead c : b.columns()) {
            SiteData.Cell v = values.get(c.key());
            String mark = v == null || v.vsReference() == null ? "" : v.vsReference().equals("better") ? " ▲"
                    : v.vsReference().equals("worse") ? " ▼" : "";
            // a space before each cell, so a value wider than the column never runs into the last
            line.append(' ').append(String.format("%" + WIDTH + "s", (v == null ? "–" : v.text()) + mark));
            ci.append(' ').append(String.format("%" + WIDTH + "s", v == null || v.interval() == null ? ""
                    : v.interval()));
        }
        System.out.println(line);
        if (!ci.toString().isBlank()) {
            System.out.println(ci);
        }
    }
}
