package org.cklbench.site;

import org.unbescape.html.HtmlEscape;

import java.util.List;
import java.util.Locale;

/** Inline SVG line charts, drawn here so the site needs no script or external resource to show them. */
public final class Charts {
    private static final String[] COLORS = {"#2456a6", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0e7490"};
    private static final int W = 560;
    private static final int H = 260;
    private static final int LEFT = 64;
    private static final int RIGHT = 150;
    private static final int TOP = 20;
    private static final int BOTTOM = 40;

    /** One line: a name and a value per x position (NaN for none; a value that is not finite is not drawn). */
    public record Series(String name, List<Double> values) {
    }

    private Charts() {
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** A chart whose y axis fits the data. */
    public static String lines(String title, String xLabel, List<String> xs, String yLabel, List<Series> series) {
        return lines(title, xLabel, xs, yLabel, series, Double.NaN, Double.NaN);
    }

    /** A chart with the y axis fixed to [yMin, yMax] (NaN: fit the data). */
    public static String lines(String title, String xLabel, List<String> xs, String yLabel, List<Series> series,
                               double yMin, double yMax) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : s.values()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (!(lo <= hi)) {
            lo = 0;
            hi = 1;
        }
        // the span of values near ±Double.MAX_VALUE overflows to infinity: such a chart is drawn on a plain axis
        if (!Double.isFinite(hi - lo) || !Double.isFinite((hi - lo) * 1.16)) {
            lo = 0;
            hi = 1;
        }
        if (hi - lo < 1e-9) {
            hi = lo + 1;
        }
        double pad = (hi - lo) * 0.08;
        lo -= pad;
        hi += pad;
        if (Double.isFinite(yMin) && Double.isFinite(yMax) && yMin < yMax) {
            lo = yMin;
            hi = yMax;
        }
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        StringBuilder sb = new StringBuilder();
        sb.append("<svg class=\"chart\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(W).append(' ')
                .append(H).append("\" width=\"").append(W).append("\" height=\"").append(H).append("\">");
        sb.append("<title>").append(esc(title)).append("</title>");
        sb.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(pw)
                .append("\" height=\"").append(ph).append("\" fill=\"none\" stroke=\"#c9cfda\"/>");
        for (int t = 0; t <= 4; t++) {
            double v = lo + (hi - lo) * t / 4;
            double y = TOP + ph - ph * (v - lo) / (hi - lo);
            sb.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + pw).append("\" y1=\"").append(f(y))
                    .append("\" y2=\"").append(f(y)).append("\" stroke=\"#eef0f4\"/>");
            sb.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(f(y + 4))
                    .append("\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6475\">")
                    .append(String.format(Locale.ROOT, "%.2f", v)).append("</text>");
        }
        int n = xs.size();
        for (int i = 0; i < n; i++) {
            double x = LEFT + (n == 1 ? pw / 2.0 : pw * i / (double) (n - 1));
            sb.append("<text x=\"").append(f(x)).append("\" y=\"").append(TOP + ph + 15)
                    .append("\" font-size=\"11\" text-anchor=\"middle\" fill=\"#5b6475\">").append(esc(xs.get(i))).append("</text>");
        }
        sb.append("<text x=\"").append(LEFT + pw / 2).append("\" y=\"").append(H - 6)
                .append("\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1d2330\">").append(esc(xLabel)).append("</text>");
        sb.append("<text x=\"12\" y=\"").append(TOP + ph / 2).append("\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1d2330\"")
                .append(" transform=\"rotate(-90 12 ").append(TOP + ph / 2).append(")\">").append(esc(yLabel)).append("</text>");
        for (int s = 0; s < series.size(); s++) {
            String color = COLORS[s % COLORS.length];
            StringBuilder pts = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            List<Double> vs = series.get(s).values();
            for (int i = 0; i < vs.size(); i++) {
                if (!Double.isFinite(vs.get(i))) {
                    continue;
                }
                double x = LEFT + (n == 1 ? pw / 2.0 : pw * i / (double) (n - 1));
                double y = TOP + ph - ph * (vs.get(i) - lo) / (hi - lo);
                if (!Double.isFinite(y)) {
                    continue;
                }
                y = Math.max(0, Math.min(H, y)); // a value off a fixed axis is drawn at its edge
                pts.append(pts.length() == 0 ? "" : " ").append(f(x)).append(',').append(f(y));
                dots.append("<circle cx=\"").append(f(x)).append("\" cy=\"").append(f(y)).append("\" r=\"2.5\" fill=\"")
                        .append(color).append("\"/>");
            }
            sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
                    .append(pts).append("\"/>").append(dots);
            int ly = TOP + 8 + s * 18;
            sb.append("<line x1=\"").append(LEFT + pw + 12).append("\" x2=\"").append(LEFT + pw + 32).append("\" y1=\"")
                    .append(ly).append("\" y2=\"").append(ly).append("\" stroke=\"").append(color).append("\" stroke-width=\"2\"/>");
            sb.append("<text x=\"").append(LEFT + pw + 38).append("\" y=\"").append(ly + 4)
                    .append("\" font-size=\"12\" fill=\"#1d2330\">").append(esc(series.get(s).name())).append("</text>");
        }
        return sb.append("</svg>").toString();
    }

    static String esc(String s) {
        return HtmlEscape.escapeHtml5(s);
    }
}
