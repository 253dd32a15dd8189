package org.cklbench.runfolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.AtomicFiles;
import org.cklbench.io.JsonLines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run's folder (SPEC §6): {@code run.json}, {@code metrics.jsonl}, {@code summary.json},
 * {@code predictions/}, and {@code checkpoint/} while the run is resumable. Every file is replaced
 * atomically, so a run killed at any moment leaves only whole files behind.
 */
public final class RunFolder {
    public static final String RUN = "run.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String SUMMARY = "summary.json";
    public static final String PREDICTIONS = "predictions";
    public static final String CHECKPOINT = "checkpoint";
    /** Held (an OS file lock) by the process writing the run; see {@link #running()}. */
    public static final String LOCK = ".lock";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private final Path dir;

    public RunFolder(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public boolean exists() {
        return Files.isRegularFile(dir.resolve(RUN));
    }

    public boolean complete() {
        return Files.isRegularFile(dir.resolve(SUMMARY));
    }

    /** Whether a process is writing this run now (on this host, or any host where the file system shares locks). */
    public boolean running() throws IOException {
        return org.cklbench.io.FileLocks.isHeld(dir.resolve(LOCK));
    }

    public ObjectNode runJson() throws IOException {
        return (ObjectNode) JSON.readTree(dir.resolve(RUN).toFile());
    }

    public void writeRunJson(ObjectNode run) throws IOException {
        writeJson(RUN, run);
    }

    public void writeSummary(ObjectNode summary) throws IOException {
        writeJson(SUMMARY, summary);
    }

    private void writeJson(String name, JsonNode node) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.writeString(dir.resolve(name), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n");
    }

    /** The evaluations recorded so far, in order. */
    public List<JsonNode> metrics() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (Files.isRegularFile(dir.resolve(METRICS))) {
            JsonLines.forEach(dir.resolve(METRICS), l -> out.add(l.node()));
        }
        return out;
    }

    /** Replaces metrics.jsonl with {@code lines} (whole-file rewrite, so a crash never leaves half a line). */
    public void writeMetrics(List<? extends JsonNode> lines) throws IOException {
        Files.createDirectories(dir);
        JsonLines.write(dir.resolve(METRICS), lines);
    }

    public void writePredictions(String name, List<?> rows) throws IOException {
        Files.createDirectories(dir.resolve(PREDICTIONS));
        JsonLines.write(dir.resolve(PREDICTIONS).resolve(name + ".jsonl"), rows);
    }

    public Path checkpoint() {
        return dir.resolve(CHECKPOINT);
    }

    /** Canonical JSON (keys sorted), the form that configuration hashes are taken of. */
    public static String canonical(JsonNode node) throws IOException {
        return JSON.writeValueAsString(JSON.treeToValue(node, Object.class));
    }
}
