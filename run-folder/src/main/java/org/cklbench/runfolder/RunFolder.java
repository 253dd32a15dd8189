package org.cklbench.runfolder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.AtomicFiles;
import org.cklbench.io.FileLocks;
import org.cklbench.io.JsonLines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One run's folder: {@code run.json} ({@link RunRecord}), {@code benchmark.json} ({@link LeaderboardSpec}),
 * {@code metrics.jsonl} (one line per evaluation), {@code summary.json} ({@link Summary}),
 * {@code bootstrap.json} ({@link Replicates} of the summary),
 * {@code predictions/} ({@link Prediction} lines per evaluation) and {@code checkpoint/} while the run
 * is resumable. Every file is replaced atomically, so a run killed at any moment leaves only whole
 * files behind.
 */
public final class RunFolder {
    public static final String RUN = "run.json";
    public static final String BENCHMARK = "benchmark.json";
    public static final String METRICS = "metrics.jsonl";
    /** One line per optimiser step: stage, step in the stage, loss, learning rate and gradient norm. */
    public static final String STEPS = "steps.jsonl";
    public static final String SUMMARY = "summary.json";
    public static final String BOOTSTRAP = "bootstrap.json";
    public static final String VERIFICATION = "verification.json";
    public static final String PREDICTIONS = "predictions";
    public static final String CHECKPOINT = "checkpoint";
    /** The trained LoRA adapter of the headline stage (LAMA-ckl's Top-Acc epoch), as a PEFT folder. */
    public static final String TOP_ADAPTER = "adapter-top-acc";
    /** The data model of a site built from run folders: never inside a run folder, and never searched for runs. */
    public static final String SITE_DATA = "site-data.json";
    /**
     * The run-folder format this suite writes and reads (docs/architecture.md): every run folder carries
     * benchmark.json, and a checkpoint's state.json records {@code stage}, {@code step_in_stage} and
     * {@code loss_sum_in_stage}. Folders of earlier commits (without benchmark.json) are refused, not guessed.
     */
    public static final int FORMAT_VERSION = 1;
    /** Held (an OS file lock) by the process writing the run; see {@link #running()}. */
    public static final String LOCK = ".lock";

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

