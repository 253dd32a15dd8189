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
 * JSON data model — leaderboards per benchmark, preset and base model (runs of one configuration
 * across seeds aggregated to mean ± sample standard deviation), each benchmark's published rows, each
 * run's curve and provenance, and the methods. What a benchmark's leaderboard shows comes from the
 * {@code benchmark.json} its runs carry (or, for run folders older than that file, from the installed
 * benchmark), so the site knows no benchmark by name. The site is rendered from this model alone.
 */
public final class Summarizer {
    private static final ObjectMapper JSON = new ObjectMapper();

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
            String board = run.get("benchmark").asText() + "|" + run.get("preset").asText() + "|" + run.get("model").asText();
            groups.computeIfAbsent(board, k -> new TreeMap<>()).computeIfAbsent(run.get("config_key").asText(),
                    k -> new ArrayList<>()).add(run);
        }
        ArrayNode boards = site.putArray("leaderboards");
        for (Map.Entry<String, Map<String, List<ObjectNode>>> g : groups.entrySet()) {
            String[] k = g.getKey().split("\\|", -1);
            boards.add(Leaderboards.board(specs.get(k[0]), k[1], k[2], g.getValue(), replicates));
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
        run.put("config_key", config.rowKey());
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

    /** The leaderboard of a benchmark spec, as the data model holds it. */
    static final class Leaderboards {
        private Leaderboards() {
        }

        /** The row every other is compared with, when the board has it: Finetune at its defaults. */
        static final String REFERENCE = "finetune";

        static ObjectNode board(LeaderboardSpec spec, String preset, String model, Map<String, List<ObjectNode>> configs,
                                Map<String, Replicates> replicates) {
            String benchmark = spec.benchmark();
            ObjectNode b = JSON.createObjectNode();
            b.put("benchmark", benchmark);
            b.put("title", spec.title());
            b.put("hint", spec.hint() == null ? "" : spec.hint());
            b.put("preset", preset);
            b.put("model", model);
            b.put("anchor", (benchmark + "-" + preset + "-" + model).replaceAll("[^A-Za-z0-9_-]", "-"));
            List<LeaderboardSpec.Column> cols = spec.columns();
            ArrayNode columns = b.putArray("columns");
            for (LeaderboardSpec.Column c : cols) {
                columns.addObject().put("key", c.key()).put("label", c.label()).put("short_label", c.terminalLabel())
                        .put("better", c.better());
            }
            Map<String, Integer> perMethod = new TreeMap<>();
            configs.values().forEach(rs -> perMethod.merge(rs.get(0).get("method").asText(), 1, Integer::sum));
            List<ObjectNode> rows = new ArrayList<>();
            for (Map.Entry<String, List<ObjectNode>> e : configs.entrySet()) {
                List<ObjectNode> rs = e.getValue();
                ObjectNode row = JSON.createObjectNode();
                String method = rs.get(0).get("method").asText();
                row.put("method", method);
                StringBuilder variant = new StringBuilder(variant(rs.get(0).path("variant")));
                if (perMethod.get(method) > 1) {
                    variant.append(variant.length() == 0 ? "" : " · ").append("config ").append(e.getKey(), 0, 6);
                }
                row.put("variant", variant.toString());
                row.put("n", rs.size());
                ArrayNode ids = row.putArray("runs");
                ArrayNode seeds = row.putArray("seeds");
                ArrayNode verified = row.putArray("verified_runs");
                rs.stream().sorted((x, y) -> Long.compare(x.get("seed").asLong(), y.get("seed").asLong())).forEach(r -> {
                    ids.add(r.get("page").asText());
                    seeds.add(r.get("seed").asLong());
                    verified.add(r.path("verification").path("valid").asBoolean(false));
                });
                int nVerified = 0;
                for (JsonNode v : verified) {
                    nVerified += v.asBoolean() ? 1 : 0;
                }
                row.put("verified", nVerified == rs.size());
                ObjectNode values = row.putObject("values");
                for (LeaderboardSpec.Column c : cols) {
                    List<Double> xs = new ArrayList<>();
                    for (ObjectNode r : rs) {
                        JsonNode v = r.get("summary").at(c.path());
                        if (v.isNumber() && Double.isFinite(v.asDouble())) {
                            xs.add(v.asDouble());
                        }
                    }
                    if (xs.isEmpty()) {
                        continue;
                    }
                    double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
                    double var = 0;
                    for (double x : xs) {
                        var += (x - mean) * (x - mean);
                    }
                    double sd = xs.size() > 1 ? Math.sqrt(var / (xs.size() - 1)) : 0;
                    values.putObject(c.key()).put("mean", mean).put("sd", sd).put("text", c.format(mean, sd, xs.size()));
                }
                rows.add(row);
            }
            rows.sort((x, y) -> (x.get("method").asText() + x.get("variant").asText())
                    .compareTo(y.get("method").asText() + y.get("variant").asText()));
            markBest(cols, rows);
            addIntervals(cols, rows, replicates);
            b.put("reference", REFERENCE);
            ArrayNode rowArray = b.putArray("rows");
            rows.forEach(rowArray::add);
            ArrayNode rep = b.putArray("reported");
            if (spec.reported() != null && spec.reported().rows() != null) {
                b.put("reported_model", spec.reported().model());
                b.put("reported_source", spec.reported().source());
                ArrayNode notes = b.putArray("notes");
                for (LeaderboardSpec.ReportedRow r : spec.reported().rows()) {
                    ObjectNode o = rep.addObject();
                    o.put("method", r.method());
                    o.put("label", r.label());
                    if (r.note() != null && !r.note().isBlank()) {
                        notes.add(r.note());
                        o.put("mark", notes.size());
                    }
                    ObjectNode values = o.putObject("values");
                    for (LeaderboardSpec.Column c : cols) {
                        Double v = r.values().get(c.key());
                        if (v != null) {
                            values.putObject(c.key()).put("mean", v).put("text", c.format(v, 0, 1));
                        }
                    }
                }
            }
            b.set("references", references(spec, configs));
            if (spec.notice() != null) {
                b.put("notice", spec.notice());
            }
            return b;
        }

        /**
         * The spec's reference lines with their values, read from every run's summary: one value where the
         * runs agree (they share the data), their range where they do not; a line no run carries is left out.
         */
        static ArrayNode references(LeaderboardSpec spec, Map<String, List<ObjectNode>> configs) {
            ArrayNode out = JSON.createArrayNode();
            if (spec.references() == null) {
                return out;
            }
            for (LeaderboardSpec.ReferenceLine ref : spec.references()) {
                LeaderboardSpec.Column col = spec.columns().stream().filter(c -> c.key().equals(ref.column()))
                        .findFirst().orElseThrow();
                java.util.DoubleSummaryStatistics xs = configs.values().stream().flatMap(List::stream)
                        .map(r -> r.get("summary").at(ref.path()))
                        .filter(v -> v.isNumber() && Double.isFinite(v.asDouble()))
                        .mapToDouble(JsonNode::asDouble).summaryStatistics();
                if (xs.getCount() == 0) {
                    continue;
                }
                String text = xs.getMin() == xs.getMax() ? col.format(xs.getMin(), 0, 1)
                        : col.format(xs.getMin(), 0, 1) + " to " + col.format(xs.getMax(), 0, 1);
                ObjectNode o = out.addObject().put("key", ref.key()).put("label", ref.label())
                        .put("column", ref.column()).put("column_label", col.label())
                        .put("value", xs.getAverage()).put("text", text);
                if (ref.note() != null) {
                    o.put("note", ref.note());
                }
            }
            return out;
        }

        /**
         * Each value's 95% interval over seeds and probes, and, for columns with a direction, whether its
         * difference to the reference row holds under the paired bootstrap (the interval of the
         * difference excludes 0). Rows whose runs lack replicates, or whose runs were resampled under
         * different schemes, get neither.
         */
        private static void addIntervals(List<LeaderboardSpec.Column> cols, List<ObjectNode> rows,
                                         Map<String, Replicates> replicates) {
            ObjectNode ref = rows.stream().filter(r -> r.get("method").asText().equals(REFERENCE)
                    && r.get("variant").asText().isEmpty()).findFirst().orElse(null);
            for (ObjectNode r : rows) {
                for (LeaderboardSpec.Column c : cols) {
                    ObjectNode v = (ObjectNode) r.path("values").get(c.key());
                    List<double[]> mine = replicatesOf(r, c, replicates, null);
                    if (v == null || mine == null) {
                        continue;
                    }
                    double[] ci = Intervals.interval(Intervals.row(mine));
                    v.put("lo", ci[0]).put("hi", ci[1]).put("interval", "[" + c.format(ci[0], 0, 1) + ", "
                            + c.format(ci[1], 0, 1) + "]");
                    if (ref == null || ref == r || c.better() == 0) {
                        continue;
                    }
                    // paired by seed: only seeds both rows ran
                    List<Long> common = new ArrayList<>();
                    r.get("seeds").forEach(x -> {
                        for (JsonNode y : ref.get("seeds")) {
                            if (y.asLong() == x.asLong()) {
                                common.add(x.asLong());
                            }
                        }
                    });
                    List<double[]> a = replicatesOf(r, c, replicates, common);
                    List<double[]> f = replicatesOf(ref, c, replicates, common);
                    if (common.isEmpty() || a == null || f == null || !sameScheme(r, ref, replicates)) {
                        continue;
                    }
                    double[] d = Intervals.interval(Intervals.pairedDifference(a, f));
                    v.put("diff_lo", d[0]).put("diff_hi", d[1]);
                    if (d[0] > 0 || d[1] < 0) {
                        v.put("vs_reference", (d[0] > 0) == (c.better() > 0) ? "better" : "worse");
                    }
                }
            }
        }

        /** The replicates of column {@code c} of each of the row's runs (of {@code seeds} only, in that order), or null. */
        private static List<double[]> replicatesOf(ObjectNode row, LeaderboardSpec.Column c, Map<String, Replicates> all,
                                                   List<Long> seeds) {
            List<double[]> out = new ArrayList<>();
            String scheme = null;
            int reps = -1;
            JsonNode runs = row.get("runs");
            for (int i = 0; i < runs.size(); i++) {
                if (seeds != null && !seeds.contains(row.get("seeds").get(i).asLong())) {
                    continue;
                }
                Replicates rep = all.get(runs.get(i).asText());
                if (rep == null || rep.values().get(c.path()) == null
                        || (scheme != null && (!scheme.equals(rep.scheme()) || reps != rep.replicates()))) {
                    return null;
                }
                scheme = rep.scheme();
                reps = rep.replicates();
                out.add(rep.values().get(c.path()));
            }
            if (seeds != null) {
                // in the order of seeds, so position i is the same seed in both rows
                List<double[]> ordered = new ArrayList<>();
                for (Long s : seeds) {
                    for (int i = 0; i < runs.size(); i++) {
                        if (row.get("seeds").get(i).asLong() == s) {
                            ordered.add(all.get(runs.get(i).asText()).values().get(c.path()));
                        }
                    }
                }
                out = ordered;
            }
            return out.isEmpty() ? null : out;
        }

        private static boolean sameScheme(ObjectNode a, ObjectNode b, Map<String, Replicates> all) {
            Replicates x = all.get(a.get("runs").get(0).asText());
            Replicates y = all.get(b.get("runs").get(0).asText());
            return x != null && y != null && x.scheme().equals(y.scheme()) && x.replicates() == y.replicates();
        }

        private static void markBest(List<LeaderboardSpec.Column> cols, List<ObjectNode> rows) {
            for (LeaderboardSpec.Column c : cols) {
                if (c.better() == 0) {
                    continue;
                }
                double best = c.better() > 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                for (ObjectNode r : rows) {
                    JsonNode v = r.path("values").path(c.key()).path("mean");
                    if (v.isNumber()) {
                        best = c.better() > 0 ? Math.max(best, v.asDouble()) : Math.min(best, v.asDouble());
                    }
                }
                for (ObjectNode r : rows) {
                    JsonNode v = r.path("values").path(c.key());
                    if (v.path("mean").isNumber() && v.path("mean").asDouble() == best) {
                        ((ObjectNode) v).put("best", true);
                    }
                }
            }
        }
    }

}
