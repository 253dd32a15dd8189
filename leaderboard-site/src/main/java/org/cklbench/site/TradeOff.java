package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The trade-off between learning and keeping, as the paper's trade-off figure draws it: one point per row of the
 * board at its first two headline figures with a direction (new facts learnt against old facts kept), each with its 95% interval over
 * seeds and probes from the board ({@link Intervals}) as error bars. Reported rows (another base model) are not
 * drawn. A benchmark with fewer than two such figures (one headline, a mean over periods) has no trade-off chart.
 */
final class TradeOff {
    private TradeOff() {
    }

    /** The chart as SVG, or null where the spec has no two directed headline figures or no row has both. */
    static String of(JsonNode board, JsonNode spec) {
        List<JsonNode> axes = new ArrayList<>();
        for (JsonNode h : spec.path("headline")) {
            if (h.path("better").asInt() != 0 && axes.size() < 2) {
                axes.add(h);
            }
        }
        if (axes.size() < 2) {
            return null;
        }
        String xKey = axes.get(0).path("key").asText();
        String yKey = axes.get(1).path("key").asText();
        List<Charts.Point> points = new ArrayList<>();
        java.util.Map<String, Integer> styles = Rows.styles(board);
        for (JsonNode row : board.path("rows")) {
            JsonNode x = row.path("values").path(xKey);
            JsonNode y = row.path("values").path(yKey);
            if (!x.path("mean").isNumber() || !y.path("mean").isNumber()) {
                continue;
            }
            points.add(new Charts.Point(Rows.label(row), x.get("mean").asDouble(), num(x, "lo"), num(x, "hi"),
                    y.get("mean").asDouble(), num(y, "lo"), num(y, "hi"), Rows.style(styles, row)));
        }
        if (points.isEmpty()) {
            return null;
        }
        // each axis fits its points and intervals (on [0, 1] the methods of a miniature crowd into a corner), and a
        // share's axis stays within [0, 1]: an interval reaching past it is drawn clipped
        boolean xShare = share(axes.get(0), points, true);
        boolean yShare = share(axes.get(1), points, false);
        return Charts.scatter(axes.get(0).path("label").asText() + " against " + axes.get(1).path("label").asText(),
                axes.get(0).path("label").asText(), axes.get(1).path("label").asText(), points,
                xShare ? 0 : Double.NaN, xShare ? 1 : Double.NaN, yShare ? 0 : Double.NaN, yShare ? 1 : Double.NaN);
    }

    /**
     * Whether a figure is a share (an accuracy): higher is better and every row's mean lies in [0, 1]. A figure
     * where lower is better (an NLL) or one beyond [0, 1] keeps an axis that fits its data.
     */
    static boolean share(JsonNode column, List<Charts.Point> points, boolean x) {
        if (column.path("better").asInt() <= 0) {
            return false;
        }
        for (Charts.Point p : points) {
            double v = x ? p.x() : p.y();
            if (!(v >= 0 && v <= 1)) {
                return false;
            }
        }
        return true;
    }

    private static double num(JsonNode v, String field) {
        return v.path(field).isNumber() ? v.get(field).asDouble() : Double.NaN;
    }
}
