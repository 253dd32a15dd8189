package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.runfolder.LeaderboardSpec;
import org.cklbench.runfolder.Replicates;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The leaderboard of a benchmark spec, as the data model holds it: one board per benchmark, preset,
 * base weights and world (see {@link RowKeys}), one row per configuration, its seeds aggregated, each
 * value with its interval ({@link Intervals}) and, for columns with a direction, a paired comparison
 * with the reference row, Benjamini-Hochberg-corrected over the board (false-discovery rate 5%).
 */
final class Leaderboards {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The method of the row every other is compared with: Finetune at the preset's settings. */
    static final String REFERENCE = "finetune";

    private Leaderboards() {
    }

    static ObjectNode board(LeaderboardSpec spec, String preset, String weights, String world,
                            Map<String, List<ObjectNode>> configs, Map<String, Replicates> replicates) {
        String benchmark = spec.benchmark();
        ObjectNode b = JSON.createObjectNode();
        b.put("benchmark", benchmark);
        b.put("title", spec.title());
        b.put("hint", spec.hint() == null ? "" : spec.hint());
        b.put("preset", preset);
        TreeSet<String> labels = new TreeSet<>();
        configs.values().forEach(rs -> rs.forEach(r -> labels.add(r.get("model").asText())));
        b.put("model", String.join(" / ", labels));
        b.put("weights", weights);
        b.put("weights_short", shortHash(weights));
        b.put("world", world);
        b.put("world_short", shortHash(world));
        b.put("anchor", (benchmark + "-" + preset + "-" + shortHash(weights) + "-" + shortHash(world))
                .replaceAll("[^A-Za-z0-9_-]", "-"));
        List<LeaderboardSpec.Column> cols = columnsOf(spec);
        LeaderboardSpec.Column sortBy = sortColumn(spec, cols);
        b.put("sorted_by", sortBy == null ? null : sortBy.key());
        b.put("sorted_index", sortBy == null ? -1 : cols.indexOf(sortBy));
        b.put("sorted_dir", sortBy == null ? "" : sortBy.better() > 0 ? "desc" : "asc");
        ArrayNode columns = b.putArray("columns");
        for (LeaderboardSpec.Column c : cols) {
            columns.addObject().put("key", c.key()).put("label", c.label()).put("short_label", c.terminalLabel())
                    .put("better", c.better());
        }
        Map<String, String> common = commonSettings(configs);
        List<ObjectNode> rows = new ArrayList<>();
        Map<String, Integer> sameText = new TreeMap<>();
        for (Map.Entry<String, List<ObjectNode>> e : configs.entrySet()) {
            List<ObjectNode> rs = e.getValue();
            ObjectNode row = JSON.createObjectNode();
            String method = rs.get(0).get("method").asText();
            row.put("method", method);
            row.put("config_key", e.getKey());
            StringBuilder variant = new StringBuilder(Summarizer.variant(rs.get(0).path("variant")));
            settingsOf(rs.get(0)).forEach((k, v) -> {
                if (!v.equals(common.get(k))) {
                    variant.append(variant.length() == 0 ? "" : ", ").append(k).append('=').append(v);
                }
            });
            row.put("variant", variant.toString());
            sameText.merge(method + "\n" + variant, 1, Integer::sum);
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
            row.put("probes", ProbeStats.text(rs));
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
        // rows that still read alike (they differ in a method's input file, say) are told apart by their key
        for (ObjectNode row : rows) {
            String text = row.get("variant").asText();
            if (sameText.get(row.get("method").asText() + "\n" + text) > 1) {
                row.put("variant", text + (text.isEmpty() ? "" : " · ") + "config " + row.get("config_key").asText()
                        .substring(0, 6));
            }
        }
        rows.sort(byHeadline(sortBy));
        markBest(cols, rows);
        b.put("reference", REFERENCE);
        ObjectNode ref = rows.stream().filter(r -> r.get("method").asText().equals(REFERENCE)
                && r.get("variant").asText().isEmpty()).findFirst().orElse(null);
        b.put("reference_row", ref != null);
        if (ref == null) {
            b.put("reference_note", "no reference row (" + REFERENCE + " at the preset's settings) on this board: no ▲/▼");
        }
        Map<String, JsonNode> summaries = new TreeMap<>();
        configs.values().forEach(rs -> rs.forEach(r -> summaries.put(r.get("page").asText(), r.get("summary"))));
        int compared = addIntervals(cols, rows, ref, replicates, summaries);
        b.put("comparisons", compared);
        b.put("correction", "Benjamini-Hochberg");
        b.put("alpha", Intervals.ALPHA);
        ArrayNode rowArray = b.putArray("rows");
        rows.forEach(rowArray::add);
        ArrayNode notes = b.arrayNode();
        // a method's caveat (run.json's method note), once per board, marked on each of its rows
        for (ObjectNode row : rows) {
            JsonNode methodNotes = configs.get(row.get("config_key").asText()).get(0).get("method_notes");
            if (methodNotes != null && methodNotes.isArray()) {
                for (JsonNode n : methodNotes) {
                    int at = indexOf(notes, n.asText());
                    if (at < 0) {
                        notes.add(n.asText());
                        at = notes.size() - 1;
                    }
                    row.put("mark", at + 1);
                }
            }
        }
        ArrayNode rep = b.putArray("reported");
        if (spec.reported() != null && spec.reported().rows() != null) {
            b.put("reported_model", spec.reported().model());
            b.put("reported_source", spec.reported().source());
            b.set("notes", notes);
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
        if (!notes.isEmpty()) {
            b.set("notes", notes);
        }
        b.set("references", references(spec, configs));
        if (spec.notice() != null) {
            b.put("notice", spec.notice());
        }
        return b;
    }

    private static int indexOf(ArrayNode a, String text) {
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i).asText().equals(text)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The spec's reference lines (a majority floor, say) with their values, read from the runs' summaries. A
     * value is shown only where every run of the board that reports it reports the same one (they share the
     * data, so they must): a run's summary.json is its own word, and one forged value must not move a line under
     * everyone's rows. Where they disagree the line says so and shows no value. A line no run carries is left out.
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
            ObjectNode o = out.addObject().put("key", ref.key()).put("label", ref.label())
                    .put("column", ref.column()).put("column_label", col.label());
            if (xs.getMin() == xs.getMax()) {
                o.put("value", xs.getMin()).put("text", col.format(xs.getMin(), 0, 1))
                        .put("agreed_by", xs.getCount())
                        .put("agreement", xs.getCount() == 1 ? "as its one run reports it"
                                : "the same in all " + xs.getCount() + " runs that report it");
            } else {
                o.put("text", "not shown").put("withheld", "the runs of this board disagree on it (from "
                        + col.format(xs.getMin(), 0, 1) + " to " + col.format(xs.getMax(), 0, 1)
                        + "), though they share the data");
            }
            if (ref.note() != null) {
                o.put("note", ref.note());
            }
        }
        return out;
    }

