package org.cklbench.site;

import org.unbescape.html.HtmlEscape;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts, drawn here so the site needs no script, style attribute or external resource to show them
 * (the pages' Content-Security-Policy allows neither inline script nor inline style; SVG presentation attributes
 * are neither). A charting library was weighed: the well-kept ones (Vega-Lite, Chart.js, Plotly) draw in the
 * browser with JavaScript, and the server-side ones for the JVM (JFreeChart) draw raster images or SVG with
 * {@code style=} attributes, which the policy would blank. A few hundred lines of SVG text meet the need.
 */
public final class Charts {
    /**
     * Tableau's 20-colour categorical palette (matplotlib's tab20), its ten strong colours first and then their ten
     * light companions: a board of up to 20 rows gives each its own colour. The light ones are drawn dashed (and
     * their points as squares) to set them apart from their strong pair; beyond 20 the colours repeat with other dashes.
     */
    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
        "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"};
    /** The line dash of each round through the palette ("": solid). */
    private static final String[] DASHES = {"", "6 3", "2 2", "8 3 2 3"};
    private static final int W = 640;
    private static final int LEFT = 64;
    private static final int RIGHT = 190;
    private static final int TOP = 28;
    private static final int BOTTOM = 44;
    private static final int PLOT_H = 220;
    private static final int LEGEND_STEP = 18;
    /** The most x positions whose points get a dot. */
    private static final int DOTS = 60;
    /** The most labels along an x axis of named evaluations. */
    private static final int MAX_X_LABELS = 12;

    /**
     * One line: a name and a value per x position (NaN for none; a value that is not finite is not drawn), and
     * optionally the lower and upper ends of an interval at each (null: no band).
     */
    public record Series(String name, List<Double> values, List<Double> lo, List<Double> hi, int style) {
        public Series(String name, List<Double> values) {
            this(name, values, null, null, -1);
        }

        public Series(String name, List<Double> values, List<Double> lo, List<Double> hi) {
            this(name, values, lo, hi, -1);
        }
    }

    /**
     * One point of a scatter, with its interval on each axis (NaN: none); {@code style} its colour and marker
     * ({@link #color}), -1 for its place in the list.
     */
    public record Point(String name, double x, double xLo, double xHi, double y, double yLo, double yHi, int style) {
        public Point(String name, double x, double xLo, double xHi, double y, double yLo, double yHi) {
            this(name, x, xLo, xHi, y, yLo, yHi, -1);
        }
    }

    private Charts() {
    }

    /** The colour of style {@code i} (a series or point; a board gives each of its rows one for all its charts). */
    static String color(int i) {
        return COLORS[i % COLORS.length];
    }

    /** The dash of style {@code i}'s line: solid for the strong colours, dashed for the light ones and beyond. */
    static String dash(int i) {
        return i < COLORS.length / 2 ? "" : DASHES[Math.max(1, (i / (COLORS.length / 2)) % DASHES.length)];
    }

    /** Whether style {@code i}'s point is a square (the light colours and beyond) rather than a circle. */
    static boolean square(int i) {
        return i >= COLORS.length / 2 && (i / (COLORS.length / 2)) % 2 == 1;
    }

    private static String dashAttr(int i) {
        String d = dash(i);
        return d.isEmpty() ? "" : " stroke-dasharray=\"" + d + "\"";
    }

    /** A marker of style {@code st} at (x, y), with {@code inner} (a title) inside. */
    private static String marker(int st, double x, double y, double r, String inner) {
        String color = color(st);
        if (square(st)) {
            return "<rect x=\"" + f(x - r) + "\" y=\"" + f(y - r) + "\" width=\"" + f(2 * r) + "\" height=\"" + f(2 * r)
                    + "\" fill=\"" + color + "\" stroke=\"#1d2330\" stroke-width=\"0.5\">" + inner + "</rect>";
        }
        return "<circle cx=\"" + f(x) + "\" cy=\"" + f(y) + "\" r=\"" + f(r) + "\" fill=\"" + color + "\">" + inner + "</circle>";
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** A chart whose y axis fits the data. */
    public static String lines(String title, String xLabel, List<String> xs, String yLabel, List<Series> series) {
        return lines(title, xLabel, xs, yLabel, series, Double.NaN, Double.NaN);
    }

    /** A chart with the y axis fixed to [yMin, yMax] (NaN: fit the data, bands included). */
    public static String lines(String title, String xLabel, List<String> xs, String yLabel, List<Series> series,
                               double yMin, double yMax) {
        List<Double> all = new ArrayList<>();
        for (Series s : series) {
            all.addAll(s.values());
            if (s.lo() != null) {
                all.addAll(s.lo());
                all.addAll(s.hi());
            }
        }
        Axis y = Axis.fit(all, yMin, yMax);
        int n = xs.size();
        Frame fr = new Frame(series.size());
        StringBuilder sb = fr.open(title);
        fr.yAxis(sb, y, yLabel);
        double[] numeric = evenlySpaced(xs);
        if (n > MAX_X_LABELS && numeric != null) {
            // a numeric x (optimiser steps, every k-th): round ticks (1, 2 or 5 times a power of ten), and its first value
            double first = numeric[0];
            double last = numeric[n - 1];
            double step = Math.max(1, Axis.niceStep((last - first) / 10));
            List<Double> ticks = new ArrayList<>();
            for (double t = Math.ceil(first / step) * step; t <= last + 1e-9; t += step) {
                ticks.add(t);
            }
            if (ticks.isEmpty() || ticks.get(0) - first >= 0.5 * step) {
                ticks.add(0, first);
            }
            for (double t : ticks) {
                double px = LEFT + fr.pw * (t - first) / (last - first);
                sb.append("<text x=\"").append(f(px)).append("\" y=\"").append(TOP + fr.ph + 16)
                        .append("\" font-size=\"12\" text-anchor=\"middle\" fill=\"#5b6475\">")
                        .append(esc(t == Math.rint(t) ? String.valueOf((long) t) : String.valueOf(t))).append("</text>");
            }
        } else {
            // named evaluations: at most about 12 labels, so that they stay readable however many there are
            int every = Math.max(1, (int) Math.ceil(n / (double) MAX_X_LABELS));
            for (int i = 0; i < n; i++) {
                // every k-th label and the last, unless the last would crowd the one before it
                if (i != n - 1 ? i % every != 0 || every > 1 && n - 1 - i < every : false) {
                    continue;
                }
                sb.append("<text x=\"").append(f(fr.x(i, n))).append("\" y=\"").append(TOP + fr.ph + 16)
                        .append("\" font-size=\"12\" text-anchor=\"middle\" fill=\"#5b6475\">").append(esc(xs.get(i))).append("</text>");
            }
        }
        fr.xLabel(sb, xLabel);
        for (int s = 0; s < series.size(); s++) {
            Series se = series.get(s);
            int st = se.style() >= 0 ? se.style() : s;
            String color = color(st);
            sb.append("<g class=\"series\" data-name=\"").append(esc(se.name())).append("\">");
            if (se.lo() != null && se.hi() != null) {
                band(sb, fr, y, n, se, color);
            }
            StringBuilder pts = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            List<Double> vs = se.values();
            for (int i = 0; i < vs.size() && i < n; i++) {
                double py = y.at(vs.get(i), TOP, fr.ph);
                if (!Double.isFinite(py)) {
                    continue;
                }
                pts.append(pts.length() == 0 ? "" : " ").append(f(fr.x(i, n))).append(',').append(f(py));
                if (n > DOTS) {
                    continue; // a dense line (a run's steps) reads better without a dot at each point
                }
                dots.append(marker(st, fr.x(i, n), py, 2.5, "<title>" + esc(se.name() + " at " + xs.get(i) + ": "
                        + String.format(Locale.ROOT, "%.4f", vs.get(i))) + "</title>"));
            }
            sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\"")
                    .append(dashAttr(st)).append(" points=\"").append(pts).append("\"/>").append(dots).append("</g>");
            fr.legend(sb, s, se.name(), st, true);
        }
        return sb.append("</svg>").toString();
    }

    /**
     * The x values as numbers where they all are, increasing by one step (as a run's sampled steps are), so that
     * a position is proportional to its value; else null (named evaluations, periods: each labelled as it is).
     */
    static double[] evenlySpaced(List<String> xs) {
        int n = xs.size();
        if (n < 3) {
            return null;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            String t = xs.get(i);
            if (t == null || !t.matches("-?\\d{1,15}")) {
                return null;
            }
            v[i] = Long.parseLong(t);
        }
        double d = v[1] - v[0];
        for (int i = 1; i < n; i++) {
            if (d <= 0 || v[i] - v[i - 1] != d) {
                return null;
            }
        }
        return v;
    }

    /** The interval of a series as a translucent band: the upper ends left to right, the lower ones back. */
    private static void band(StringBuilder sb, Frame fr, Axis y, int n, Series se, String color) {
        StringBuilder up = new StringBuilder();
        StringBuilder down = new StringBuilder();
        for (int i = 0; i < n && i < se.lo().size() && i < se.hi().size(); i++) {
            double lo = y.at(se.lo().get(i), TOP, fr.ph);
            double hi = y.at(se.hi().get(i), TOP, fr.ph);
            if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
                continue;
            }
            up.append(f(fr.x(i, n))).append(',').append(f(hi)).append(' ');
            down.insert(0, f(fr.x(i, n)) + "," + f(lo) + " ");
        }
        if (up.length() > 0) {
            sb.append("<polygon class=\"band\" fill=\"").append(color).append("\" fill-opacity=\"0.14\" stroke=\"none\" points=\"")
                    .append(up).append(down.toString().trim()).append("\"/>");
        }
    }

    /**
     * A scatter of one point per method with its interval on both axes as error bars (the paper's trade-off
     * figure). Each axis fits its points and intervals, kept within [xMin, xMax] and [yMin, yMax] where given (NaN:
     * no limit): an accuracy's axis never runs below 0 or above 1, and an interval reaching past it is drawn clipped.
     */
    public static String scatter(String title, String xLabel, String yLabel, List<Point> points, double xMin,
                                 double xMax, double yMin, double yMax) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (Point p : points) {
            xs.addAll(List.of(p.x(), p.xLo(), p.xHi()));
            ys.addAll(List.of(p.y(), p.yLo(), p.yHi()));
        }
        Axis xa = Axis.within(xs, xMin, xMax);
        Axis ya = Axis.within(ys, yMin, yMax);
        Frame fr = new Frame(points.size());
        StringBuilder sb = fr.open(title);
        fr.yAxis(sb, ya, yLabel);
        for (double t : xa.ticks) {
            double px = LEFT + fr.pw * (t - xa.lo) / (xa.hi - xa.lo);
            sb.append("<line x1=\"").append(f(px)).append("\" x2=\"").append(f(px)).append("\" y1=\"").append(TOP)
                    .append("\" y2=\"").append(TOP + fr.ph).append("\" stroke=\"#eef0f4\"/>");
            sb.append("<text x=\"").append(f(px)).append("\" y=\"").append(TOP + fr.ph + 16)
                    .append("\" font-size=\"12\" text-anchor=\"middle\" fill=\"#5b6475\">").append(xa.label(t)).append("</text>");
        }
        fr.xLabel(sb, xLabel);
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            int st = p.style() >= 0 ? p.style() : i;
            String color = color(st);
            double px = LEFT + fr.pw * (p.x() - xa.lo) / (xa.hi - xa.lo);
            double py = ya.at(p.y(), TOP, fr.ph);
            if (!Double.isFinite(px) || !Double.isFinite(py)) {
                continue;
            }
            px = Math.max(LEFT, Math.min(LEFT + fr.pw, px));
            sb.append("<g class=\"point\" data-name=\"").append(esc(p.name())).append("\">");
            if (Double.isFinite(p.xLo()) && Double.isFinite(p.xHi())) {
                double a = Math.max(LEFT, LEFT + fr.pw * (p.xLo() - xa.lo) / (xa.hi - xa.lo));
                double b = Math.min(LEFT + fr.pw, LEFT + fr.pw * (p.xHi() - xa.lo) / (xa.hi - xa.lo));
                sb.append("<line class=\"xerr\" x1=\"").append(f(a)).append("\" x2=\"").append(f(b)).append("\" y1=\"")
                        .append(f(py)).append("\" y2=\"").append(f(py)).append("\" stroke=\"").append(color).append("\"/>");
            }
            if (Double.isFinite(p.yLo()) && Double.isFinite(p.yHi())) {
                sb.append("<line class=\"yerr\" x1=\"").append(f(px)).append("\" x2=\"").append(f(px)).append("\" y1=\"")
                        .append(f(ya.at(p.yLo(), TOP, fr.ph))).append("\" y2=\"").append(f(ya.at(p.yHi(), TOP, fr.ph)))
                        .append("\" stroke=\"").append(color).append("\"/>");
            }
            sb.append(marker(st, px, py, 4, "<title>" + esc(String.format(Locale.ROOT, "%s: %s %.4f, %s %.4f", p.name(),
                    xLabel, p.x(), yLabel, p.y())) + "</title>")).append("</g>");
            fr.legend(sb, i, p.name(), st, false);
        }
        return sb.append("</svg>").toString();
    }

    /** The plot area and legend of one chart: as tall as its legend needs, as wide as the page allows (CSS scales it). */
    private static final class Frame {
        final int pw = W - LEFT - RIGHT;
        final int ph;
        final int h;

        Frame(int entries) {
            ph = Math.max(PLOT_H, entries * LEGEND_STEP + 8);
            h = TOP + ph + BOTTOM;
        }

        double x(int i, int n) {
            return LEFT + (n == 1 ? pw / 2.0 : pw * i / (double) (n - 1));
        }

        StringBuilder open(String title) {
            StringBuilder sb = new StringBuilder();
            sb.append("<svg class=\"chart\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(W)
                    .append(' ').append(h).append("\" width=\"").append(W).append("\" height=\"").append(h)
                    .append("\" preserveAspectRatio=\"xMinYMin meet\">");
            sb.append("<title>").append(esc(title)).append("</title>");
            sb.append("<text x=\"").append(LEFT).append("\" y=\"17\" font-size=\"13\" font-weight=\"600\" fill=\"#1d2330\">")
                    .append(esc(title)).append("</text>");
            sb.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(pw)
                    .append("\" height=\"").append(ph).append("\" fill=\"none\" stroke=\"#c9cfda\"/>");
            return sb;
        }

        void yAxis(StringBuilder sb, Axis y, String label) {
            for (double t : y.ticks) {
                double py = y.at(t, TOP, ph);
                sb.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + pw).append("\" y1=\"").append(f(py))
                        .append("\" y2=\"").append(f(py)).append("\" stroke=\"#eef0f4\"/>");
                sb.append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(f(py + 4))
                        .append("\" font-size=\"12\" text-anchor=\"end\" fill=\"#5b6475\">").append(y.label(t)).append("</text>");
            }
            sb.append("<text x=\"14\" y=\"").append(TOP + ph / 2).append("\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1d2330\"")
                    .append(" transform=\"rotate(-90 14 ").append(TOP + ph / 2).append(")\">").append(esc(label)).append("</text>");
        }

        void xLabel(StringBuilder sb, String label) {
            sb.append("<text x=\"").append(LEFT + pw / 2).append("\" y=\"").append(h - 8)
                    .append("\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1d2330\">").append(esc(label)).append("</text>");
        }

        void legend(StringBuilder sb, int i, String name, int st, boolean line) {
            int ly = TOP + 10 + i * LEGEND_STEP;
            int lx = LEFT + pw + 12;
            if (line) {
                sb.append("<line x1=\"").append(lx).append("\" x2=\"").append(lx + 20).append("\" y1=\"").append(ly)
                        .append("\" y2=\"").append(ly).append("\" stroke=\"").append(color(st)).append("\" stroke-width=\"2\"")
                        .append(dashAttr(st)).append("/>");
            } else {
                sb.append(marker(st, lx + 10, ly, 4, ""));
            }
            String shown = name.length() > 26 ? name.substring(0, 25) + "…" : name;
            sb.append("<text x=\"").append(lx + 26).append("\" y=\"").append(ly + 4)
                    .append("\" font-size=\"12\" fill=\"#1d2330\">").append(esc(shown)).append("</text>");
        }
    }

    /** A value axis with round ticks (1, 2 or 5 times a power of ten) over the data or a fixed range. */
    static final class Axis {
        final double lo;
        final double hi;
        final List<Double> ticks = new ArrayList<>();
        final int decimals;

        private Axis(double lo, double hi) {
            double step = niceStep((hi - lo) / 5);
            this.lo = Math.floor(lo / step + 1e-9) * step;
            this.hi = Math.ceil(hi / step - 1e-9) * step;
            for (int k = 0; ; k++) {
                double t = this.lo + k * step;
                if (t > this.hi + step * 1e-6 || k > 50) {
                    break;
                }
                ticks.add(t);
            }
            decimals = Math.max(0, Math.min(6, (int) -Math.floor(Math.log10(step) + 1e-9)));
        }

        static double niceStep(double raw) {
            double p = Math.pow(10, Math.floor(Math.log10(raw)));
            double m = raw / p;
            return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
        }

        /** Fits the finite values (a small margin added), or [min, max] where both are finite and ordered. */
        static Axis fit(List<Double> values, double min, double max) {
            if (Double.isFinite(min) && Double.isFinite(max) && min < max) {
                return new Axis(min, max);
            }
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (Double v : values) {
                if (v != null && Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
            // no value, or a span near ±Double.MAX_VALUE that overflows: a plain axis
            if (!(lo <= hi) || !Double.isFinite((hi - lo) * 1.2) || Math.abs(lo) > 1e12 || Math.abs(hi) > 1e12) {
                return new Axis(0, 1);
            }
            if (hi - lo < 1e-9 * Math.max(1, Math.abs(hi))) {
                // a constant (a learning rate without schedule): centred, at a scale of its own size
                double half = Math.abs(lo) > 1e-12 ? Math.abs(lo) * 0.5 : 0.5;
                return new Axis(lo >= 0 ? Math.max(0, lo - half) : lo - half, hi + half);
            }
            double pad = (hi - lo) * 0.05;
            // a quantity that cannot be negative (a loss, an accuracy) keeps its axis at zero or above
            return new Axis(lo >= 0 ? Math.max(0, lo - pad) : lo - pad, hi + pad);
        }

        /** Fits the finite values ({@link #fit}), the axis kept within [min, max] where they are finite (NaN: no limit). */
        static Axis within(List<Double> values, double min, double max) {
            Axis a = fit(values, Double.NaN, Double.NaN);
            double lo = Double.isFinite(min) ? Math.max(min, a.lo) : a.lo;
            double hi = Double.isFinite(max) ? Math.min(max, a.hi) : a.hi;
            if (!(lo < hi)) {
                // every value beyond a limit: the limit and a span of its own around it
                return lo >= hi && Double.isFinite(min) && Double.isFinite(max) ? new Axis(min, max) : a;
            }
            return lo == a.lo && hi == a.hi ? a : new Axis(lo, hi);
        }

        /** Where {@code v} lies on a plot of height {@code ph} under {@code top}; clamped to the plot, NaN for no value. */
        double at(Double v, int top, int ph) {
            if (v == null || !Double.isFinite(v)) {
                return Double.NaN;
            }
            double y = top + ph - ph * (v - lo) / (hi - lo);
            return Math.max(top, Math.min(top + ph, y));
        }

        String label(double t) {
            return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(t) < 1e-12 ? 0.0 : t);
        }
    }

    static String esc(String s) {
        return HtmlEscape.escapeHtml5(s);
    }
}
