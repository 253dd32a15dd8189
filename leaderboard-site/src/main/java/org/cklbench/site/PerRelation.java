package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A board's figure per relation and split (the new facts and the kept ones), from the probes behind each run's
 * figures ({@link ProbeStats}): one table per split, a row per relation with its number of probes, a column per
 * row of the board holding the mean over seeds of the probes' mean. The figure is the board's own kind: the mean
 * object NLL where the board ranks lower-is-better (its headline is an NLL), else the mean accuracy.
 */
final class PerRelation {
    private PerRelation() {
    }

    /** Which probe figure a board's per-relation tables show. */
    enum Metric {
        ACCURACY("accuracy", "mean probe accuracy (higher is better)"),
        NLL("object NLL", "mean object NLL (lower is better)");

        final String label;
        final String description;

        Metric(String label, String description) {
            this.label = label;
            this.description = description;
        }

        /** The board's kind: lower-is-better ranking (an NLL), else accuracy. */
        static Metric of(JsonNode board) {
            return "asc".equals(board.path("sorted_dir").asText()) ? NLL : ACCURACY;
        }
    }

    /** One table: its split, the figure, the board rows' names, and per relation its probes and one cell per board row. */
    record Table(String split, String metric, List<String> methods, List<Line> lines) {
    }

    /** A relation: how many probes (a range where seeds differ) and one formatted figure per board row ("–": none). */
    record Line(String relation, String probes, List<String> cells) {
    }

    static List<Table> of(JsonNode board, Map<String, JsonNode> runsByPage) {
        Map<String, TreeSet<String>> relations = new TreeMap<>();
        for (JsonNode row : board.path("rows")) {
            for (JsonNode page : row.path("runs")) {
                runsByPage.get(page.asText()).path("probes").path("relations").fields().forEachRemaining(s ->
                        s.getValue().fieldNames().forEachRemaining(rel ->
                                relations.computeIfAbsent(s.getKey(), k -> new TreeSet<>()).add(rel)));
            }
        }
        Metric metric = Metric.of(board);
        List<String> methods = new ArrayList<>();
        board.path("rows").forEach(r -> methods.add(Rows.label(r)));
        List<Table> out = new ArrayList<>();
        relations.forEach((split, rels) -> {
            List<Line> lines = new ArrayList<>();
            for (String rel : rels) {
                int min = Integer.MAX_VALUE;
                int max = 0;
                List<String> cells = new ArrayList<>();
                for (JsonNode row : board.path("rows")) {
                    double sum = 0;
                    int seeds = 0;
                    for (JsonNode page : row.path("runs")) {
                        JsonNode c = runsByPage.get(page.asText()).path("probes").path("relations").path(split).path(rel);
                        int n = metric == Metric.NLL ? c.path("nll_n").asInt(0) : c.path("n").asInt(0);
                        if (n > 0) {
                            sum += (metric == Metric.NLL ? c.path("nll").asDouble() : c.path("correct").asDouble()) / n;
                            seeds++;
                            min = Math.min(min, n);
                            max = Math.max(max, n);
                        }
                    }
                    cells.add(seeds == 0 ? "–" : String.format(Locale.ROOT, "%.3f", sum / seeds));
                }
                lines.add(new Line(rel, min == max ? String.valueOf(max) : min + "–" + max, cells));
            }
            out.add(new Table(split, metric.label, methods, lines));
        });
        return out;
    }

    /** The tables as the page template reads them. */
    static List<Map<String, Object>> model(List<Table> tables) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Table t : tables) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("split", t.split());
            m.put("split_label", Labels.split(t.split()));
            m.put("metric", t.metric());
            m.put("methods", t.methods());
            List<Map<String, Object>> lines = new ArrayList<>();
            for (Line l : t.lines()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("relation", l.relation());
                x.put("probes", l.probes());
                x.put("cells", l.cells());
                lines.add(x);
            }
            m.put("lines", lines);
            out.add(m);
        }
        return out;
    }
}
