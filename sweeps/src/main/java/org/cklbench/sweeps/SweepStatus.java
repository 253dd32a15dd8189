package org.cklbench.sweeps;

import org.cklbench.io.FileLocks;
import org.cklbench.runfolder.RunFolder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where each run of a sweep stands, from its run folder first (complete is complete, whoever ran
 * it) and from Slurm for what the folder cannot say (queued, or why it stopped).
 */
public final class SweepStatus {
    /** A run's state as a researcher asks about it. */
    public enum State {
        DONE, RUNNING, PENDING, FAILED,
        /** Submitted, no longer queued, and never begun: no run folder and no log (a cancelled array, a stopped sweep). */
        NOT_STARTED,
        MISSING;

        public String label() {
            return name().toLowerCase().replace('_', ' ');
        }

        /** Whether a sweep runs or submits it (again). */
        public boolean toRun() {
            return this == FAILED || this == NOT_STARTED || this == MISSING;
        }
    }

    /** One run: its state, a short reason, and the log to read (null when none). */
    public record Row(String id, State state, String detail, Path log) {
    }

    /** The whole sweep; {@code note} says what could not be asked (e.g. no sacct). */
    public record Report(List<Row> rows, String siteState, List<String> notes) {
        public long count(State s) {
            return rows.stream().filter(r -> r.state() == s).count();
        }
    }

    private static final Set<String> QUEUED = Set.of("PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "CONFIGURING",
            "RESV_DEL_HOLD", "SUSPENDED", "STOPPED");

    private SweepStatus() {
    }

    /**
     * squeue leaves out an array task for a moment while it starts (seen on Slurm 22.05 when a
     * requeued task is released): a task missing from one answer is asked about once more after
     * this pause before it is called failed, so a sweep does not submit a run that is starting.
     */
    private static final long RECHECK_MILLIS = 1000;

    /** The state of each of {@code ids}; asks Slurm only when some of them were submitted there. */
    public static Report of(SweepFolder folder, Collection<String> ids, Slurm slurm) throws IOException {
        List<SweepFolder.Submission> subs = folder.submissions();
        Report r = once(folder, subs, ids, slurm);
        boolean onSlurm = subs.stream().anyMatch(s -> "slurm".equals(s.executor()));
        if (!onSlurm || r.count(State.FAILED) + r.count(State.NOT_STARTED) == 0) {
            return r;
        }
        try {
            Thread.sleep(RECHECK_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return r;
        }
        return once(folder, folder.submissions(), ids, slurm);
    }

    private static Report once(SweepFolder folder, List<SweepFolder.Submission> subs, Collection<String> ids,
                               Slurm slurm) throws IOException {
        Set<String> jobs = new LinkedHashSet<>();
        for (SweepFolder.Submission s : subs) {
            if ("slurm".equals(s.executor())) {
                jobs.add(s.job());
                if (s.siteJob() != null) {
                    jobs.add(s.siteJob());
                }
            }
        }
        List<String> notes = new ArrayList<>();
        Map<String, String> queue = Map.of();
        Optional<Map<String, String>> acct = Optional.empty();
        if (!jobs.isEmpty()) {
            if (Slurm.available("squeue")) {
                queue = slurm.queue(jobs);
                acct = slurm.accounting(jobs);
                if (acct.isEmpty()) {
                    notes.add("sacct gave no answer (no job accounting on this cluster): why a task ended is read from its log");
                }
            } else {
                notes.add("squeue is not on the PATH: queued tasks are not known here; states come from the run folders");
            }
        }
        List<Row> rows = new ArrayList<>();
        for (String id : ids) {
            rows.add(row(folder, id, subs, queue, acct.orElse(Map.of())));
        }
        return new Report(rows, site(folder, subs, queue), notes);
    }

    private static Row row(SweepFolder folder, String id, List<SweepFolder.Submission> subs, Map<String, String> queue,
                           Map<String, String> acct) throws IOException {
        SweepFolder.RunState run = folder.state(id);
        if (run == SweepFolder.RunState.COMPLETE) {
            return new Row(id, State.DONE, "complete", null);
        }
        SweepFolder.Submission sub = null;
        int task = -1;
        for (int i = subs.size() - 1; i >= 0 && sub == null; i--) {
            int k = subs.get(i).tasks().indexOf(id);
            if (k >= 0) {
                sub = subs.get(i);
                task = k;
            }
        }
        String progress = run == SweepFolder.RunState.ABSENT ? "not started" : folder.evaluations(id) + " evaluation(s) done";
        boolean onSlurm = sub != null && "slurm".equals(sub.executor());
        String key = onSlurm ? sub.job() + "_" + task : null;
        Path log = sub == null ? null : folder.logs().resolve(onSlurm ? key + ".out" : id + ".log");
        String q = onSlurm ? queue.get(key) : null;
        if (q != null) {
            return new Row(id, QUEUED.contains(q) ? State.PENDING : State.RUNNING, "job " + key + " " + q + ", " + progress,
                    log);
        }
        if (run == SweepFolder.RunState.WRITING) {
            return new Row(id, State.RUNNING, "being written by process " + holder(folder, id) + ", " + progress, log);
        }
        boolean begun = run != SweepFolder.RunState.ABSENT || (log != null && Files.exists(log));
        if (onSlurm) {
            String why = acct.containsKey(key) ? acct.get(key) : lastError(log).orElse("no longer queued");
            return begun ? new Row(id, State.FAILED, "job " + key + ": " + why + "; " + progress, log)
                    : new Row(id, State.NOT_STARTED, "job " + key + ": " + why + "; it never began (no log)", null);
        }
        if (sub != null) {
            if (sub == subs.get(subs.size() - 1) && FileLocks.heldElsewhere(folder.lockFile())) {
                return new Row(id, State.PENDING, "waiting for a worker of the local sweep (process "
                        + FileLocks.holder(folder.lockFile()) + ")", log);
            }
            return begun ? new Row(id, State.FAILED, lastError(log).orElse("ended without a summary") + "; " + progress, log)
                    : new Row(id, State.NOT_STARTED, "submitted, but the local sweep ended before it began", null);
        }
        return run == SweepFolder.RunState.INTERRUPTED
                ? new Row(id, State.FAILED, "interrupted; " + progress, null)
                : new Row(id, State.MISSING, "not submitted", null);
    }

    private static String site(SweepFolder folder, List<SweepFolder.Submission> subs, Map<String, String> queue) {
        for (int i = subs.size() - 1; i >= 0; i--) {
            String job = subs.get(i).siteJob();
            if (job != null && queue.containsKey(job)) {
                return "site job " + job + " " + queue.get(job) + " (it runs when the array ends)";
            }
        }
        return Files.isRegularFile(folder.site().resolve("index.html")) ? "built: " + folder.site().resolve("index.html")
                : "not built";
    }

    private static String holder(SweepFolder folder, String id) {
        return FileLocks.holder(folder.runDir(id).resolve(RunFolder.LOCK));
    }

    /** The last "ckl: error:" line of a log, which says what went wrong and what to do. */
    static Optional<String> lastError(Path log) {
        if (!Files.isRegularFile(log)) {
            return Optional.empty();
        }
        try {
            String last = null;
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.startsWith("ckl: error:")) {
                    last = line.substring("ckl: error:".length()).strip();
                }
            }
            return Optional.ofNullable(last);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
