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
 * elsewhere every metric must lie within the tolerance, and each difference is reported.
 */
public final class Verifier {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The software fields that, when equal, make byte-equal metrics the expectation. */
    private static final List<String> SAME_ARITHMETIC = List.of("git_commit", "java", "djl", "pytorch", "os", "device",
            "dtype", "cpus");

    private Verifier() {
    }

    public static Verification verify(RunFolder folder, Registries registries, Path home, Path scratch, int stages,
                                      double tolerance, Progress progress) throws IOException {
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance " + tolerance + " must be 0 or more");
        }
        if (stages < 0) {
            throw new IllegalArgumentException("--epochs " + stages + " must be 0 (all) or more");
        }
        RunRecord recorded = folder.run();
        String sha = folder.metricsSha256();
        List<String> recordedLines = lines(folder.dir().resolve(RunFolder.METRICS));
        Map<String, Object> software = Provenance.software(recorded.config().device(), recorded.config().dtype());
        List<String> problems = new ArrayList<>();
        Map<String, Double> maxDiff = new TreeMap<>();
        int compared = 0;
        RunFolder again = null;
        try {
            again = Runner.rerun(recorded, scratch.resolve(recorded.id()), registries, home, progress, stages);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        boolean sameArithmetic = sameArithmetic(recorded, software);
        if (again != null) {
            List<String> fresh = lines(again.dir().resolve(RunFolder.METRICS));
            if (recordedLines.size() < fresh.size()) {
                problems.add("the recorded metrics.jsonl has " + recordedLines.size() + " lines; the run again wrote "
                        + fresh.size());
            }
            if (stages == 0 && recordedLines.size() > fresh.size()) {
                problems.add("the recorded metrics.jsonl has " + recordedLines.size() + " lines, more than the run has"
                        + " evaluations (" + fresh.size() + ")");
            }
            for (int i = 0; i < Math.min(fresh.size(), recordedLines.size()); i++) {
                compared++;
                compareLine(i + 1, JSON.readTree(recordedLines.get(i)), JSON.readTree(fresh.get(i)), tolerance, maxDiff,
                        problems);
                if (sameArithmetic && !recordedLines.get(i).equals(fresh.get(i)) && problems.isEmpty()) {
                    problems.add("line " + (i + 1) + " of metrics.jsonl differs in its bytes although the software,"
                            + " threads and CPU count are the recorded ones: the run does not reproduce exactly");
                }
            }
        }
        String verdict = !problems.isEmpty() ? Verification.FAILED
                : sameArithmetic && maxDiff.values().stream().allMatch(d -> d == 0) ? Verification.BYTE_EQUAL
                : Verification.WITHIN_TOLERANCE;
        Verification v = new Verification(verdict, Instant.now().toString(), machine(), software,
                recorded.config().threads(), stages, compared, folder.complete() && stages == 0, tolerance, maxDiff,
                problems.isEmpty() ? null : problems, sha, recorded.id());
        folder.writeVerification(v);
        return v;
    }

    static boolean sameArithmetic(RunRecord recorded, Map<String, Object> now) {
        if (recorded.provenance() == null || recorded.provenance().software() == null) {
            return false;
        }
        Map<String, Object> then = recorded.provenance().software();
        return SAME_ARITHMETIC.stream().allMatch(k -> String.valueOf(then.get(k)).equals(String.valueOf(now.get(k))));
    }

    /** Field by field: numbers within {@code tolerance} (largest difference kept per metric), the rest equal. */
    static void compareLine(int line, JsonNode recorded, JsonNode fresh, double tolerance, Map<String, Double> maxDiff,
                            List<String> problems) {
        for (Iterator<Map.Entry<String, JsonNode>> it = fresh.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode was = recorded.get(e.getKey());
            JsonNode is = e.getValue();
            if (was == null) {
                problems.add("line " + line + ": " + e.getKey() + " is missing from the recorded metrics");
            } else if (was.isNumber() && is.isNumber()) {
                double d = Math.abs(was.asDouble() - is.asDouble());
                maxDiff.merge(e.getKey(), d, Math::max);
                if (!(d <= tolerance)) {
                    problems.add("line " + line + ": " + e.getKey() + " recorded " + was.asText() + ", now " + is.asText()
                            + " (difference " + d + " > tolerance " + tolerance + ")");
                }
            } else if (!was.equals(is)) {
                problems.add("line " + line + ": " + e.getKey() + " recorded " + was + ", now " + is);
            }
        }
        for (Iterator<String> it = recorded.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!fresh.has(k)) {
                problems.add("line " + line + ": the recorded metrics have " + k + ", which the run again does not write");
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
        m.put("cpu", cpuModel());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("user", System.getProperty("user.name"));
        return m;
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }
}
