package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.Hashing;
import org.cklbench.io.JsonLines;
import org.cklbench.runfolder.RunFolder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The summarize step (as HELM splits it): every complete run folder under a directory becomes one
 * JSON data model — leaderboards per benchmark, preset and base model (runs of one configuration
 * across seeds aggregated to mean ± sample standard deviation), the paper's reported rows, each run's
 * curve and provenance, and the methods. The site is rendered from this model alone.
 */
public final class Summarizer {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A column of a leaderboard: where the value is in summary.json, and which way is better. */
    record Column(String key, String label, String path, int better) {
    }

    static final Map<String, List<Column>> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("lama-ckl", List.of(new Column("top_acc", "Top Acc", "/top_acc", 1),
                new Column("epoch", "Epoch", "/epoch", 0), new Column("nf_acc", "NF Acc", "/nf_acc", 1),
                new Column("total_knowledge", "Total Knowledge", "/total_knowledge", 1)));
        List<Column> tw = new ArrayList<>();
        for (String p : List.of("0910", "1011", "1112")) {
            tw.add(new Column(p + "_un", p + " Un", "/periods/" + p + "/un", -1));
            tw.add(new Column(p + "_c", p + " C", "/periods/" + p + "/c", -1));
            tw.add(new Column(p + "_avg", p + " Avg", "/periods/" + p + "/avg", -1));
        }
        COLUMNS.put("temporalwiki", tw);
    }

    /** A method as {@code ckl methods} describes it. */
    public record MethodInfo(String id, String description, List<String[]> parameters) {
    }

    private Summarizer() {
    }

    /** Complete run folders (run.json and summary.json) under {@code runs}, in path order. */
    static List<Path> runFolders(Path runs) throws IOException {
        try (var walk = Files.walk(runs)) {
            return walk.filter(p -> Files.isRegularFile(p.resolve(RunFolder.RUN)) && Files.isRegularFile(p.resolve(RunFolder.SUMMARY)))
                    .sorted().toList();
        }
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

    public static ObjectNode summarize(Path runs, Map<String, MethodInfo> methods) throws IOException {
        ObjectNode site = JSON.createObjectNode();
        ArrayNode runList = site.putArray("runs");
        Map<String, Map<String, List<ObjectNode>>> groups = new TreeMap<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (Path dir : runFolders(runs)) {
            ObjectNode run = readRun(runs, dir);
            // The same configuration run into two folders has one id twice; the page names must differ.
            if (!ids.add(run.get("id").asText())) {
                run.put("id", run.get("id").asText() + "~" + Hashing.sha256(run.get("folder").asText()).substring(0, 6));
                ids.add(run.get("id").asText());
            }
            runList.add(run);
            String board = run.get("benchmark").asText() + "|" + run.get("preset").asText() + "|" + run.get("model").asText();
            groups.computeIfAbsent(board, k -> new TreeMap<>()).computeIfAbsent(run.get("config_key").asText(),
                    k -> new ArrayList<>()).add(run);
        }
        ArrayNode boards = site.putArray("leaderboards");
        JsonNode reported = JSON.readTree(resource("reported.json"));
        site.put("reported_source", reported.get("source").asText());
        for (Map.Entry<String, Map<String, List<ObjectNode>>> g : groups.entrySet()) {
            String[] k = g.getKey().split("\\|", -1);
            boards.add(board(k[0], k[1], k[2], g.getValue(), reported.get(k[0]), methods));
        }
        ArrayNode ms = site.putArray("methods");
        Map<String, List<String>> runsOf = new TreeMap<>();
        for (JsonNode r : runList) {
            runsOf.computeIfAbsent(r.get("method").asText(), x -> new ArrayList<>()).add(r.get("id").asText());
        }
        Map<String, MethodInfo> all = new TreeMap<>(methods);
        for (String id : runsOf.keySet()) {
            all.putIfAbsent(id, new MethodInfo(id, composedDescription(id, methods), List.of()));
        }
        for (MethodInfo m : all.values()) {
            ObjectNode o = ms.addObject();
            o.put("id", m.id());
            o.put("description", m.description());
            ArrayNode ps = o.putArray("parameters");
            for (String[] p : m.parameters()) {
                ps.addObject().put("name", p[0]).put("default", p[1]).put("description", p[2]);
            }
            o.set("runs", JSON.valueToTree(runsOf.getOrDefault(m.id(), List.of())));
        }
        return site;
    }

    private static String composedDescription(String id, Map<String, MethodInfo> methods) {
        if (!id.contains("+")) {
            return "(not installed here: a plugin method of these runs)";
        }
        return "composition of " + String.join(" and ", id.split("\\+")) + ": their hooks in order, token weights multiplied";
    }

    static InputStream resource(String name) {
        return Summarizer.class.getResourceAsStream(name);
    }

    private static ObjectNode readRun(Path runs, Path dir) throws IOException {
        JsonNode runJson = JSON.readTree(dir.resolve(RunFolder.RUN).toFile());
        JsonNode summary = JSON.readTree(dir.resolve(RunFolder.SUMMARY).toFile());
        JsonNode config = runJson.get("config");
        ObjectNode run = JSON.createObjectNode();
        run.put("id", runJson.path("id").asText(dir.getFileName().toString()));
        run.put("folder", runs.relativize(dir).toString());
        run.put("benchmark", config.get("benchmark").asText());
        run.put("method", config.get("method").asText());
        run.put("preset", config.get("preset").asText());
        run.put("seed", config.get("seed").asLong());
        run.put("model", modelLabel(config.path("inputs").path("model").asText("unknown")));
        ObjectNode noSeed = config.deepCopy();
        noSeed.remove("seed");
        run.put("config_key", Hashing.sha256(RunFolder.canonical(noSeed)).substring(0, 10));
        run.set("params", config.path("method_params"));
        run.set("summary", summary);
        ArrayNode metrics = run.putArray("metrics");
        if (Files.isRegularFile(dir.resolve(RunFolder.METRICS))) {
            JsonLines.forEach(dir.resolve(RunFolder.METRICS), l -> metrics.add(l.node()));
        }
        run.set("config", config);
        run.set("provenance", runJson.path("provenance"));
        // A sample of the last evaluation's probes for the run page; the files hold all of them.
        ArrayNode last = run.putArray("last_predictions");
        Path predictions = dir.resolve(RunFolder.PREDICTIONS);
        if (Files.isDirectory(predictions)) {
            try (var s = Files.list(predictions)) {
                Path lastFile = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().reduce((a, b) -> b).orElse(null);
                if (lastFile != null) {
                    JsonLines.forEach(lastFile, l -> {
                        if (last.size() < 20) {
                            last.add(l.node());
                        }
                    });
                }
            }
        }
        ArrayNode files = run.putArray("files");
        try (var walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                String rel = dir.relativize(f).toString().replace('\\', '/');
                // not the checkpoint (large, and gone once complete) nor the lock (it names a pid)
                if (!rel.startsWith(RunFolder.CHECKPOINT + "/") && !rel.equals(RunFolder.LOCK)) {
                    files.add(rel);
                }
            }
        }
        return run;
    }

    /** Whether {@code value} is the declared default of parameter {@code key} ({@code method.name} when composed). */
    static boolean isDefault(String method, String key, String value, Map<String, MethodInfo> methods) {
        String m = method;
        String name = key;
        if (key.contains(".")) {
            m = key.substring(0, key.indexOf('.'));
            name = key.substring(key.indexOf('.') + 1);
        }
        MethodInfo info = methods.get(m);
        if (info == null) {
            return false;
        }
        for (String[] p : info.parameters()) {
            if (p[0].equals(name)) {
                return p[1].equals(value);
            }
        }
        return false;
    }

    private static ObjectNode board(String benchmark, String preset, String model, Map<String, List<ObjectNode>> configs,
                                    JsonNode reported, Map<String, MethodInfo> methods) {
        ObjectNode b = JSON.createObjectNode();
        b.put("benchmark", benchmark);
        b.put("preset", preset);
        b.put("model", model);
        b.put("anchor", (benchmark + "-" + preset + "-" + model).replaceAll("[^A-Za-z0-9_-]", "-"));
        List<Column> cols = COLUMNS.getOrDefault(benchmark, List.of());
        ArrayNode columns = b.putArray("columns");
        for (Column c : cols) {
            columns.addObject().put("key", c.key()).put("label", c.label()).put("better", c.better());
        }
        Map<String, Integer> perMethod = new TreeMap<>();
        configs.values().forEach(rs -> perMethod.merge(rs.get(0).get("method").asText(), 1, Integer::sum));
        List<ObjectNode> rows = new ArrayList<>();
        for (Map.Entry<String, List<ObjectNode>> e : configs.entrySet()) {
            List<ObjectNode> rs = e.getValue();
            ObjectNode row = JSON.createObjectNode();
            String method = rs.get(0).get("method").asText();
            row.put("method", method);
            StringBuilder variant = new StringBuilder();
            // Only parameters that differ from the method's defaults name a variant.
            rs.get(0).path("params").fields().forEachRemaining(p -> {
                if (!isDefault(method, p.getKey(), p.getValue().asText(), methods)) {
                    variant.append(variant.length() == 0 ? "" : ", ").append(p.getKey()).append('=').append(p.getValue().asText());
                }
            });
            if (perMethod.get(method) > 1) {
                variant.append(variant.length() == 0 ? "" : " · ").append("config ").append(e.getKey(), 0, 6);
            }
            row.put("variant", variant.toString());
            row.put("n", rs.size());
            ArrayNode ids = row.putArray("runs");
            ArrayNode seeds = row.putArray("seeds");
            rs.stream().sorted((x, y) -> Long.compare(x.get("seed").asLong(), y.get("seed").asLong())).forEach(r -> {
                ids.add(r.get("id").asText());
                seeds.add(r.get("seed").asLong());
            });
            ObjectNode values = row.putObject("values");
            for (Column c : cols) {
                List<Double> xs = new ArrayList<>();
                for (ObjectNode r : rs) {
                    JsonNode v = r.get("summary").at(c.path());
                    if (v.isNumber()) {
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
                values.putObject(c.key()).put("mean", mean).put("sd", sd).put("text", format(c, mean, sd, xs.size()));
            }
            rows.add(row);
        }
        rows.sort((x, y) -> (x.get("method").asText() + x.get("variant").asText())
                .compareTo(y.get("method").asText() + y.get("variant").asText()));
        for (Column c : cols) {
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
        ArrayNode rowArray = b.putArray("rows");
        rows.forEach(rowArray::add);
        ArrayNode rep = b.putArray("reported");
        if (reported != null) {
            b.put("reported_model", reported.get("model").asText());
            for (JsonNode r : reported.get("rows")) {
                ObjectNode o = rep.addObject();
                o.put("method", r.get("method").asText());
                o.put("label", r.get("label").asText());
                ObjectNode values = o.putObject("values");
                for (Column c : cols) {
                    JsonNode v = benchmark.equals("temporalwiki")
                            ? r.path(c.key().substring(0, 4)).path(List.of("un", "c", "avg").indexOf(c.key().substring(5)))
                            : r.path(c.key());
                    if (v.isNumber()) {
                        values.putObject(c.key()).put("mean", v.asDouble()).put("text", format(c, v.asDouble(), 0, 1));
                    }
                }
            }
        }
        return b;
    }

    static String format(Column c, double mean, double sd, int n) {
        String fmt = c.key().equals("epoch") ? "%.0f" : c.better() < 0 ? "%.3f" : "%.4f";
        if (c.key().equals("epoch") && n > 1) {
            fmt = "%.1f";
        }
        String m = String.format(Locale.ROOT, fmt, mean);
        return n > 1 ? m + " ± " + String.format(Locale.ROOT, fmt.equals("%.0f") ? "%.1f" : fmt, sd) : m;
    }
}
