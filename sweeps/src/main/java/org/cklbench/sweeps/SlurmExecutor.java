package org.cklbench.sweeps;

import org.cklbench.io.ArithmeticPin;

import org.cklbench.io.AtomicFiles;
import org.cklbench.progress.Progress;

import org.cklbench.text.Printable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Hands a sweep to Slurm: one job array (a task per run, each running {@code ckl run} into its own
 * folder, resuming it if Slurm requeues the task), then a site build that depends on the array with
 * {@code afterany}, so the leaderboard is rebuilt when the sweep ends however its tasks ended.
 * The scripts are kept in {@code .sweep/slurm/} so what ran can be read and resubmitted by hand.
 */
public final class SlurmExecutor {
    private final SweepFolder folder;
    private final Slurm slurm;
    private final List<String> ckl;
    private final Map<String, String> env;
    private final SlurmResources resources;
    private final Path plugins;

    /**
     * @param ckl the command that starts ckl on a compute node (a launcher, or java with its class path)
     * @param env variables each task exports (CKL_HOME, ...)
     */
    public SlurmExecutor(SweepFolder folder, Slurm slurm, List<String> ckl, Map<String, String> env,
                         SlurmResources resources, Path plugins) {
        this.folder = folder;
        this.slurm = slurm;
        this.ckl = List.copyOf(ckl);
        this.env = new TreeMap<>(env);
        this.resources = resources;
        this.plugins = plugins;
    }

    /** Paths of the two scripts of submission number {@code n}. */
    public Path[] scripts(int n) {
        Path dir = folder.meta().resolve("slurm");
        String stem = String.format("submit-%03d", n);
        return new Path[] {dir.resolve(stem + ".sh"), dir.resolve(stem + "-site.sh")};
    }

    /**
     * Writes the scripts for {@code todo} and submits them; the site build waits for this array and
     * for {@code activeJobs} (arrays of earlier submissions still queued). Returns what was submitted.
     */
    public SweepFolder.Submission submit(List<SweepEntry> todo, Collection<String> activeJobs) throws IOException {
        int n = folder.submissions().size() + 1;
        Path[] paths = writeScripts(todo, n);
        String job = slurm.submit(paths[0], List.of());
        List<String> after = new ArrayList<>(activeJobs);
        after.add(job);
        String site = slurm.submit(paths[1], List.of("--dependency=afterany:" + String.join(":", after)));
        SweepFolder.Submission s = new SweepFolder.Submission("slurm", job, site,
                todo.stream().map(SweepEntry::id).toList(), Instant.now().toString(),
                folder.dir().relativize(paths[0]).toString());
        folder.record(s);
        return s;
    }

    /** Writes the array script and the site script of submission {@code n}; returns their paths. */
    public Path[] writeScripts(List<SweepEntry> todo, int n) throws IOException {
        Path[] paths = scripts(n);
        Files.createDirectories(paths[0].getParent());
        Files.createDirectories(folder.logs());
        AtomicFiles.writeString(paths[0], arrayScript(todo));
        AtomicFiles.writeString(paths[1], siteScript());
        return paths;
    }

    String arrayScript(List<SweepEntry> todo) {
        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        s.append("# Written by ckl sweep: ").append(todo.size()).append(" run(s), one array task each. A task runs\n")
                .append("# ckl run into its own folder and resumes it there, so Slurm may requeue it at will.\n");
        s.append("#SBATCH --job-name=").append(resources.jobName()).append('\n');
        s.append("#SBATCH --array=0-").append(todo.size() - 1)
                .append(resources.throttle() > 0 ? "%" + resources.throttle() : "").append('\n');
        s.append("#SBATCH --output=").append(sbatchLog(folder.logs(), "%A_%a.out")).append('\n');
        s.append("#SBATCH --open-mode=append\n");
        s.append("#SBATCH --requeue\n");
        for (String o : resources.taskOptions()) {
            s.append("#SBATCH ").append(o).append('\n');
        }
        preamble(s);
        s.append("echo \"== array task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID on $(hostname) at $(date -Is)"
                + " (restart ${SLURM_RESTART_COUNT:-0})\"\n");
        s.append("case \"$SLURM_ARRAY_TASK_ID\" in\n");
        for (int i = 0; i < todo.size(); i++) {
            SweepEntry e = todo.get(i);
            List<String> cmd = new ArrayList<>(ckl);
            cmd.addAll(e.runArgs(folder.runDir(e.id()), plugins));
            s.append("  ").append(i).append(") # ").append(e.id()).append("\n    exec ").append(quote(cmd)).append(" ;;\n");
        }
        s.append("  *) echo \"ckl sweep: array task $SLURM_ARRAY_TASK_ID has no run\" >&2; exit 2 ;;\nesac\n");
        return s.toString();
    }

