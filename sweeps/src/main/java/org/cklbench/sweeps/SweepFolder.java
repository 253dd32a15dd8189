package org.cklbench.sweeps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.AtomicFiles;
import org.cklbench.io.JsonLines;
import org.cklbench.runfolder.RunFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep's folder: one run folder per entry, named by the entry's id, beside {@code .sweep/} that
 * holds the sweep's own records: {@code runs.json} (every entry ever swept here, with its
 * configuration and its {@code ckl run} arguments), {@code submissions.jsonl} (one line per
 * submission: executor, job ids, which entry each array task runs), the Slurm scripts and the logs;
 * for a local sweep also {@code queue.json} (its runs in the order workers take them) and
 * {@code claims/} (a file per run a worker has taken).
 * The state of a run is read from its folder, never stored: a folder is the truth.
 */
public final class SweepFolder {
    public static final String META = ".sweep";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a run folder says about its run. */
    public enum RunState {
        /** summary.json is written. */
        COMPLETE,
        /** A process holds the folder's lock now. */
        WRITING,
        /** Started (run.json) but neither complete nor being written: killed, failed or cancelled. */
        INTERRUPTED,
        /** No run.json. */
        ABSENT
    }

    /** One submission: {@code tasks.get(i)} is the entry id array task {@code i} runs. */
    public record Submission(String executor, String job, String siteJob, List<String> tasks, String time,
                             String script) {
    }

    /** A run of a local sweep's queue: its id, what it asks for, and the same as {@code ckl run} arguments (for its log). */
    public record Queued(String id, org.cklbench.core.run.RunRequest request, List<String> args) {
    }

    private final Path dir;

    public SweepFolder(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    public Path meta() {
        return dir.resolve(META);
    }

    public Path logs() {
        return meta().resolve("logs");
    }

    /** Held by the {@code ckl sweep} that submits or runs this folder's entries. */
    public Path lockFile() {
        return meta().resolve("lock");
    }

    public Path site() {
        return dir.resolve("site");
    }

    public Path runDir(String entryId) {
        return dir.resolve(entryId);
    }

    public RunState state(String entryId) throws IOException {
        RunFolder f = new RunFolder(runDir(entryId));
        if (f.complete()) {
            return RunState.COMPLETE;
        }
        if (f.running()) {
            return RunState.WRITING;
        }
        return f.exists() ? RunState.INTERRUPTED : RunState.ABSENT;
    }

    /** The number of evaluations a run folder holds so far (its metrics.jsonl lines). */
    public int evaluations(String entryId) throws IOException {
        return new RunFolder(runDir(entryId)).metrics().size();
    }

    /**
     * Adds {@code entries}, with their configuration and {@code ckl run} arguments, to runs.json
     * (which keeps the entries of earlier grids, so their folders stay accounted for).
     */
    public void recordRuns(List<SweepEntry> entries, Path plugins) throws IOException {
        Map<String, JsonNode> runs = runs();
        for (SweepEntry e : entries) {
            ObjectNode n = JSON.createObjectNode();
            n.put("id", e.id());
            n.set("config", JSON.valueToTree(e.config()));
            n.set("args", JSON.valueToTree(e.runArgs(runDir(e.id()), plugins)));
            runs.put(e.id(), n);
        }
        ArrayNode arr = JSON.createArrayNode();
        runs.values().forEach(arr::add);
        Files.createDirectories(meta());
        AtomicFiles.writeString(meta().resolve("runs.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(arr) + "\n");
    }

    /** Every entry recorded in runs.json, by id, in the order first swept. */
    public Map<String, JsonNode> runs() throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        Path f = meta().resolve("runs.json");
        if (Files.isRegularFile(f)) {
            for (JsonNode n : JSON.readTree(f.toFile())) {
                out.put(n.get("id").asText(), n);
            }
        }
        return out;
    }

    /** Writes the queue a local sweep's workers take their runs from, in that order, and clears the claims. */
    public void writeQueue(List<SweepEntry> ordered, Path plugins) throws IOException {
        List<Queued> q = ordered.stream().map(e -> new Queued(e.id(), e.request(), e.runArgs(runDir(e.id()), plugins)))
                .toList();
        Files.createDirectories(meta());
        AtomicFiles.writeString(meta().resolve("queue.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(q) + "\n");
        org.cklbench.io.Folders.deleteTree(claims());
        Files.createDirectories(claims());
    }

    public List<Queued> queue() throws IOException {
        Path f = meta().resolve("queue.json");
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException(dir + " has no queue of runs (" + META + "/queue.json); a worker is started"
                    + " by ckl sweep or ckl quickstart");
        }
        return List.of(JSON.readValue(f.toFile(), Queued[].class));
    }

    private Path claims() {
        return meta().resolve("claims");
    }

    /** Whether a worker has taken run {@code id}. */
    public boolean claimed(String id) {
        return Files.exists(claims().resolve(id));
    }

    /** Takes run {@code id} for this worker; false when another worker took it first. */
    public boolean claim(String id) throws IOException {
        try {
            Files.createFile(claims().resolve(id));
            return true;
        } catch (java.nio.file.FileAlreadyExistsException taken) {
            return false;
        }
    }

    public void record(Submission s) throws IOException {
        List<Object> lines = new ArrayList<>(submissions());
        lines.add(s);
        Files.createDirectories(meta());
        JsonLines.write(meta().resolve("submissions.jsonl"), lines);
    }

    public List<Submission> submissions() throws IOException {
        List<Submission> out = new ArrayList<>();
        Path f = meta().resolve("submissions.jsonl");
        if (Files.isRegularFile(f)) {
            JsonLines.forEach(f, l -> out.add(JSON.treeToValue(l.node(), Submission.class)));
        }
        return out;
    }
}
