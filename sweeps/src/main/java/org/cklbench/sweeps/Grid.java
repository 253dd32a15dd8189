package org.cklbench.sweeps;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.plugin.Registries;
import org.cklbench.core.run.ResolvedRun;
import org.cklbench.core.run.RunRequest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A sweep's grid file: a JSON object whose keys are singular and each a list or one value; every
 * combination is a run. {@code params} and {@code set} hold method parameters and preset overrides,
 * each again a list or one value; a parameter written {@code <method>.<name>} goes to that method
 * wherever a spec holds it and is left out of specs without it. An optional {@code grids} list holds sub-grids that
 * inherit the top-level keys, for what one product cannot say (a parameter only one method has, a
 * benchmark with its own data); an optional {@code slurm} object holds the per-task resources. An
 * optional {@code cost} (a positive number, 1 when absent, inherited by sub-grids) is what each run of
 * its (sub-)grid costs relative to the others: a local sweep starts the costliest first, so that no
 * long run is left alone at the end (it changes no result, only the order).
 * Relative paths are taken from the grid file's folder. Expansion order is the file's order, so the
 * same file always lists the same runs in the same order.
 */
public final class Grid {
    // a key given twice would silently lose one of its values
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final List<String> AXES = List.of("benchmark", "method", "preset", "seed", "model", "data", "params",
            "set", "device", "dtype", "threads");
    private static final Set<String> TOP_ONLY = Set.of("grids", "slurm");
    /** Keys of the grid and of each sub-grid that are no axis of the product. */
    private static final Set<String> PROPERTIES = Set.of("cost");

    private final Path file;
    private final ObjectNode root;

    private Grid(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
    }

