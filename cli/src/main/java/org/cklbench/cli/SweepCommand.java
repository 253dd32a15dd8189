package org.cklbench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.FileLocks;
import org.cklbench.core.plugin.Registries;
import org.cklbench.sweeps.Grid;
import org.cklbench.sweeps.LocalExecutor;
import org.cklbench.sweeps.Slurm;
import org.cklbench.sweeps.SlurmExecutor;
import org.cklbench.sweeps.SlurmResources;
import org.cklbench.sweeps.SweepEntry;
import org.cklbench.sweeps.SweepFolder;
import org.cklbench.sweeps.SweepStatus;
import org.cklbench.site.SiteBuilder;
import org.cklbench.text.Printable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false, subcommands = {SweepCommand.Status.class, SweepCommand.WorkerCommand.class},
        header = "Run a grid of runs, on this machine or on Slurm, and build its site.",
        // --grid and --out cannot be declared required: picocli would then ask them of 'ckl sweep status' too
        customSynopsis = {"ckl sweep --grid=<grid> --out=<out> [OPTIONS]", "       ckl sweep status --out=<out> [--json]"},
        description = {"Run a grid of runs (benchmarks x methods x presets x seeds x models x",
            "parameters) into one folder, on this machine or as a Slurm job array, and",
            "build its leaderboard site in <out>/site. Each run goes to",
            "<out>/<benchmark>_<method>_<preset>_s<seed>_<hash>, the hash of its resolved",
            "configuration. Complete runs are skipped, queued and running ones left",
            "alone; only failed and missing runs are (re)submitted, and an interrupted",
            "run resumes from its checkpoint.",
            "",
            "Grid file (JSON), e.g.",
            "  {\"benchmark\": \"lama-ckl\", \"method\": [\"finetune\", \"taalm\"], \"seed\": [1, 2],",
            "   \"preset\": \"smoke\"}",
            "Keys, each one value or a list: benchmark, method, preset, seed, model,",
            "data, device, dtype, threads; params and set: objects of method parameters",
            "and preset overrides, each one value or a list (a parameter <method>.<name>",
            "goes only to specs holding that method, e.g. \"taalm.ta\": \"ta-model\");",
            "grids: sub-grids that inherit the other keys; cost: what each run of a",
            "(sub-)grid costs relative to the others (default 1; the local queue runs",
            "the costliest first, after the runs that make a preparation); slurm: {gpus,",
            "cpus, mem, time, partition, account, qos, throttle, job_name, sbatch:",
            "[options], setup: [shell lines]}. Relative paths are read from the grid",
            "file's folder. docs/sweeps.md has the paper's full grid.",
            ""})
final class SweepCommand implements Callable<Integer> {
    @Option(names = "--grid", description = "The grid file (JSON). Required.")
    Path grid;

    @Option(names = "--out", description = "The sweep folder (on a file system every node shares, for Slurm). Required.")
    Path out;

    @Option(names = "--executor", defaultValue = "local", description = "local or slurm (default: ${DEFAULT-VALUE}).")
    String executor;

    @Option(names = "--wait", description = "slurm: wait until the array and the site build have ended, then report (exit 1 if a run failed).")
    boolean await;

    @Option(names = "--workers", defaultValue = "1", description = "local: runs at once (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--max-runs", defaultValue = "10000", description = "Refuse a grid of more combinations than this (default: ${DEFAULT-VALUE}).")
    long maxRuns;

    @Option(names = "--dry-run", description = "List the runs and what would be submitted, write the Slurm scripts, submit nothing.")
    boolean dryRun;

    @Mixin
    PluginOptions plugins;

    @Option(names = "--ckl", paramLabel = "COMMAND", description = "How runs start ckl, split at spaces (default: $CKL_LAUNCHER,"
        + " which ./ckl sets to itself, else this JVM), e.g. \"apptainer exec ckl.sif ckl\".")
    String ckl;

    @Option(names = "--gpus", description = "slurm: GPUs per task (--gres=gpu:N).")
    Integer gpus;

    @Option(names = "--cpus", description = "slurm: CPUs per task.")
    Integer cpus;

