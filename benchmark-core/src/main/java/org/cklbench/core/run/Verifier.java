package org.cklbench.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.core.plugin.Registries;
import org.cklbench.progress.Progress;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.RunRecord;
import org.cklbench.runfolder.Verification;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ckl verify}: runs a run folder's recorded configuration again into a scratch folder, all of it
 * or its first stages, and compares the metrics lines. Byte-equal is required where nothing that moves
 * float arithmetic changed (suite commit, Java, DJL, PyTorch, device, dtype, thread and CPU counts);
 * elsewhere every metric must lie within its tolerance ({@link Tolerance}), and each difference is reported.
 */
public final class Verifier {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * What must be the same for a CPU run to give the same bytes: the code, the platform and the pinned
     * arithmetic (kernels and thread count), not the CPU model: the pin gives the same kernels on every
     * x86-64 CPU with AVX2 (docs/reproducibility.md).
     */
    private static final List<String> SAME_ARITHMETIC = List.of("suite_version", "git_commit", "java", "djl", "pytorch",
            "os", "device", "dtype", "arithmetic");
    /** Elsewhere (a GPU, or a run made unpinned) the machine itself too. */
    private static final List<String> SAME_MACHINE = List.of("cpu", "cpus");

    private Verifier() {
    }

    public static Verification verify(RunFolder folder, Registries registries, Path home, Path scratch, int stages,
                                      Tolerance tolerance, Progress progress) throws IOException {
        if (stages < 0) {
            throw new IllegalArgumentException("--epochs " + stages + " must be 0 (all) or more");
        }
        RunRecord recorded = folder.run();
        if (recorded.config() == null) {
            throw new IllegalArgumentException(folder.dir().resolve(RunFolder.RUN) + " holds no configuration");
        }
        // the id computed from the configuration, never the file's own "id" (a hostile one could be a path)
        String id = recorded.config().id();
        Map<String, String> files = folder.vouchedSha256();
        List<String> recordedLines = lines(folder.dir().resolve(RunFolder.METRICS));
        // the engine as the run again will have it (pinned threads), so that "arithmetic" describes what it computes with
        org.cklbench.engine.djl.PyTorchEngine.initForResults();
        Map<String, Object> software = Provenance.software(recorded.config().device(), recorded.config().dtype());
        List<String> problems = new ArrayList<>();
        Map<String, Double> maxDiff = new TreeMap<>();
        int compared = 0;
        RunFolder again = null;
        Path where = freshFolder(folder, scratch);
        try {
            again = Runner.rerun(recorded, where.resolve(id), registries, home, progress, stages);
        } catch (IOException | RuntimeException | LinkageError e) {
            problems.add("running it again failed: " + e.getMessage());
        }
        boolean sameArithmetic = sameArithmetic(recorded, software);
        boolean complete = again != null && again.complete();
        if (again != null) {
            List<String> fresh = lines(again.dir().resolve(RunFolder.METRICS));
            if (recordedLines.size() < fresh.size()) {
                problems.add("the recorded metrics.jsonl has " + recordedLines.size() + " lines; the run again wrote "
                        + fresh.size());
            }
            if (complete && recordedLines.size() > fresh.size()) {
                problems.add("the recorded metrics.jsonl has " + recordedLines.size() + " lines, more than the run has"
                        + " evaluations (" + fresh.size() + ")");
            }
            for (int i = 0; i < Math.min(fresh.size(), recordedLines.size()); i++) {
                compared++;
                compareLine("metrics.jsonl line " + (i + 1), JSON.readTree(recordedLines.get(i)), JSON.readTree(fresh.get(i)),
                        tolerance, maxDiff, problems);
                if (sameArithmetic && !recordedLines.get(i).equals(fresh.get(i)) && problems.isEmpty()) {
                    problems.add("metrics.jsonl line " + (i + 1) + " differs in its bytes although the software,"
                            + " device and pinned arithmetic are the recorded ones: the run does not reproduce exactly");
                }
            }
            if (complete) {
                // the leaderboard reads summary.json: it must be what the metrics give
                Path mine = folder.dir().resolve(RunFolder.SUMMARY);
                if (!Files.isRegularFile(mine, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    problems.add("the run folder has no summary.json");
                } else {
                    compareLine("summary.json", JSON.readTree(mine.toFile()),
                            JSON.readTree(again.dir().resolve(RunFolder.SUMMARY).toFile()), tolerance, maxDiff, problems);
                }
            }
        }
        String verdict = !problems.isEmpty() ? Verification.FAILED
                : sameArithmetic && maxDiff.values().stream().allMatch(d -> d == 0) ? Verification.BYTE_EQUAL
                : Verification.WITHIN_TOLERANCE;
        Verification v = new Verification(verdict, Instant.now().toString(), machine(), software,
                recorded.config().threads(), stages, compared, complete && folder.complete(), tolerance.all(),
                tolerance.perMetric().isEmpty() ? null : new TreeMap<>(tolerance.perMetric()), maxDiff,
                problems.isEmpty() ? null : problems, files, id);
        folder.writeVerification(v);
        return v;
    }

    /** A new empty folder under {@code scratch}, which must not be the run folder or inside it. */
    private static Path freshFolder(RunFolder folder, Path scratch) throws IOException {
        Files.createDirectories(scratch);
        Path run = folder.dir().toRealPath();
        if (scratch.toRealPath().startsWith(run)) {
            throw new IllegalArgumentException("--scratch " + scratch + " is inside the run folder " + run
                    + "; give a folder elsewhere");
        }
        return Files.createTempDirectory(scratch, "verify-");
    }

    static boolean sameArithmetic(RunRecord recorded, Map<String, Object> now) {
        if (recorded.provenance() == null || recorded.provenance().software() == null) {
            return false;
        }
        Map<String, Object> then = recorded.provenance().software();
        // "unknown" (a build outside git, an unreadable CPU) says nothing, so it never counts as the same
        java.util.function.Predicate<String> same = k -> then.get(k) != null
                && !"unknown".equals(String.valueOf(then.get(k))) && String.valueOf(then.get(k)).equals(String.valueOf(now.get(k)));
        boolean pinnedCpu = "cpu".equals(String.valueOf(then.get("device")))
                && String.valueOf(then.get("arithmetic")).startsWith("pinned");
        return SAME_ARITHMETIC.stream().allMatch(same) && (pinnedCpu || SAME_MACHINE.stream().allMatch(same));
    }

    /** Field by field: numbers within {@code tolerance} (largest difference kept per metric), the rest equal. */
    static void compareLine(String line, JsonNode recorded, JsonNode fresh, Tolerance tolerance, Map<String, Double> maxDiff,
                            List<String> problems) {
        for (Iterator<Map.Entry<String, JsonNode>> it = fresh.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode was = recorded.get(e.getKey());
            JsonNode is = e.getValue();
            if (was == null) {
                problems.add(line + ": " + e.getKey() + " is missing from the recorded file");
            } else if (was.isIntegralNumber() && is.isIntegralNumber()) {
                if (was.asLong() != is.asLong()) {
                    problems.add(line + ": " + e.getKey() + " recorded " + was.asText() + ", now " + is.asText());
                }
            } else if (was.isObject() && is.isObject()) {
                compareLine(line + " " + e.getKey(), was, is, tolerance, maxDiff, problems);
            } else if (was.isNumber() && is.isNumber()) {
                double d = Math.abs(was.asDouble() - is.asDouble());
                maxDiff.merge(e.getKey(), d, Math::max);
                if (!(d <= tolerance.of(e.getKey()))) {
                    problems.add(line + ": " + e.getKey() + " recorded " + was.asText() + ", now " + is.asText()
                            + " (difference " + d + " > tolerance " + tolerance.of(e.getKey()) + ")");
                }
            } else if (!was.equals(is)) {
                problems.add(line + ": " + e.getKey() + " recorded " + was + ", now " + is);
            }
        }
        for (Iterator<String> it = recorded.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!fresh.has(k)) {
                problems.add(line + ": the recorded file has " + k + ", which the run again does not write");
            }
        }
    }

    private static List<String> lines(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            if (!l.isBlank()) {
                out.add(l);
            }
        }
        return out;
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            m.put("host", InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            m.put("host", "unknown");
        }
        m.put("cpu", Provenance.cpuModel());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("user", System.getProperty("user.name"));
        return m;
    }

}
