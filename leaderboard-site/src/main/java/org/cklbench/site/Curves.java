package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A board's learning curves: for each series of the benchmark's curve (an accuracy per epoch, an NLL per
 * period), one chart with a line per row of the board, the mean over
 * its seeds at each evaluation, and a band for the 95% interval of that mean over seeds (Student's t on n − 1
 * degrees of freedom). A row of one seed has no band: its spread between seeds is unknown, and the probe
 * bootstrap of the run folder covers only the summary's figures, not every evaluation.
 */
final class Curves {
    private Curves() {
    }

    /** The board's curve charts as SVG, one per series of {@code spec.curve}. */
    static List<String> of(JsonNode board, JsonNode spec, Map<String, JsonNode> runsByPage) {
        JsonNode curve = spec.path("curve");
        String xKey = curve.path("x").asText();
        LinkedHashSet<String> xs = new LinkedHashSet<>();
        for (JsonNode row : board.path("rows")) {
            for (JsonNode page : row.path("runs")) {
                for (JsonNode m : runsByPage.get(page.asText()).path("metrics")) {
                    if (m.hasNonNull(xKey)) {
                        xs.add(m.get(xKey).asText());
                    }
                }
            }
        }
        List<String> x = List.copyOf(xs);
        double yMin = curve.path("y_min").isNumber() ? curve.get("y_min").asDouble() : Double.NaN;
        double yMax = curve.path("y_max").isNumber() ? curve.get("y_max").asDouble() : Double.NaN;
        List<String> out = new ArrayList<>();
        for (JsonNode s : curve.path("series")) {
            String key = s.path("key").asText();
            List<Charts.Series> lines = new ArrayList<>();
            Map<String, Integer> styles = Rows.styles(board);
            for (JsonNode row : board.path("rows")) {
                Charts.Series l = line(row, x, xKey, key, runsByPage);
                lines.add(new Charts.Series(l.name(), l.values(), l.lo(), l.hi(), Rows.style(styles, row)));
            }
            out.add(Charts.lines(s.path("label").asText() + " per " + curve.path("x_label").asText(),
                    curve.path("x_label").asText(), x, s.path("label").asText(), lines, yMin, yMax));
        }
        return out;
    }

    /** A row's line: at each x, the mean over the seeds that evaluated there, and its interval where two or more did. */
    static Charts.Series line(JsonNode row, List<String> x, String xKey, String key, Map<String, JsonNode> runsByPage) {
        List<Double> mean = new ArrayList<>();
        List<Double> lo = new ArrayList<>();
        List<Double> hi = new ArrayList<>();
        for (String at : x) {
            List<Double> ys = new ArrayList<>();
            for (JsonNode page : row.path("runs")) {
                for (JsonNode m : runsByPage.get(page.asText()).path("metrics")) {
                    if (m.path(xKey).asText().equals(at) && m.path(key).isNumber() && Double.isFinite(m.get(key).asDouble())) {
                        ys.add(m.get(key).asDouble());
                        break;
                    }
                }
            }
            double[] v = ys.stream().mapToDouble(Double::doubleValue).toArray();
            double mu = v.length == 0 ? Double.NaN : Intervals.mean(v);
            mean.add(mu);
            if (v.length >= 2) {
                double half = Intervals.t(v.length - 1, 0.975) * Math.sqrt(Intervals.variance(v) / v.length);
                lo.add(mu - half);
                hi.add(mu + half);
            } else {
                lo.add(Double.NaN);
                hi.add(Double.NaN);
            }
        }
        return new Charts.Series(Rows.label(row), mean, lo, hi);
    }
}