    @Option(names = "--mem", description = "slurm: memory per task, e.g. 64G.")
    String mem;

    @Option(names = "--time", description = "slurm: time limit per task, e.g. 12:00:00.")
    String time;

    @Option(names = "--partition", description = "slurm: partition.")
    String partition;

    @Option(names = "--account", description = "slurm: account.")
    String account;

    @Option(names = "--qos", description = "slurm: quality of service.")
    String qos;

    @Option(names = "--throttle", description = "slurm: most tasks running at once (--array=...%%N).")
    Integer throttle;

    @Option(names = "--sbatch", paramLabel = "OPTION", description = "slurm: a further sbatch option for the tasks, e.g. --constraint=a100 (repeatable).")
    List<String> sbatch = new ArrayList<>();

    @Option(names = "--poll", defaultValue = "30", description = "slurm --wait: seconds between looks at the queue (default: ${DEFAULT-VALUE}).")
    int poll;

    @Spec
    CommandSpec spec;

    private PrintWriter err;

    @Override
    public Integer call() throws Exception {
        err = spec.commandLine().getErr();
        if (grid == null || out == null) {
            throw new UsageError("ckl sweep needs --grid FILE and --out DIR (ckl sweep --help)");
        }
        if (!executor.equals("local") && !executor.equals("slurm")) {
            throw new UsageError("--executor must be local or slurm, not '" + executor + "'");
        }
        Grid g = Grid.read(grid);
        Registries registries = plugins.registries();
        List<SweepEntry> entries = g.expand(registries, maxRuns);
        SweepFolder folder = new SweepFolder(out);
        Path plug = plugins.dir() == null ? null : plugins.dir().toAbsolutePath().normalize();
        SlurmResources res = SlurmResources.of(g.slurm()).overriddenBy(gpus, cpus, mem, time, partition, account, qos,
                throttle, sbatch);
        Files.createDirectories(folder.meta());
        Slurm slurm = new Slurm();
        try (FileLocks.Held lock = FileLocks.tryAcquire(folder.lockFile()).orElseThrow(() -> new IllegalStateException(
                "another ckl sweep (process " + FileLocks.holder(folder.lockFile()) + ") is submitting or running "
                        + folder.dir() + "; let it finish first"))) {
            List<String> ids = entries.stream().map(SweepEntry::id).toList();
            SweepStatus.Report before = SweepStatus.of(folder, ids, slurm);
            List<SweepEntry> todo = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                SweepStatus.State s = before.rows().get(i).state();
                if (s.toRun()) {
                    todo.add(entries.get(i));
                }
            }
            err.printf("ckl sweep: %d run(s): %d done, %d running, %d queued, %d to %s%n", entries.size(),
                    before.count(SweepStatus.State.DONE), before.count(SweepStatus.State.RUNNING),
                    before.count(SweepStatus.State.PENDING), todo.size(), executor.equals("slurm") ? "submit" : "run");
            if (dryRun) {
                todo.forEach(e -> System.out.println(Printable.of(e.id() + "  "
                        + String.join(" ", e.runArgs(folder.runDir(e.id()), plug)))));
                if (executor.equals("slurm") && !todo.isEmpty()) {
                    Path[] p = slurmExecutor(folder, slurm, res, plug).writeScripts(todo, folder.submissions().size() + 1);
                    err.println("ckl sweep: --dry-run wrote " + p[0] + " and " + p[1] + "; nothing submitted");
                }
                return 0;
            }
            folder.recordRuns(entries, plug);
            if (executor.equals("local")) {
                return local(folder, todo, ids, plug, registries);
            }
            return slurm(folder, slurm, res, todo, ids, plug, lock);
        }
    }

    private int local(SweepFolder folder, List<SweepEntry> todo, List<String> ids, Path plug, Registries registries)
            throws Exception {
        if (!todo.isEmpty()) {
            new LocalExecutor(folder, workerCommand(ckl, folder, plug), LocalExecutor.environment(Home.get()), workers)
                    .run(todo, registries, plug, new BarProgress());
        }
        if (siteStale(folder)) {
            buildSite(folder);
        }
        return report(folder, ids);
    }

    private int slurm(SweepFolder folder, Slurm slurm, SlurmResources res, List<SweepEntry> todo, List<String> ids,
                      Path plug, FileLocks.Held lock) throws Exception {
        if (folder.dir().toString().matches(".*\\s.*")) {
            throw new IllegalArgumentException("the sweep folder " + folder.dir() + " has white space in its path,"
                    + " which #SBATCH lines cannot carry; choose another --out");
        }
        Set<String> active = activeJobs(folder, slurm);
        List<String> wait = new ArrayList<>(active);
        if (todo.isEmpty()) {
            err.println("ckl sweep: nothing to submit");
            if (active.isEmpty() && siteStale(folder)) {
                buildSite(folder);
            }
        } else {
            if (res.gpus() != null && res.gpus() > 0 && todo.stream().anyMatch(e -> e.device().equals("cpu"))) {
                err.println("ckl sweep: warning: tasks get GPUs but some runs use device cpu; set \"device\": \"gpu\" in the grid");
            }
            SweepFolder.Submission s = slurmExecutor(folder, slurm, res, plug).submit(todo, active);
            System.out.println("submitted job array " + s.job() + " (" + todo.size() + " task(s)) and site build "
                    + s.siteJob() + "; script " + folder.dir().resolve(s.script()) + "; logs " + folder.logs());
            wait.add(s.job());
            wait.add(s.siteJob());
        }
        lock.close(); // the jobs are in the queue; another sweep may now look at them
        if (!await) {
            err.println("ckl sweep: follow it with: ckl sweep status --out " + folder.dir());
            return 0;
        }
        new SlurmExecutor(folder, slurm, List.of(), Map.of(), res, plug).await(wait, ids, Duration.ofSeconds(poll),
                new BarProgress());
        return report(folder, ids);
    }

    private SlurmExecutor slurmExecutor(SweepFolder folder, Slurm slurm, SlurmResources res, Path plug) {
        return new SlurmExecutor(folder, slurm, Launcher.command(ckl), env(), res, plug);
    }

    /** What every run's process gets: the same CKL_HOME as this one, and line-by-line progress for log files. */
    private static Map<String, String> env() {
        return Map.of("CKL_HOME", Home.get().toAbsolutePath().toString(), "CKL_PROGRESS", "lines",
                "OPT_OUT_TRACKING", "true");
    }

    /** The command that starts one worker of a local sweep on {@code folder} ({@link WorkerCommand}). */
    static List<String> workerCommand(String ckl, SweepFolder folder, Path plugins) {
        List<String> cmd = new ArrayList<>(Launcher.command(ckl));
        cmd.addAll(List.of("sweep", "worker", "--out", folder.dir().toString()));
        if (plugins != null) {
            cmd.addAll(List.of("--plugins", plugins.toString()));
        }
        return cmd;
    }

    /** Slurm arrays of earlier submissions that still have tasks queued or running. */
    private static Set<String> activeJobs(SweepFolder folder, Slurm slurm) throws IOException {
        Set<String> jobs = new LinkedHashSet<>();
        folder.submissions().stream().filter(s -> "slurm".equals(s.executor())).forEach(s -> jobs.add(s.job()));
        Set<String> active = new LinkedHashSet<>();
        for (String task : slurm.queue(jobs).keySet()) {
            active.add(task.split("_")[0]);
        }
        return active;
    }

    private static boolean siteStale(SweepFolder folder) throws IOException {
        Path index = folder.site().resolve("index.html");
        if (!Files.isRegularFile(index)) {
            return true;
        }
        long built = Files.getLastModifiedTime(index).toMillis();
        try (Stream<Path> s = Files.list(folder.dir())) {
            for (Path p : s.toList()) {
                Path summary = p.resolve(org.cklbench.runfolder.RunFolder.SUMMARY);
                if (Files.isRegularFile(summary) && Files.getLastModifiedTime(summary).toMillis() > built) {
                    return true;
                }
            }
        }
        return false;
    }

    private void buildSite(SweepFolder folder) throws Exception {
        Registries registries = plugins.registries();
        Path index = SiteBuilder.build(folder.dir(), folder.site(), SiteCommand.methodInfo(registries),
                SiteCommand.specs(registries));
        SiteCommand.reportSkipped(folder.site(), err);
        err.println("ckl sweep: site " + index.toAbsolutePath());
    }

    /** Prints the status of {@code ids}; 0 when every one is done, else 1. */
    private static int report(SweepFolder folder, List<String> ids) throws IOException {
        SweepStatus.Report r = SweepStatus.of(folder, ids, new Slurm());
        Status.print(r);
        return r.count(SweepStatus.State.DONE) == ids.size() ? 0 : 1;
    }

    @Command(name = "worker", hidden = true, mixinStandardHelpOptions = true,
            header = "Internal: run the queued runs of a local sweep that no other worker has claimed.",
            description = "A worker of a local sweep (ckl sweep, ckl quickstart): it runs the queued runs of <out> that no"
                + " other worker has claimed, one after another in this process, until none is left.")
    static final class WorkerCommand implements Callable<Integer> {
        @Mixin
        SweepFolderOption out;

        @Mixin
        PluginOptions plugins;

        @Override
        public Integer call() throws Exception {
            org.cklbench.engine.djl.PyTorchEngine.initForResults();
            return org.cklbench.sweeps.Worker.run(out.folder(), plugins.registries(), Home.get(),
                    BarProgress::new, e -> Printable.of(ErrorMessages.of(e)));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            header = "Say where each run of a sweep stands.",
            description = "Where each run of a sweep stands: done, running, pending (queued), failed, not started"
                + " (submitted, but its job or the local sweep ended before it began) or missing, from the run"
                + " folders and, for Slurm sweeps, squeue and sacct; with the log to read for each failure.")
    static final class Status implements Callable<Integer> {
        @Mixin
        SweepFolderOption out;

        @Option(names = "--json", description = "Print the report as JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            SweepFolder folder = out.folder();
            if (!Files.isRegularFile(folder.meta().resolve("runs.json"))) {
                throw new IllegalArgumentException(folder.dir() + " is not a sweep folder (no " + SweepFolder.META
                        + "/runs.json); start one with ckl sweep --grid FILE --out DIR");
            }
            SweepStatus.Report r = SweepStatus.of(folder, List.copyOf(folder.runs().keySet()), new Slurm());
            if (json) {
                ObjectMapper m = new ObjectMapper();
                ObjectNode root = m.createObjectNode();
                ArrayNode runs = root.putArray("runs");
                for (SweepStatus.Row row : r.rows()) {
                    ObjectNode n = runs.addObject();
                    n.put("id", row.id());
                    n.put("state", row.state().label());
                    n.put("detail", row.detail());
                    n.put("log", row.log() == null ? null : row.log().toString());
                }
                root.put("site", r.siteState());
                root.set("notes", m.valueToTree(r.notes()));
                System.out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            } else {
                print(r);
            }
            return 0;
        }

        static void print(SweepStatus.Report r) {
            // ids come from runs.json and details from logs: text from files, printed escaped
            int w = r.rows().stream().mapToInt(x -> Printable.of(x.id()).length()).max().orElse(2);
            for (SweepStatus.Row row : r.rows()) {
                System.out.printf("%-" + w + "s  %-11s  %s%s%n", Printable.of(row.id()), row.state().label(),
                        Printable.of(row.detail()), row.log() != null && row.state() == SweepStatus.State.FAILED
                                ? " (log: " + Printable.of(row.log()) + ")" : "");
            }
            StringBuilder total = new StringBuilder();
            for (SweepStatus.State s : SweepStatus.State.values()) {
                total.append(total.length() == 0 ? "" : ", ").append(r.count(s)).append(' ').append(s.label());
            }
            System.out.println(r.rows().size() + " run(s): " + total + "; site " + r.siteState());
            r.notes().forEach(n -> System.out.println("note: " + Printable.of(n)));
        }
    }
}
