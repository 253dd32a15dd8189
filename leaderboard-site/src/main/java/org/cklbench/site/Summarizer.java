package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.Hashing;
import org.cklbench.runfolder.InputFiles;
import org.cklbench.runfolder.LeaderboardSpec;
import org.cklbench.runfolder.MethodInfo;
import org.cklbench.runfolder.Replicates;
import org.cklbench.runfolder.RunConfig;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.RunRecord;
import org.cklbench.runfolder.Verification;
import org.cklbench.runfolder.VouchedRunJson;

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
        if (p.getFileName() == null) {
            return path;
        }
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
        Map<String, MethodInfo> methods = new TreeMap<>();
        installed.forEach(m -> methods.put(m.id(), m));
        Map<String, MethodInfo> installedById = Map.copyOf(methods);
        // 1. each run on its own: any error (a file beyond the bounds, a null where a record belongs) leaves that run out
        List<Read> read = new ArrayList<>();
        for (Path dir : runFolders(runs)) {
            String folder = runs.relativize(dir).toString();
            try {
                read.add(Read.of(runs, new RunFolder(dir), installedById));
            } catch (IOException | RuntimeException e) {
                skip(skipped, folder, e);
            }
        }
        // 2. each benchmark's spec from what can be checked (BoardSpecs); runs carrying another are left out
        Map<String, Map<String, LeaderboardSpec>> carried = new TreeMap<>();
        read.forEach(r -> carried.computeIfAbsent(r.record.config().benchmark(), k -> new TreeMap<>()).put(r.folder(), r.spec));
        Map<String, LeaderboardSpec> specs = new TreeMap<>();
        Map<String, String> specSources = new TreeMap<>();
        Map<String, String> refused = new TreeMap<>();
        carried.forEach((benchmark, bySpec) -> {
            BoardSpecs.Choice c = BoardSpecs.choose(benchmark, fallback.get(benchmark), bySpec);
            refused.putAll(c.refused());
            if (c.spec() != null) {
                specs.put(benchmark, c.spec());
                specSources.put(benchmark, c.source());
            }
        });
        // 3. one run per configuration and seed on a board: a second would be a replicate that is none
        Map<String, Read> bySeed = new HashMap<>();
        for (Read r : read) {
            String key = r.board() + SEP + r.run.get("config_key").asText() + SEP + r.run.get("seed").asText();
            if (refused.containsKey(r.folder())) {
                continue;
            }
            Read first = bySeed.get(key);
            if (first == null) {
                bySeed.put(key, r);
            } else if (r.verified() && !first.verified()) {
                refused.put(first.folder(), "the same configuration and seed as " + r.folder()
                        + ", which is verified and is shown instead");
                bySeed.put(key, r);
            } else {
                refused.put(r.folder(), "the same configuration and seed as " + first.folder() + ", which is shown");
            }
        }
        Map<String, Map<String, List<ObjectNode>>> groups = new TreeMap<>();
        Set<String> pages = new HashSet<>();
        Map<String, Replicates> replicates = new HashMap<>();
        for (Read r : read) {
            if (refused.containsKey(r.folder())) {
                skipped.addObject().put("folder", r.folder()).put("reason", refused.get(r.folder()));
                continue;
            }
            ObjectNode run = r.run;
            if (r.record.methods() != null) {
                r.record.methods().stream().filter(m -> m != null && safeName(m.id()) && m.parameters() != null
                        && m.parameters().stream().allMatch(java.util.Objects::nonNull))
                        .forEach(m -> methods.putIfAbsent(m.id(), m));
                ArrayNode notes = JSON.createArrayNode();
                r.record.methods().stream().filter(m -> m != null && m.note() != null && !m.note().isBlank())
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
            if (r.replicates != null) {
                replicates.put(run.get("page").asText(), r.replicates);
            }
            groups.computeIfAbsent(r.board(), k -> new TreeMap<>()).computeIfAbsent(run.get("config_key").asText(),
                    k -> new ArrayList<>()).add(run);
        }
        ArrayNode boards = site.putArray("leaderboards");
        for (Map.Entry<String, Map<String, List<ObjectNode>>> g : groups.entrySet()) {
            String[] k = g.getKey().split(SEP, -1);
            ObjectNode board;
            try {
                board = Leaderboards.board(specs.get(k[0]), k[1], k[2], k[3], g.getValue(), replicates);
            } catch (RuntimeException e) {
                // the last guard: a board that cannot be computed is left out, named by its runs, and the others build
                List<String> folders = new ArrayList<>();
                g.getValue().values().forEach(rs -> rs.forEach(r -> folders.add(r.get("folder").asText())));
                skipped.addObject().put("folder", String.join(", ", folders)).put("reason", "their leaderboard (benchmark "
                        + k[0] + ", preset " + k[1] + ") could not be computed: " + e);
                continue;
            }
            board.put("spec_source", specSources.get(k[0]));
            boards.add(board);
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

    /** A run left out: its folder and why (an error of an unexpected kind says what it was, not a bare "null"). */
    private static void skip(ArrayNode skipped, String folder, Exception e) {
        String reason = e instanceof IOException || e instanceof IllegalArgumentException ? e.getMessage()
                : "cannot be read (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                + ")";
        skipped.addObject().put("folder", folder).put("reason", String.valueOf(reason));
    }

    /** One run folder as read, before the benchmark's spec and the other runs are known. */
    private record Read(RunRecord record, LeaderboardSpec spec, ObjectNode run, Replicates replicates) {
        static Read of(Path runs, RunFolder folder, Map<String, MethodInfo> installed) throws IOException {
            for (String f : List.of(RunFolder.RUN, RunFolder.SUMMARY, RunFolder.BENCHMARK)) {
                Path p = folder.dir().resolve(f);
                if (regular(p) && Files.size(p) > MAX_RECORD_BYTES) {
                    throw new IOException(p + " is larger than " + (MAX_RECORD_BYTES >> 20) + " MiB; not a " + f
                            + " this suite writes");
                }
            }
            RunRecord record = folder.run();
            if (record.config() == null) {
                throw new IOException(folder.dir().resolve(RunFolder.RUN) + " has no config");
            }
            LeaderboardSpec spec = folder.benchmarkSpec();
            ObjectNode run = readRun(runs, folder, record, installed);
            return new Read(record, spec, run, folder.replicates());
        }

        String folder() {
            return run.get("folder").asText();
        }

        String board() {
            return String.join(SEP, run.get("benchmark").asText(), run.get("preset").asText(),
                    run.get("weights").asText(), run.get("world").asText());
        }

        boolean verified() {
            return run.path("verification").path("valid").asBoolean(false);
        }
    }

    private static String describe(String id, Map<String, MethodInfo> methods) {
        if (!id.contains("+")) {
            return "(not described by its runs, nor installed here)";
        }
        return "composition of " + String.join(" and ", id.split("\\+")) + ": their hooks in order, token weights multiplied";
    }

    /**
     * The run's verification as the site shows it: valid only when {@code ckl verify} passed for this
     * run id, ran it all again, says who verified and what it vouches for, and every file and run.json field it
     * vouches for is as it found them (a file edited afterwards, a file it did not vouch for, or a
     * verification copied from another run, does not count). A bundle's own verification.json never gets
     * here: reading a bundle drops it, so a mark is always one made after unpacking. Null when there is none.
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
                : v.verifiedBy() == null || v.vouched() == null || v.vouched().isEmpty() || v.filesSha256() == null
                        || v.runJsonSha256() == null || v.notVouched() == null
                        ? "verification.json does not say who verified and what it vouches for (an older ckl verify's,"
                        + " or not ckl verify's); verify again"
                : changedSince(folder, v);
        out.put("valid", reason == null);
        if (reason != null) {
            out.put("reason", reason);
        }
        out.put("verdict", String.valueOf(v.verdict()));
        out.put("verified_at", String.valueOf(v.verifiedAt()));
        out.put("verified_by", String.valueOf(v.verifiedBy()));
        out.put("machine", v.machine() == null ? "unknown"
                : "machine " + v.machine().getOrDefault("id", "?") + " (" + v.machine().getOrDefault("cpu", "?") + ", "
                + v.machine().getOrDefault("cpus", "?") + " CPUs)");
        out.put("tolerance", v.tolerance());
        out.put("compared", v.completeRun() ? "the whole run" : "the first " + v.stagesCompared() + " stages ("
                + v.evaluations() + " evaluations)");
        out.set("vouched", JSON.valueToTree(v.vouched() == null ? Map.of() : v.vouched()));
        out.set("not_vouched", JSON.valueToTree(v.notVouched() == null ? List.of() : v.notVouched()));
        return out;
    }

    /**
     * Null when every file the verification vouches for is as it found it, every file the site shows is among
     * them, and run.json's vouched fields are as they were; else what changed.
     */
    private static String changedSince(RunFolder folder, Verification v) throws IOException {
        Map<String, String> vouched = v.filesSha256();
        Map<String, String> now = folder.coveredSha256();
        for (String f : Verification.COVERED) {
            if (now.containsKey(f) && !vouched.containsKey(f)) {
                return f + " is not vouched for by the verification (added after it, or never compared)";
            }
        }
        for (Map.Entry<String, String> f : vouched.entrySet()) {
            if (!java.util.Objects.equals(now.get(f.getKey()), f.getValue())) {
                return f.getKey() + " changed after it was verified";
            }
        }
        if (!VouchedRunJson.sha256(folder.dir().resolve(RunFolder.RUN), v.notVouched()).equals(v.runJsonSha256())) {
            return "run.json changed after it was verified";
        }
        return null;
    }

    /** The largest run.json, summary.json or benchmark.json read (the suite writes a few KB). */
    static final long MAX_RECORD_BYTES = 4L << 20;
    /** The most lines of metrics.jsonl read per run: one per evaluation, and a run evaluates far fewer times. */
    static final int MAX_METRICS_LINES = 10_000;
    /** The largest metrics.jsonl read per run. */
    static final long MAX_METRICS_BYTES = 16L << 20;

    /**
     * The declared parameters of the parts of {@code method} as installed here, for the rule that a parameter
     * following the seed by default does not split a row: a run's own run.json could declare any parameter so
     * and pool its row with others, so a part not installed here has none that follows the seed.
     */
    static List<MethodInfo> installedParts(String method, Map<String, MethodInfo> installed) {
        List<MethodInfo> out = new ArrayList<>();
        for (String part : method.split("\\+")) {
            MethodInfo m = installed.get(part);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    private static ObjectNode readRun(Path runs, RunFolder folder, RunRecord record, Map<String, MethodInfo> installed)
            throws IOException {
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
        InputFiles modelInput = record.provenance() == null || record.provenance().inputs() == null ? null
                : record.provenance().inputs().get("model");
        String model = modelInput != null && modelInput.path() != null ? modelInput.path() : config.model();
        run.put("model", model == null ? "unknown" : modelLabel(model));
        // boards and rows by content, not by path (RowKeys); a run without hashes keeps its path apart
        String weights = RowKeys.weights(record.provenance());
        String world = RowKeys.world(record.provenance());
        run.put("weights", weights != null ? weights : "unknown (no hashes; model at " + run.get("model").asText() + ")");
        run.put("world", world != null ? world : "unknown (no hashes; data at " + config.data() + ")");
        run.put("config_key", RowKeys.row(config, record.provenance(), installedParts(config.method(), installed)));
        run.set("params", JSON.valueToTree(config.methodParams()));
        run.set("variant", JSON.valueToTree(record.variant() == null ? Map.of() : record.variant()));
        run.set("summary", JSON.valueToTree(folder.summary()));
        ArrayNode metrics = run.putArray("metrics");
        folder.metrics(MAX_METRICS_LINES, MAX_METRICS_BYTES).forEach(metrics::add);
        run.set("steps", Steps.sampled(folder));
        run.set("config", JSON.valueToTree(config));
        run.set("provenance", JSON.valueToTree(record.provenance()));
        run.set("verification", verification(folder, record));
        // A sample of the last evaluation's probes for the run page; the files hold all of them.
        // from the published files only: a predictions/ that is a link out of the folder is neither shown nor copied
        List<String> published = PublishedFiles.of(dir);
        List<String> predictions = published.stream().filter(f -> f.startsWith(RunFolder.PREDICTIONS + "/")).toList();
        run.set("last_predictions", JSON.valueToTree(predictions.isEmpty() ? List.of()
                : RunFolder.readPredictions(dir.resolve(predictions.get(predictions.size() - 1)), 20)));
        ArrayNode files = run.putArray("files");
        published.forEach(files::add);
        run.set("probes", ProbeStats.of(dir, ProbeStats.evaluations(published, run.get("summary"))));
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