    /** The first 12 hex digits of a hash; anything else (an "unknown ..." note) as it is. */
    static String shortHash(String h) {
        return h != null && h.matches("[0-9a-f]{64}") ? h.substring(0, 12) : String.valueOf(h);
    }

    /** A run's settings, device and dtype as {@code name → value} text: what a row may differ in besides the method. */
    static Map<String, String> settingsOf(JsonNode run) {
        Map<String, String> out = new TreeMap<>();
        JsonNode config = run.path("config");
        config.path("settings").fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().isTextual()
                ? f.getValue().asText() : f.getValue().toString()));
        out.put("device", config.path("device").asText(""));
        out.put("dtype", config.path("dtype").asText(""));
        return out;
    }

    /**
     * The settings most rows of the board share, each on its own (ties to the smaller text): the preset's,
     * as far as the board can tell, since a run folder records its settings with the user's overrides
     * applied. A row is named by where it differs from these, and the reference row differs in nothing.
     */
    static Map<String, String> commonSettings(Map<String, List<ObjectNode>> configs) {
        Map<String, Map<String, Integer>> counts = new TreeMap<>();
        for (List<ObjectNode> rs : configs.values()) {
            settingsOf(rs.get(0)).forEach((k, v) -> counts.computeIfAbsent(k, x -> new TreeMap<>()).merge(v, 1, Integer::sum));
        }
        Map<String, String> out = new LinkedHashMap<>();
        counts.forEach((k, byValue) -> {
            String best = null;
            for (Map.Entry<String, Integer> e : byValue.entrySet()) {
                if (best == null || e.getValue() > byValue.get(best)) {
                    best = e.getKey();
                }
            }
            out.put(k, best);
        });
        return out;
    }

    /** A row's comparison with the reference in one column, before the correction. */
    private record Comparison(ObjectNode value, int better, Intervals.Estimate diff) {
    }

    /**
     * Each value's 95% interval over seeds and probes and, for columns with a direction, its paired
     * difference to the reference row on the seeds both ran; then ▲/▼ where Benjamini and Hochberg's correction over all the
     * board's comparisons keeps the difference at family-wise α = 5%. A value that gets no interval or no
     * comparison says why. Returns how many comparisons the correction counted.
     */
    private static int addIntervals(List<LeaderboardSpec.Column> cols, List<ObjectNode> rows, ObjectNode ref,
                                    Map<String, Replicates> replicates, Map<String, JsonNode> summaries) {
        List<Comparison> comparisons = new ArrayList<>();
        for (ObjectNode r : rows) {
            for (LeaderboardSpec.Column c : cols) {
                ObjectNode v = (ObjectNode) r.path("values").get(c.key());
                if (v == null) {
                    continue;
                }
                Seeds mine = Seeds.of(r, c, replicates, summaries);
                if (mine.why() != null) {
                    v.put("no_interval", mine.why());
                    continue;
                }
                Intervals.Estimate e = Intervals.of(mine.points(), mine.replicates());
                v.put("se", e.se()).put("lo", e.lo()).put("hi", e.hi()).put("interval", "[" + c.format(e.lo(), 0, 1)
                        + ", " + c.format(e.hi(), 0, 1) + "]");
                if (ref == null || ref == r || c.better() == 0) {
                    continue;
                }
                Seeds theirs = Seeds.of(ref, c, replicates, summaries);
                if (theirs.why() != null) {
                    v.put("no_comparison", "the reference row: " + theirs.why());
                    continue;
                }
                if (!mine.scheme().equals(theirs.scheme())
                        || mine.replicates().get(0).length != theirs.replicates().get(0).length) {
                    v.put("no_comparison", "not resampled as the reference row was (" + mine.scheme() + " × "
                            + mine.replicates().get(0).length + " against " + theirs.scheme() + " × "
                            + theirs.replicates().get(0).length + ")");
                    continue;
                }
                List<Integer> a = new ArrayList<>();
                List<Integer> f = new ArrayList<>();
                for (int i = 0; i < mine.seeds().size(); i++) {
                    int j = theirs.seeds().indexOf(mine.seeds().get(i));
                    if (j >= 0) {
                        a.add(i);
                        f.add(j);
                    }
                }
                if (a.isEmpty()) {
                    v.put("no_comparison", "no seed in common with the reference row");
                    continue;
                }
                Intervals.Estimate d = Intervals.difference(mine.pick(a).points(), mine.pick(a).replicates(),
                        theirs.pick(f).points(), theirs.pick(f).replicates());
                v.put("diff", d.centre()).put("diff_lo", d.lo()).put("diff_hi", d.hi()).put("p", d.p())
                        .put("paired_seeds", a.size());
                comparisons.add(new Comparison(v, c.better(), d));
            }
        }
        double[] p = new double[comparisons.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = comparisons.get(i).diff().p();
        }
        double[] adjusted = Intervals.benjaminiHochberg(p);
        for (int i = 0; i < p.length; i++) {
            Comparison c = comparisons.get(i);
            c.value().put("p_adjusted", adjusted[i]);
            if (adjusted[i] <= Intervals.ALPHA && c.diff().centre() != 0) {
                c.value().put("vs_reference", (c.diff().centre() > 0) == (c.better() > 0) ? "better" : "worse");
            }
        }
        return p.length;
    }

    /**
     * A row's seeds in one column: their point values and replicates in seed order, the scheme, or why
     * they cannot give an interval (a run without bootstrap.json, without this field, of another scheme).
     */
    private record Seeds(List<Long> seeds, double[] points, List<double[]> replicates, String scheme, String why) {
        static Seeds of(ObjectNode row, LeaderboardSpec.Column c, Map<String, Replicates> all,
                        Map<String, JsonNode> summaries) {
            List<Long> seeds = new ArrayList<>();
            List<Double> points = new ArrayList<>();
            List<double[]> reps = new ArrayList<>();
            String scheme = null;
            int count = -1;
            JsonNode runs = row.get("runs");
            for (int i = 0; i < runs.size(); i++) {
                String page = runs.get(i).asText();
                Replicates rep = all.get(page);
                if (rep == null || rep.values().get(c.path()) == null) {
                    return failed("run " + page + " has no bootstrap replicates of " + c.path());
                }
                if (scheme != null && (!scheme.equals(rep.scheme()) || count != rep.replicates())) {
                    return failed("its runs were resampled under different schemes");
                }
                scheme = rep.scheme();
                count = rep.replicates();
                JsonNode point = summaries.getOrDefault(page, JSON.nullNode()).at(c.path());
                if (!point.isNumber() || !Double.isFinite(point.asDouble())) {
                    return failed("run " + page + " has no value of " + c.path());
                }
                seeds.add(row.get("seeds").get(i).asLong());
                points.add(point.asDouble());
                reps.add(rep.values().get(c.path()));
            }
            return new Seeds(seeds, points.stream().mapToDouble(Double::doubleValue).toArray(), reps, scheme, null);
        }

        private static Seeds failed(String why) {
            return new Seeds(List.of(), new double[0], List.of(), null, why);
        }

        /** The seeds at {@code idx}, in that order. */
        Seeds pick(List<Integer> idx) {
            List<Long> s = new ArrayList<>();
            double[] p = new double[idx.size()];
            List<double[]> r = new ArrayList<>();
            for (int k = 0; k < idx.size(); k++) {
                s.add(seeds.get(idx.get(k)));
                p[k] = points[idx.get(k)];
                r.add(replicates.get(idx.get(k)));
            }
            return new Seeds(s, p, r, scheme, null);
        }
    }

    /** The method of the no-training row: a floor to read the others against, never a contender. */
    static final String NONE = "none";

    /**
     * The board's columns: the spec's, then its headline figures that are not among them (a mean
     * over periods), so the figure a board is sorted by is on it.
     */
    static List<LeaderboardSpec.Column> columnsOf(LeaderboardSpec spec) {
        List<LeaderboardSpec.Column> out = new ArrayList<>(spec.columns());
        if (spec.headline() != null) {
            for (LeaderboardSpec.Column h : spec.headline()) {
                if (out.stream().noneMatch(c -> c.key().equals(h.key()))) {
                    out.add(h);
                }
            }
        }
        return out;
    }

    /** The column a board is sorted by: the spec's first headline figure with a direction, else its first column with one. */
    static LeaderboardSpec.Column sortColumn(LeaderboardSpec spec, List<LeaderboardSpec.Column> cols) {
        List<LeaderboardSpec.Column> order = new ArrayList<>(spec.headline() == null ? List.of() : spec.headline());
        order.addAll(cols);
        for (LeaderboardSpec.Column c : order) {
            if (c.better() != 0) {
                return cols.stream().filter(x -> x.key().equals(c.key())).findFirst().orElse(null);
            }
        }
        return null;
    }

    /** Best first in the sort column (rows without a value last), then by method and variant. */
    static java.util.Comparator<ObjectNode> byHeadline(LeaderboardSpec.Column sortBy) {
        java.util.Comparator<ObjectNode> byName = java.util.Comparator.comparing(
                (ObjectNode r) -> r.get("method").asText() + "\n" + r.get("variant").asText());
        if (sortBy == null) {
            return byName;
        }
        return java.util.Comparator.<ObjectNode>comparingDouble(r -> {
            JsonNode m = r.path("values").path(sortBy.key()).path("mean");
            return m.isNumber() ? -sortBy.better() * m.asDouble() : Double.POSITIVE_INFINITY;
        }).thenComparing(byName);
    }

    /**
     * Marks each directed column's best value among the board's measured rows: never the reported rows (another
     * base model: they are in their own block), never {@code none} (no training is a floor, not a method), and
     * nothing where fewer than two rows compete, since a best of one says nothing.
     */
    static void markBest(List<LeaderboardSpec.Column> cols, List<ObjectNode> rows) {
        List<ObjectNode> contenders = rows.stream().filter(r -> !NONE.equals(r.get("method").asText())).toList();
        for (LeaderboardSpec.Column c : cols) {
            if (c.better() == 0) {
                continue;
            }
            long valued = contenders.stream().filter(r -> r.path("values").path(c.key()).path("mean").isNumber()).count();
            if (valued < 2) {
                continue;
            }
            double best = c.better() > 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            for (ObjectNode r : contenders) {
                JsonNode v = r.path("values").path(c.key()).path("mean");
                if (v.isNumber()) {
                    best = c.better() > 0 ? Math.max(best, v.asDouble()) : Math.min(best, v.asDouble());
                }
            }
            for (ObjectNode r : contenders) {
                JsonNode v = r.path("values").path(c.key());
                if (v.path("mean").isNumber() && v.path("mean").asDouble() == best) {
                    ((ObjectNode) v).put("best", true);
                }
            }
        }
    }
}
