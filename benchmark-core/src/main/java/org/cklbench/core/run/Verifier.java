package org.cklbench.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.core.plugin.Registries;
import org.cklbench.progress.Progress;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.RunRecord;
import org.cklbench.runfolder.Verification;
import org.cklbench.runfolder.VouchedRunJson;
import org.cklbench.runfolder.Replicates;
import org.cklbench.runfolder.Json;
import org.cklbench.io.Hashing;
import org.cklbench.text.Printable;

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
        return verify(folder, registries, home, scratch, stages, tolerance, progress, RerunInputs.HOME, null);
    }

    /**
     * Runs {@code folder}'s configuration again with the maintainer's own inputs {@code own} and compares every
     * file the verification vouches for: metrics.jsonl line by line, summary.json, bootstrap.json (the run
     * again recomputes it from its own predictions and metrics: the bootstrap is seeded) and benchmark.json
     * (the installed benchmark writes it, at the version the configuration records) with the run again's,
     * and run.json field by field but for the submitter's own account ({@link VouchedRunJson}). Writes
     * verification.json saying exactly that, who verified ({@code by}; null: the user's name) and where.
     */
    public static Verification verify(RunFolder folder, Registries registries, Path home, Path scratch, int stages,
                                      Tolerance tolerance, Progress progress, RerunInputs own, String by)
            throws IOException {
        if (stages < 0) {
            throw new IllegalArgumentException("--epochs " + stages + " must be 0 (all) or more");
        }
        String verifier = verifier(by);
        List<Path> links = folder.links();
        if (!links.isEmpty()) {
            throw new IllegalArgumentException(Printable.of(links.get(0)) + " is a symbolic link; a run folder's files"
                    + " must be its own, and verify follows no link" + (links.size() > 1 ? " (" + links.size() + " links in all)" : ""));
        }
        RunRecord recorded = folder.run();
        if (recorded.config() == null) {
            throw new IllegalArgumentException(folder.dir().resolve(RunFolder.RUN) + " holds no configuration");
        }
        if (!recorded.suiteReproducible() && own.pathParams().isEmpty()) {
            // adapters trained elsewhere: nothing here can train them again, only score them again
            throw new IllegalArgumentException("this run cannot be run again: its run.json says \"reproducible\": false ("
                    + Printable.of(String.valueOf(recorded.reproducibleNote())) + "). ckl verify can only rescore its"
                    + " adapters: give your copy of them with --param adapters=DIR (checked against their recorded SHA-256)");
        }
        // before anything is run or written: a missing plugin is the command's mistake, not the run's failure
        requireInstalled(recorded, registries);
        // the id computed from the configuration, never the file's own "id" (a hostile one could be a path)
        String id = recorded.config().id();
        JsonNode recordedRun = Json.read(folder.dir().resolve(RunFolder.RUN), JsonNode.class);
        List<String> notVouched = VouchedRunJson.notVouched(recordedRun, Rerun.pathParams(recorded.config(), registries));
        Map<String, String> found = folder.coveredSha256();
        String runSha = Hashing.sha256(Json.canonical(VouchedRunJson.view(recordedRun, notVouched)));
        List<String> recordedLines = lines(folder.dir().resolve(RunFolder.METRICS));
        // the engine as the run again will have it (pinned threads), so that "arithmetic" describes what it computes with
        org.cklbench.engine.djl.PyTorchEngine.initForResults();
        Map<String, Object> software = Provenance.software(recorded.config().device(), recorded.config().dtype());
        List<String> problems = new ArrayList<>();
        Map<String, Double> maxDiff = new TreeMap<>();
        Map<String, String> vouched = new LinkedHashMap<>();
        Map<String, String> files = new TreeMap<>();
        int compared = 0;
        RunFolder again = null;
        Path where = freshFolder(folder, scratch);
        try {
            again = Runner.rerun(recorded, own, where.resolve(id), registries, home, progress, stages);
        } catch (IOException | RuntimeException | LinkageError e) {
            problems.add("running it again failed: " + Printable.of(e.getMessage()));
        }
        boolean sameArithmetic = sameArithmetic(recorded, software);
        boolean complete = again != null && again.complete();
        String how = sameArithmetic ? "byte-equal required, as the software, device and pinned arithmetic are the recorded"
                + " ones" : "each number within the tolerance";
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
                vouched.put(RunFolder.METRICS, "every line compared with the run again's, field by field (" + how + ")");
                vouch(files, found, RunFolder.METRICS);
                // the leaderboard reads summary.json: it must be what the metrics give
                Path mine = folder.dir().resolve(RunFolder.SUMMARY);
                if (!Files.isRegularFile(mine, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    problems.add("the run folder has no summary.json");
                } else {
                    compareLine(RunFolder.SUMMARY, JSON.readTree(mine.toFile()),
                            JSON.readTree(again.dir().resolve(RunFolder.SUMMARY).toFile()), tolerance, maxDiff, problems);
                    vouched.put(RunFolder.SUMMARY, "compared with the run again's, field by field (" + how + ")");
                    vouch(files, found, RunFolder.SUMMARY);
                }
                if (found.containsKey(RunFolder.BOOTSTRAP)) {
                    compareReplicates(folder, again, tolerance, maxDiff, problems);
                    vouched.put(RunFolder.BOOTSTRAP, "compared with the replicates the run again drew from its own"
                            + " predictions (the bootstrap is seeded by the probe sets): scheme, count, every value (" + how + ")");
                    vouch(files, found, RunFolder.BOOTSTRAP);
                }
                if (found.containsKey(RunFolder.BENCHMARK)) {
                    JsonNode spec = Json.read(folder.dir().resolve(RunFolder.BENCHMARK), JsonNode.class);
                    JsonNode installed = Json.read(again.dir().resolve(RunFolder.BENCHMARK), JsonNode.class);
                    if (!spec.equals(installed)) {
                        differences("benchmark.json", spec, installed, problems);
                    }
                    vouched.put(RunFolder.BENCHMARK, "equal to the spec the installed benchmark writes at the recorded"
                            + " version (" + Printable.of(recorded.config().benchmark()) + " "
                            + Printable.of(recorded.config().benchmarkVersion()) + ")");
                    vouch(files, found, RunFolder.BENCHMARK);
                }
                JsonNode rerunRun = Json.read(again.dir().resolve(RunFolder.RUN), JsonNode.class);
                compareLine("run.json", VouchedRunJson.view(recordedRun, notVouched), VouchedRunJson.view(rerunRun, notVouched),
                        tolerance, maxDiff, problems);
                vouched.put(RunFolder.RUN, "every field but those in not_vouched compared with the run again's run.json:"
                        + " the configuration, each input file's SHA-256, each plugin jar's SHA-256, the methods, the"
                        + " variant, the training's set-up");
            }
        }
        String verdict = !problems.isEmpty() ? Verification.FAILED
                : sameArithmetic && maxDiff.values().stream().allMatch(d -> d == 0) ? Verification.BYTE_EQUAL
                : Verification.WITHIN_TOLERANCE;
        boolean vouches = problems.isEmpty() && complete;
        Verification v = new Verification(verdict, Instant.now().toString(), verifier, machine(), software,
                recorded.config().threads(), stages, compared, complete && folder.complete(), tolerance.all(),
                tolerance.perMetric().isEmpty() ? null : new TreeMap<>(tolerance.perMetric()), maxDiff,
                problems.isEmpty() ? null : problems, vouches ? vouched : Map.of(), vouches ? notVouched : null,
                vouches ? files : Map.of(), vouches ? runSha : null, id);
        folder.writeVerification(v);
        return v;
    }

    /**
     * The recorded benchmark or a recorded method is not installed here: the plugins it came from were not
     * given ({@code --plugins DIR}). Nothing was run and no verification.json written.
     */
    public static final class NotInstalled extends IllegalArgumentException {
        NotInstalled(String message) {
            super(message);
        }
    }

    /** Refuses a run whose benchmark or methods no registry here provides ({@link NotInstalled}). */
    public static void requireInstalled(RunRecord recorded, Registries registries) {
        if (recorded.config() == null) {
            return; // verify names that itself
        }
        List<String> missing = new ArrayList<>();
        String benchmark = recorded.config().benchmark();
        if (benchmark != null && !registries.benchmarks().benchmarks().containsKey(benchmark)) {
            missing.add("benchmark '" + Printable.of(benchmark) + "'");
        }
        String method = recorded.config().method();
        for (String m : method == null ? List.<String>of() : List.of(method.split("\\+"))) {
            if (!registries.methods().providers().containsKey(m)) {
                missing.add("method '" + Printable.of(m) + "'");
            }
        }
        if (!missing.isEmpty()) {
            throw new NotInstalled("the run's " + String.join(" and ", missing) + (missing.size() > 1 ? " are" : " is")
                    + " not installed here: pass --plugins DIR, the folder of the plugin jars (and external methods'"
                    + " declarations) the run was made with; nothing was run");
        }
    }

    private static void vouch(Map<String, String> files, Map<String, String> found, String name) {
        if (found.containsKey(name)) {
            files.put(name, found.get(name));
        }
    }

    /** Who verifies: {@code by}, else the user's name; one short printable line. */
    private static String verifier(String by) {
        String who = by != null ? by : System.getProperty("user.name", "unknown");
        if (who.isBlank() || who.length() > 100 || !Printable.of(who).equals(who)) {
            throw new IllegalArgumentException("--by '" + Printable.of(who) + "' must name who verifies: 1 to 100"
                    + " characters, none of them control characters");
        }
        return who;
    }

    /** The recorded replicates against the run again's: scheme, count and every value of every field. */
    private static void compareReplicates(RunFolder folder, RunFolder again, Tolerance tolerance, Map<String, Double> maxDiff,
                                          List<String> problems) throws IOException {
        Replicates mine;
        try {
            mine = folder.replicates();
        } catch (IOException | RuntimeException e) {
            problems.add("bootstrap.json is unreadable: " + Printable.of(e.getMessage()));
            return;
        }
        Replicates fresh = again.replicates();
        if (fresh == null) {
            problems.add("bootstrap.json: the run again wrote none to compare it with");
            return;
        }
        if (mine.replicates() != fresh.replicates() || !java.util.Objects.equals(mine.scheme(), fresh.scheme())) {
            problems.add("bootstrap.json: " + mine.replicates() + " replicates of scheme " + Printable.of(mine.scheme())
                    + "; the run again draws " + fresh.replicates() + " of scheme " + fresh.scheme());
            return;
        }
        Map<String, double[]> was = mine.values();
        Map<String, double[]> is = fresh.values();
        for (String k : was.keySet()) {
            if (!is.containsKey(k)) {
                problems.add("bootstrap.json has " + Printable.of(k) + ", which the run again does not draw");
            }
        }
        for (Map.Entry<String, double[]> e : is.entrySet()) {
            double[] a = was.get(e.getKey());
            if (a == null) {
                problems.add("bootstrap.json lacks " + e.getKey() + ", which the run again draws");
                continue;
            }
            String metric = e.getKey().substring(e.getKey().lastIndexOf('/') + 1);
            double[] b = e.getValue();
            double worst = a.length == b.length ? 0 : Double.POSITIVE_INFINITY;
            int at = -1;
            for (int i = 0; i < Math.min(a.length, b.length); i++) {
                double d = Math.abs(a[i] - b[i]);
                if (!(d <= worst)) { // NaN counts as the worst
                    worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                    at = i;
                }
            }
            maxDiff.merge(metric, worst, Math::max);
            if (!(worst <= tolerance.of(metric))) {
                problems.add("bootstrap.json " + e.getKey() + (at < 0 ? ": " + a.length + " values, the run again draws " + b.length
                        : " replicate " + at + " recorded " + a[at] + ", now " + b[at] + " (difference " + worst
                        + " > tolerance " + tolerance.of(metric) + ")"));
            }
        }
    }

    /** Each field where two specs differ, by JSON pointer (a spec is text: equal or not). */
    private static void differences(String file, JsonNode was, JsonNode is, List<String> problems) {
        List<String> out = new ArrayList<>();
        diff("", was, is, out);
        problems.add(file + " differs from what the installed benchmark writes at fields " + String.join(", ",
                out.subList(0, Math.min(out.size(), 20))) + (out.size() > 20 ? " and " + (out.size() - 20) + " more" : ""));
    }

    private static void diff(String at, JsonNode was, JsonNode is, List<String> out) {
        if (was.isObject() && is.isObject()) {
            java.util.Set<String> keys = new java.util.TreeSet<>();
            was.fieldNames().forEachRemaining(keys::add);
            is.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                diff(at + "/" + k, was.path(k), is.path(k), out);
            }
        } else if (was.isArray() && is.isArray() && was.size() == is.size()) {
            for (int i = 0; i < was.size(); i++) {
                diff(at + "/" + i, was.get(i), is.get(i), out);
            }
        } else if (!was.equals(is)) {
            out.add(Printable.of(at.isEmpty() ? "/" : at) + " (recorded " + Printable.of(abbreviated(was)) + ")");
        }
    }

    private static String abbreviated(JsonNode n) {
        String s = n.isMissingNode() ? "nothing" : n.toString();
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
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

    /**
     * Where the verification ran, published with it: an identifier of the machine (the first 16 hex of a
     * SHA-256 of its machine id, or of its host name where it has none), never the host name, a user's
     * name or a path; its CPU, CPU count and OS.
     */
    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        String identity = null;
        for (String f : List.of("/etc/machine-id", "/var/lib/dbus/machine-id")) {
            try {
                String s = Files.readString(Path.of(f)).trim();
                if (!s.isEmpty()) {
                    identity = s;
                    break;
                }
            } catch (IOException | RuntimeException e) {
                // none there: the next, or the host name
            }
        }
        if (identity == null) {
            try {
                identity = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                identity = "unknown";
            }
        }
        m.put("id", Hashing.sha256("ckl-bench machine " + identity).substring(0, 16));
        m.put("cpu", Provenance.cpuModel());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        return m;
    }

}