    public static Grid read(Path file) throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (line " + e.getLocation().getLineNr() + "): "
                    + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(file + ": a grid file holds one JSON object, e.g. "
                    + "{\"benchmark\":\"lama-ckl\",\"method\":[\"finetune\",\"taalm\"],\"seed\":[1,2],\"preset\":\"smoke\"}");
        }
        return new Grid(file.toAbsolutePath().normalize(), (ObjectNode) node);
    }

    /**
     * A grid given as text (a grid in the resources, say), as if read from {@code file}: errors name
     * it and relative paths are taken from its folder.
     */
    public static Grid parse(String text, Path file) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (line " + e.getLocation().getLineNr() + "): "
                    + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(file + ": a grid holds one JSON object");
        }
        return new Grid(file.toAbsolutePath().normalize(), (ObjectNode) node);
    }

    /** This grid with the top-level {@code key} set to {@code values} (a sub-grid's own value still wins). */
    public Grid with(String key, List<?> values) {
        if (!AXES.contains(key)) {
            throw new IllegalArgumentException("'" + key + "' is no axis of a grid; axes are " + String.join(", ", AXES));
        }
        ObjectNode copy = root.deepCopy();
        copy.set(key, JSON.valueToTree(values));
        return new Grid(file, copy);
    }

    public Path file() {
        return file;
    }

    /** The {@code slurm} object, empty when absent. */
    public JsonNode slurm() {
        JsonNode s = root.path("slurm");
        if (!s.isMissingNode() && !s.isObject()) {
            throw new IllegalArgumentException(file + ": \"slurm\" must be an object, e.g. {\"gpus\": 1, \"time\": \"12:00:00\"}");
        }
        return s.isMissingNode() ? JSON.createObjectNode() : s;
    }

    /**
     * Every run of the grid, each resolved as {@code ckl run} resolves it: benchmarks, presets, methods,
     * typed parameters and settings are checked here, and errors name the file and the sub-grid.
     */
    public List<SweepEntry> expand(Registries registries) {
        return expand(registries, DEFAULT_MAX_RUNS);
    }

    /**
     * A grid expands before anything is checked or submitted, so its size is capped: a typo (a list
     * of a thousand seeds) would otherwise take minutes and hundreds of MB just to be listed.
     */
    public static final long DEFAULT_MAX_RUNS = 10_000;

    /** As {@link #expand(Registries)}, refusing a grid of more than {@code maxRuns} combinations. */
    public List<SweepEntry> expand(Registries registries, long maxRuns) {
        checkKeys(root, "the grid", true);
        List<ObjectNode> grids = new ArrayList<>();
        JsonNode subs = root.path("grids");
        if (subs.isMissingNode()) {
            grids.add(root);
        } else {
            if (!subs.isArray() || subs.isEmpty()) {
                throw new IllegalArgumentException(file + ": \"grids\" must be a non-empty list of objects");
            }
            for (int i = 0; i < subs.size(); i++) {
                if (!subs.get(i).isObject()) {
                    throw new IllegalArgumentException(file + ": grids[" + i + "] is not an object");
                }
                checkKeys(subs.get(i), "grids[" + i + "]", false);
                ObjectNode merged = root.deepCopy();
                merged.remove(TOP_ONLY);
                merged.setAll((ObjectNode) subs.get(i));
                grids.add(merged);
            }
        }
        long total = 0;
        for (int g = 0; g < grids.size(); g++) {
            total = saturatingAdd(total, combinations(grids.get(g), grids.size() == 1 ? "the grid" : "grids[" + g + "]"));
        }
        if (total > maxRuns) {
            throw new IllegalArgumentException(file + ": the grid has " + (total == Long.MAX_VALUE ? "more than 9e18"
                    : String.format(java.util.Locale.ROOT, "%,d", total)) + " combinations, more than the cap of "
                    + String.format(java.util.Locale.ROOT, "%,d", maxRuns) + "; check its lists, or pass --max-runs N to"
                    + " allow that many");
        }
        Map<String, SweepEntry> out = new LinkedHashMap<>();
        for (int g = 0; g < grids.size(); g++) {
            String where = grids.size() == 1 ? "the grid" : "grids[" + g + "]";
            for (SweepEntry e : expand(grids.get(g), where, registries)) {
                out.putIfAbsent(e.id(), e);
            }
        }
        return List.copyOf(out.values());
    }

    private void checkKeys(JsonNode grid, String where, boolean top) {
        for (Iterator<String> it = grid.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!AXES.contains(k) && !PROPERTIES.contains(k) && !(top && TOP_ONLY.contains(k))) {
                throw new IllegalArgumentException(file + ", " + where + ": unknown key '" + k + "'; keys are "
                        + String.join(", ", AXES) + ", cost" + (top ? ", grids, slurm" : ""));
            }
        }
    }

    private List<SweepEntry> expand(ObjectNode g, String where, Registries registries) {
        List<String> benchmarks = required(g, "benchmark", where);
        List<String> methodSpecs = required(g, "method", where);
        List<String> presets = required(g, "preset", where);
        List<String> seeds = g.has("seed") ? values(g, "seed", where) : List.of("1");
        List<String> models = optional(g, "model", where);
        List<String> datas = optional(g, "data", where);
        List<String> devices = g.has("device") ? values(g, "device", where) : List.of("cpu");
        List<String> dtypes = optional(g, "dtype", where);
        List<String> threads = g.has("threads") ? values(g, "threads", where) : List.of("0");
        List<SortedMap<String, String>> paramSets = product(g.path("params"), "params", where);
        List<SortedMap<String, String>> settingSets = product(g.path("set"), "set", where);
        double cost = cost(g, where);

        List<SweepEntry> out = new ArrayList<>();
        for (String b : benchmarks) {
            for (String m : methodSpecs) {
                for (String model : models) {
                    for (String data : datas) {
                        for (SortedMap<String, String> params : paramSets) {
                            for (SortedMap<String, String> settings : settingSets) {
                                for (String p : presets) {
                                    for (String seed : seeds) {
                                        for (String device : devices) {
                                            for (String dtype : dtypes) {
                                                for (String t : threads) {
                                                    RunRequest r = new RunRequest(b, m, params, p, settings, path(model),
                                                            path(data), number(seed, "seed", where), device, dtype,
                                                            (int) number(t, "threads", where));
                                                    out.add(new SweepEntry(r, resolve(r, where, registries).config(), cost));
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private double cost(JsonNode g, String where) {
        JsonNode c = g.get("cost");
        if (c == null) {
            return 1;
        }
        if (!c.isNumber() || !(c.asDouble() > 0) || Double.isInfinite(c.asDouble())) {
            throw new IllegalArgumentException(file + ", " + where + ": \"cost\" must be a positive number (what each"
                    + " run costs relative to the others, 1 when absent), not " + c);
        }
        return c.asDouble();
    }

    private ResolvedRun resolve(RunRequest r, String where, Registries registries) {
        try {
            return ResolvedRun.of(r, registries);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ", " + where + ": " + e.getMessage(), e);
        }
    }

    private Path path(String value) {
        return value == null ? null : file.getParent().resolve(value).normalize();
    }

    private long number(String value, String key, String where) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ", " + where + ": " + key + " must be an integer, not '" + value + "'");
        }
    }

    private List<String> required(JsonNode g, String key, String where) {
        if (!g.has(key)) {
            throw new IllegalArgumentException(file + ", " + where + ": \"" + key + "\" is missing (a value or a list)");
        }
        return values(g, key, where);
    }

    /** The key's values, or one null when absent (so the product still has one combination). */
    private List<String> optional(JsonNode g, String key, String where) {
        return g.has(key) ? values(g, key, where) : Arrays.asList((String) null);
    }

    private List<String> values(JsonNode g, String key, String where) {
        JsonNode v = g.get(key);
        List<String> out = new ArrayList<>();
        Consumer<JsonNode> add = x -> {
            if (!x.isValueNode() || x.isNull()) {
                throw new IllegalArgumentException(file + ", " + where + ": \"" + key + "\" holds " + x
                        + "; each value must be a string, number or boolean");
            }
            out.add(x.asText());
        };
        if (v.isArray()) {
            v.forEach(add);
        } else {
            add.accept(v);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + ", " + where + ": \"" + key + "\" is an empty list");
        }
        if (out.stream().distinct().count() != out.size()) {
            throw new IllegalArgumentException(file + ", " + where + ": \"" + key + "\" lists a value twice: " + out);
        }
        return out;
    }

    /** The number of runs a sub-grid lists (before removing duplicates), saturating at Long.MAX_VALUE. */
    private long combinations(ObjectNode g, String where) {
        long n = 1;
        for (String axis : AXES) {
            JsonNode v = g.get(axis);
            if (v == null) {
                continue;
            }
            if (axis.equals("params") || axis.equals("set")) {
                if (v.isObject()) {
                    for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
                        JsonNode x = v.get(it.next());
                        n = saturatingMultiply(n, x.isArray() ? x.size() : 1);
                    }
                }
            } else {
                n = saturatingMultiply(n, v.isArray() ? v.size() : 1);
            }
        }
        return n;
    }

    private static long saturatingMultiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long saturatingAdd(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Every combination of an object of values-or-lists ({@code params}, {@code set}), in key order. */
    private List<SortedMap<String, String>> product(JsonNode obj, String key, String where) {
        List<SortedMap<String, String>> out = new ArrayList<>();
        out.add(new TreeMap<>());
        if (obj.isMissingNode()) {
            return out;
        }
        if (!obj.isObject()) {
            throw new IllegalArgumentException(file + ", " + where + ": \"" + key + "\" must be an object of name: value or list");
        }
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            List<SortedMap<String, String>> next = new ArrayList<>();
            for (SortedMap<String, String> partial : out) {
                for (String v : values(obj, name, where + ", " + key)) {
                    SortedMap<String, String> m = new TreeMap<>(partial);
                    m.put(name, v);
                    next.add(m);
                }
            }
            out = next;
        }
        return out;
    }
}
