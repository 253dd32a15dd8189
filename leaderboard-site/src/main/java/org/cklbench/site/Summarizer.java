package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.Hashing;
import org.cklbench.runfolder.LeaderboardSpec;
import org.cklbench.runfolder.MethodInfo;
import org.cklbench.runfolder.Replicates;
import org.cklbench.runfolder.RunConfig;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.RunRecord;
import org.cklbench.runfolder.Verification;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The summarize step (as HELM splits it): every complete run folder under a directory becomes one
 * JSON data model — leaderboards per benchmark, preset, base weights and world, by content hash
 * ({@link RowKeys}; runs of one configuration across seeds aggregated to mean ± sample standard
 * deviation, with intervals and marks corrected for the board's number of comparisons (Benjamini-Hochberg) from {@link Leaderboards}), each benchmark's published rows, each
 * run's curve and provenance, and the methods. What a benchmark's leaderboard shows comes from the
 * {@code benchmark.json} its runs carry (or, for run folders older than that file, from the installed
 * benchmark), so the site knows no benchmark by name. The site is rendered from this model alone.
 */
public final class Summarizer {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Joins the parts of a board's key; no name, hash or path holds it. */
    private static final String SEP = "\u0001";

    private Summarizer() {
    }

    /**
     * A name that can become a file name and a relative link as it is: letters, digits, '.', '_', '+'
     * and '-', not starting with '.', no "..", at most 200 characters. Run folders, method ids and
     * presets from run folders must be such names, or the run is left out.
     */
    static boolean safeName(String s) {
        return s != null && s.matches("[A-Za-z0-9][A-Za-z0-9._+-]{0,199}") && !s.contains("..");
    }

    /**
     * Complete run folders (run.json and summary.json) under {@code runs}, in path order. Symbolic
     * links are not followed, and a site built under {@code runs} (a folder holding site-data.json,
     * whose runs/ are copies) is not searched, so rebuilding never counts a run twice.
     */
    static List<Path> runFolders(Path runs) throws IOException {
        List<Path> out = new ArrayList<>();
        Files.walkFileTree(runs, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a) {
                if (Files.isRegularFile(dir.resolve("site-data.json"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                }
                if (regular(dir.resolve(RunFolder.RUN)) && regular(dir.resolve(RunFolder.SUMMARY))) {
                    out.add(dir);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        out.sort(null);
        return out;
    }

    /** A regular file that is not a symbolic link. */
    static boolean regular(Path p) {
        return Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** A readable name of a run's base model, from its folder. */
    static String modelLabel(String path) {
        Path p = Path.of(path);
        String name = p.getFileName().toString();
        Path parent = p.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().startsWith("world-")) {
            return "tiny base of " + parent.getFileName();
        }
        if (parent != null && parent.getFileName() != null && name.equals("model")) {
            return parent.getFileName().toString();
        }
        return name;
    }

    /**
     * @param installed methods installed where the site is built (listed even without runs)
     * @param fallback  leaderboard specs of installed benchmarks, for run folders without benchmark.json
     */
    public static ObjectNode summarize(Path runs, List<MethodInfo> installed, Map<String, LeaderboardSpec> fallback)
            throws IOException {
        ObjectNode site = JSON.createObjectNode();
        ArrayNode runList = site.putArray("runs");
        ArrayNode skipped = site.putArray("skipped");
        Map<String, Map<String, List<ObjectNode>>> groups = new TreeMap<>();
        Map<String, LeaderboardSpec> specs = new TreeMap<>();
        Map<String, MethodInfo> methods = new TreeMap<>();
        installed.forEach(m -> methods.put(m.id(), m));
        Set<String> pages = new HashSet<>();
        Map<String, Replicates> replicates = new HashMap<>();
        for (Path dir : runFolders(runs)) {
            RunFolder folder = new RunFolder(dir);
            RunRecord record;
            LeaderboardSpec spec;
            ObjectNode run;
            Replicates rep;
            try {
                record = folder.run();
                if (record.config() == null) {
                    throw new IOException(dir.resolve(RunFolder.RUN) + " has no config");
                }
                spec = folder.benchmarkSpec();
                if (spec == null) {
                    spec = fallback.get(record.config().benchmark());
                }
                if (spec == null) {
                    throw new IOException(dir + ": no " + RunFolder.BENCHMARK + " and benchmark '"
                            + record.config().benchmark() + "' is not installed here");
                }
                run = readRun(runs, folder, record);
                rep = folder.replicates();
            } catch (IOException | IllegalArgumentException e) {
                skipped.addObject().put("folder", runs.relativize(dir).toString()).put("reason", e.getMessage());
                continue;
            }
            specs.putIfAbsent(spec.benchmark(), spec);
            if (record.methods() != null) {
                record.methods().stream().filter(m -> m != null && safeName(m.id()) && m.parameters() != null)
                        .forEach(m -> methods.putIfAbsent(m.id(), m));
                ArrayNode notes = JSON.createArrayNode();
                record.methods().stream().filter(m -> m != null && m.note() != null && !m.note().isBlank())
                        .forEach(m -> notes.add(m.id() + ": " + m.note()));
                if (!notes.isEmpty()) {
                    run.set("method_notes", notes);
                }
            }
            // Two folders of one name (in two sweeps, say) would share a page; the second gets a suffix.
            if (!pages.add(run.get("page").asText())) {
                run.put("page", run.get("page").asText() + "-" + Hashing.sha256(run.get("folder").asText()).substring(0, 6));
                pages.add(run.get("page").asText());
            }
            runList.add(run);
            if (rep != null) {
                replicates.put(run.get("page").asText(), rep);
            }
            String board = String.join(SEP, run.get("benchmark").asText(), run.get("preset").asText(),
                    run.get("weights").asText(), run.get("world").asText());
            groups.computeIfAbsent(board, k -> new TreeMap<>()).computeIfAbsent(run.get("config_key").asText(),
                    k -> new ArrayList<>()).add(run);
        }
        ArrayNode boards = site.putArray("leaderboards");
        for (Map.Entry<String, Map<String, List<ObjectNode>>> g : groups.entrySet()) {
            String[] k = g.getKey().split(SEP, -1);
            boards.add(Leaderboards.board(specs.get(k[0]), k[1], k[2], k[3], g.getValue(), replicates));
        }
        site.set("benchmarks", JSON.valueToTree(specs));
        ArrayNode ms = site.putArray("methods");
        Map<String, List<String>> runsOf = new TreeMap<>();
        for (JsonNode r : runList) {
            runsOf.computeIfAbsent(r.get("method").asText(), x -> new ArrayList<>()).add(r.get("page").asText());
        }
        for (String id : runsOf.keySet()) {
            methods.putIfAbsent(id, new MethodInfo(id, describe(id, methods), null, List.of()));
        }
        for (MethodInfo m : methods.values()) {
            ObjectNode o = ms.addObject();
            o.put("id", m.id());
            o.put("description", m.description());
            ArrayNode ps = o.putArray("parameters");
            for (MethodInfo.Parameter p : m.parameters()) {
                ps.addObject().put("name", p.name()).put("type", p.type()).put("default", p.defaultValue())
                        .put("description", p.description());
            }
            o.set("runs", JSON.valueToTree(runsOf.getOrDefault(m.id(), List.of())));
        }
        return site;
    }

    private static String describe(String id, Map<String, MethodInfo> methods) {
        if (!id.contains("+")) {
            return "(not described by its runs, nor installed here)";
        }
        return "composition of " + String.join(" and ", id.split("\\+")) + ": their hooks in order, token weights multiplied";
    }

    /**
     * The run's verification as the site shows it: valid only when {@code ckl verify} passed for this
     * run id and the metrics.jsonl it checked is the one here now (a file edited afterwards, or a
     * verification copied from another run, does not count). Null when there is none.
     */
    static ObjectNode verification(RunFolder folder, RunRecord record) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        Verification v;
        try {
            v = folder.verification();
        } catch (IOException | RuntimeException e) {
            return out.put("valid", false).put("reason", "verification.json is unreadable: " + e.getMessage());
        }
        if (v == null) {
            return null;
        }
        String reason = !v.passed() ? "verification " + v.verdict()
                : record.config() == null || !java.util.Objects.equals(v.runId(), record.config().id())
                        ? "verification.json is another run's"
                : !v.completeRun() ? "only the first " + v.stagesCompared() + " stages were run again"
                : changedSince(folder, v);
        out.put("valid", reason == null);
        if (reason != null) {
            out.put("reason", reason);
        }
        out.put("verdict", String.valueOf(v.verdict()));
        out.put("verified_at", String.valueOf(v.verifiedAt()));
        out.put("machine", v.machine() == null ? "unknown"
                : v.machine().getOrDefault("cpu", "?") + ", " + v.machine().getOrDefault("cpus", "?") + " CPUs");
        out.put("tolerance", v.tolerance());
        out.put("compared", v.completeRun() ? "the whole run" : "the first " + v.stagesCompared() + " stages ("
                + v.evaluations() + " evaluations)");
        return out;
    }

    /** Null when every file the verification vouches for is as it found it; else what changed. */
    private static String changedSince(RunFolder folder, Verification v) throws IOException {
        Map<String, String> vouched = v.filesSha256() == null ? Map.of() : v.filesSha256();
        Map<String, String> now = folder.vouchedSha256();
        for (String f : Verification.COVERED) {
            if (!java.util.Objects.equals(now.get(f), vouched.get(f))) {
                return f + " changed after it was verified";
            }
        }
        return null;
    }

    private static ObjectNode readRun(Path runs, RunFolder folder, RunRecord record) throws IOException {
        Path dir = folder.dir();
        RunConfig config = record.config();
        String page = dir.getFileName().toString();
        if (!safeName(page)) {
            throw new IOException("the folder name " + page + " cannot name a page (letters, digits, . _ + - only)");
        }
        for (String[] named : new String[][] {{"method", config.method()}, {"preset", config.preset()},
            {"benchmark", config.benchmark()}}) {
            if (!safeName(named[1])) {
                throw new IOException("run.json's " + named[0] + " '" + named[1] + "' is not a plain name");
            }
        }
        for (String f : List.of(RunFolder.RUN, RunFolder.SUMMARY, RunFolder.BENCHMARK, RunFolder.METRICS)) {
            if (Files.isSymbolicLink(dir.resolve(f))) {
                throw new IOException(f + " is a symbolic link; a run folder's files must be its own");
            }
        }
        ObjectNode run = JSON.createObjectNode();
        run.put("page", page);
        run.put("id", record.id() != null ? record.id() : page);
        run.put("folder", runs.relativize(dir).toString());
        run.put("benchmark", config.benchmark());
        run.put("method", config.method());
        run.put("preset", config.preset());
        run.put("seed", config.seed());
        String model = record.provenance() != null && record.provenance().inputs() != null
                && record.provenance().inputs().containsKey("model") ? record.provenance().inputs().get("model").path()
                : config.model();
        run.put("model", model == null ? "unknown" : modelLabel(model));
        // boards and rows by content, not by path (RowKeys); a run without hashes keeps its path apart
        String weights = RowKeys.weights(record.provenance());
        String world = RowKeys.world(record.provenance());
        run.put("weights", weights != null ? weights : "unknown (no hashes; model at " + run.get("model").asText() + ")");
        run.put("world", world != null ? world : "unknown (no hashes; data at " + config.data() + ")");
        run.put("config_key", RowKeys.row(config, record.provenance(), record.methods()));
        run.set("params", JSON.valueToTree(config.methodParams()));
        run.set("variant", JSON.valueToTree(record.variant() == null ? Map.of() : record.variant()));
        run.set("summary", JSON.valueToTree(folder.summary()));
        ArrayNode metrics = run.putArray("metrics");
        folder.metrics().forEach(metrics::add);
        run.set("config", JSON.valueToTree(config));
        run.set("provenance", JSON.valueToTree(record.provenance()));
        run.set("verification", verification(folder, record));
        // A sample of the last evaluation's probes for the run page; the files hold all of them.
        List<Path> predictions = folder.predictionFiles().stream().filter(Summarizer::regular).toList();
        run.set("last_predictions", JSON.valueToTree(predictions.isEmpty() ? List.of()
                : RunFolder.readPredictions(predictions.get(predictions.size() - 1), 20)));
        ArrayNode files = run.putArray("files");
        try (var walk = Files.walk(dir)) {
            for (Path f : walk.filter(Summarizer::regular).sorted().toList()) {
                Path rel = dir.relativize(f);
                // Published: the run's own plain files; not links (walk lists but never follows them), not hidden
                // files (the lock, temporary files of an interrupted write), not the checkpoint (large, and gone
                // once complete), and nothing whose name could not be a link as it is.
                boolean plain = true;
                for (Path part : rel) {
                    plain &= safeName(part.toString());
                }
                if (plain && !rel.startsWith(RunFolder.CHECKPOINT)) {
                    files.add(rel.toString().replace('\\', '/'));
                }
            }
        }
        return run;
    }

    /** The variant of a row: the parameters that differ from the defaults, as {@code name=value, ...}. */
    static String variant(JsonNode params) {
        StringBuilder sb = new StringBuilder();
        params.fields().forEachRemaining(p -> sb.append(sb.length() == 0 ? "" : ", ").append(p.getKey()).append('=')
                .append(p.getValue().asText()));
        return sb.toString();
    }
}