    /**
     * The one definition of a complete run folder: run.json and summary.json are regular files, not symbolic
     * links (summary.json is written last, so a run killed earlier has none).
     */
    public static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(RUN), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(dir.resolve(SUMMARY), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    public boolean complete() {
        return isComplete(dir);
    }

    /**
     * The complete run folders under {@code root}, in path order, found as {@link #runsUnder} finds them.
     */
    public static List<Path> completeUnder(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path d : runsUnder(root)) {
            if (isComplete(d)) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * Every run folder under {@code root} (a regular run.json), complete or not, in path order. Symbolic links
     * are not followed, and a built site under {@code root} (a folder holding {@link #SITE_DATA}, whose runs/
     * are copies) is not searched, so nothing counts a run twice.
     */
    public static List<Path> runsUnder(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a) {
                if (Files.isRegularFile(d.resolve(SITE_DATA), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                }
                if (Files.isRegularFile(d.resolve(RUN), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    out.add(d);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        out.sort(null);
        return out;
    }

    /** Whether a process is writing this run now (on this host, or any host where the file system shares locks). */
    public boolean running() throws IOException {
        return FileLocks.isHeld(dir.resolve(LOCK));
    }

    public RunRecord run() throws IOException {
        return Json.read(dir.resolve(RUN), RunRecord.class);
    }

    public void writeRun(RunRecord run) throws IOException {
        write(RUN, run);
    }

    /** The leaderboard spec the run's benchmark declared; a folder without one is of no format this suite reads. */
    public LeaderboardSpec benchmarkSpec() throws IOException {
        Path f = dir.resolve(BENCHMARK);
        if (!Files.isRegularFile(f)) {
            throw new IOException("no " + BENCHMARK + ": a run folder older than run-folder format " + FORMAT_VERSION
                    + ", which this suite no longer reads (run it again)");
        }
        LeaderboardSpec spec = Json.read(f, LeaderboardSpec.class);
        try {
            return spec.validated();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(f + ": " + e.getMessage(), e);
        }
    }

    public void writeBenchmarkSpec(LeaderboardSpec spec) throws IOException {
        write(BENCHMARK, spec);
    }

    public Summary summary() throws IOException {
        return Json.read(dir.resolve(SUMMARY), Summary.class);
    }

    public void writeSummary(Summary summary) throws IOException {
        write(SUMMARY, summary);
    }

    /** The summary's bootstrap replicates, validated, or null for a run without them (older, or not a suite run). */
    public Replicates replicates() throws IOException {
        Path f = dir.resolve(BOOTSTRAP);
        Replicates r = optional(BOOTSTRAP, 64L << 20, "64 MiB", "bootstrap", Replicates.class);
        try {
            return r == null ? null : r.validated();
        } catch (IllegalArgumentException e) {
            throw new IOException(f + ": " + e.getMessage(), e);
        }
    }

    public void writeReplicates(Replicates r) throws IOException {
        write(BOOTSTRAP, r);
    }

    /** What {@code ckl verify} found, or null where it never ran (or the file is a link). */
    public Verification verification() throws IOException {
        return optional(VERIFICATION, 1L << 20, "1 MiB", "verification", Verification.class);
    }

    public void writeVerification(Verification v) throws IOException {
        write(VERIFICATION, v);
    }

    /**
     * SHA-256 of each file of {@link Verification#COVERED} as it is now; absent files and links are left out.
     */
    public java.util.Map<String, String> coveredSha256() throws IOException {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        for (String f : Verification.COVERED) {
            Path p = dir.resolve(f);
            if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                out.put(f, org.cklbench.io.Hashing.sha256(p));
            }
        }
        return out;
    }

    /** Every symbolic link in the folder (none is ever followed: a run folder's files must be its own), in order. */
    public List<Path> links() throws IOException {
        try (var walk = Files.walk(dir)) { // walk lists links but never follows them
            return walk.filter(Files::isSymbolicLink).sorted().toList();
        }
    }

    /** A file of the folder that may be absent (or a link: then ignored), bounded in size since others write it. */
    private <T> T optional(String name, long maxBytes, String max, String what, Class<T> type) throws IOException {
        Path f = dir.resolve(name);
        if (!Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (Files.size(f) > maxBytes) {
            throw new IOException(f + " is larger than " + max + "; not a " + what + " this suite writes");
        }
        return Json.read(f, type);
    }

    private void write(String name, Object value) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.writeString(dir.resolve(name), Json.pretty(value));
    }

    /** The evaluations recorded so far, in order. */
    public List<ObjectNode> metrics() throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        if (Files.isRegularFile(dir.resolve(METRICS))) {
            JsonLines.forEach(dir.resolve(METRICS), l -> out.add((ObjectNode) l.node()));
        }
        return out;
    }

    /**
     * The evaluations recorded, refused when the file holds more than {@code maxLines} lines or
     * {@code maxBytes} bytes: a reader of folders others wrote (the site) keeps its memory per run bounded.
     */
    public List<ObjectNode> metrics(int maxLines, long maxBytes) throws IOException {
        return bounded(METRICS, "the metrics", maxLines, maxBytes);
    }

    /** The optimiser steps recorded ({@link #STEPS}), with the bounds of {@link #metrics(int, long)}. */
    public List<ObjectNode> steps(int maxLines, long maxBytes) throws IOException {
        return bounded(STEPS, "the steps", maxLines, maxBytes);
    }

    private List<ObjectNode> bounded(String name, String what, int maxLines, long maxBytes) throws IOException {
        Path f = dir.resolve(name);
        List<ObjectNode> out = new ArrayList<>();
        if (!Files.isRegularFile(f)) {
            return out;
        }
        if (Files.size(f) > maxBytes) {
            throw new IOException(f + " is larger than " + mib(maxBytes) + "; not " + what + " of a run this suite wrote");
        }
        JsonLines.forEach(f, l -> {
            if (out.size() >= maxLines) {
                throw l.error("more than " + maxLines + " lines; not " + what + " of a run this suite wrote");
            }
            out.add((ObjectNode) l.node());
        });
        return out;
    }

    private static String mib(long bytes) {
        return bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    /** Replaces metrics.jsonl with {@code lines} (whole-file rewrite, so a crash never leaves half a line). */
    public void writeMetrics(List<? extends JsonNode> lines) throws IOException {
        Files.createDirectories(dir);
        JsonLines.write(dir.resolve(METRICS), lines);
    }

    public void writePredictions(String name, List<Prediction> rows) throws IOException {
        Files.createDirectories(dir.resolve(PREDICTIONS));
        JsonLines.write(dir.resolve(PREDICTIONS).resolve(name + ".jsonl"), rows);
    }

    /** The prediction files, in name order (which is evaluation order); links are left out. */
    public List<Path> predictionFiles() throws IOException {
        Path p = dir.resolve(PREDICTIONS);
        // a linked folder or file is not the run's own: never followed
        if (!Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (var s = Files.list(p)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".jsonl")
                    && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
    }

    /** The first {@code max} lines of a predictions file; the rest of the file is not read. */
    public static List<Prediction> readPredictions(Path file, int max) throws IOException {
        List<Prediction> out = new ArrayList<>();
        try {
            JsonLines.forEach(file, l -> {
                if (out.size() >= max) {
                    throw new Enough();
                }
                try {
                    out.add(Json.FILES.treeToValue(l.node(), Prediction.class));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw l.error("not a prediction: " + e.getOriginalMessage());
                }
            });
        } catch (Enough e) {
            // read as far as asked
        }
        return out;
    }

    /** Stops a read early; never escapes {@link #readPredictions}. */
    private static final class Enough extends IOException {
        Enough() {
            super(null, null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    public Path checkpoint() {
        return dir.resolve(CHECKPOINT);
    }
}