    String siteScript() {
        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        s.append("# Written by ckl sweep: rebuilds the leaderboard from every complete run of the sweep.\n");
        s.append("#SBATCH --job-name=").append(resources.jobName()).append("-site\n");
        s.append("#SBATCH --output=").append(sbatchLog(folder.logs(), "site-%j.out")).append('\n');
        s.append("#SBATCH --open-mode=append\n");
        s.append("#SBATCH --cpus-per-task=1\n");
        for (String o : resources.chargeOptions()) {
            s.append("#SBATCH ").append(o).append('\n');
        }
        preamble(s);
        List<String> cmd = new ArrayList<>(ckl);
        cmd.addAll(List.of("site", "build", "--runs", folder.dir().toString(), "--out", folder.site().toString()));
        if (plugins != null) {
            cmd.addAll(List.of("--plugins", plugins.toString()));
        }
        s.append("exec ").append(quote(cmd)).append('\n');
        return s.toString();
    }

    private void preamble(StringBuilder s) {
        s.append("set -eo pipefail\n");
        env.forEach((k, v) -> s.append("export ").append(k).append('=').append(quote(List.of(v))).append('\n'));
        for (String line : resources.setup()) {
            s.append(line).append('\n');
        }
        // after the set-up lines (a module load may set MKL's variables): the suite's pinned arithmetic
        s.append("# the arithmetic every result is computed with (ArithmeticPin v").append(ArithmeticPin.VERSION).append(")\n");
        Map<String, String> pinned = ArithmeticPin.apply(new java.util.LinkedHashMap<>());
        for (String gone : ArithmeticPin.removed()) {
            s.append("unset ").append(gone).append('\n');
        }
        pinned.forEach((k, v) -> s.append("export ").append(k).append('=').append(quote(List.of(v))).append('\n'));
    }

    /** Waits until none of {@code jobs} is queued, showing how many of {@code ids} have completed. */
    public void await(Collection<String> jobs, List<String> ids, Duration poll, Progress progress) throws IOException {
        try (Progress.Task bar = progress.start("sweep on Slurm", ids.size(), "run")) {
            long shown = 0;
            while (true) {
                Map<String, String> q = slurm.queue(jobs);
                long done = 0;
                for (String id : ids) {
                    if (folder.state(id) == SweepFolder.RunState.COMPLETE) {
                        done++;
                    }
                }
                bar.step(done - shown);
                shown = done;
                bar.message(q.values().stream().collect(Collectors.groupingBy(v -> v, TreeMap::new, Collectors.counting()))
                        .toString());
                if (q.isEmpty()) {
                    return;
                }
                try {
                    Thread.sleep(poll.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting; the jobs go on (ckl sweep status shows them)", e);
                }
            }
        }
    }

    /** Single-quotes each word for bash. */
    /**
     * {@code dir/pattern} as the value of an #SBATCH option. sbatch splits such a line at spaces, ends
     * it at '#', and reads "..." with backslash escapes; and a '%' in the value starts one of its
     * filename patterns, so the folder's own '%' is written '%%'. A line break cannot be written.
     */
    static String sbatchLog(Path dir, String pattern) {
        String d = dir.toString();
        if (d.indexOf('\n') >= 0 || d.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("the sweep folder " + Printable.of(d) + " holds a line break, which an"
                    + " #SBATCH line cannot carry; choose another --out");
        }
        String value = d.replace("%", "%%") + (d.endsWith("/") ? "" : "/") + pattern;
        return value.matches("[A-Za-z0-9_./=:,+@%-]+") ? value
                : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static String quote(List<String> words) {
        return words.stream().map(w -> w.matches("[A-Za-z0-9_./=:,+@%-]+") ? w : "'" + w.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }
}
