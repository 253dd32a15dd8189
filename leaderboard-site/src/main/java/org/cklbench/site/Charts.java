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
    private static final String[] COLORS = {"#2456a6", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0e7490",
        "#a16207", "#be185d", "#4d7c0f", "#1e3a8a", "#9a3412", "#475569"};
    private static final int W = 640;
    private static final int LEFT = 64;
    private static final int RIGHT = 190;
    private static final int TOP = 28;
    private static final int BOTTOM = 44;
    private static final int PLOT_H = 220;
    private static final int LEGEND_STEP = 18;
    /** The most x positions whose points get a dot. */
    private static final int DOTS = 60;

    /**
     * One line: a name and a value per x position (NaN for none; a value that is not finite is not drawn), and
     * optionally the lower and upper ends of an interval at each (null: no band).
     */
    public record Series(String name, List<Double> values, List<Double> lo, List<Double> hi) {
        public Series(String name, List<Double> values) {
            this(name, values, null, null);
        }
    }

    /** One point of a scatter, with its interval on each axis (NaN: none). */
    public record Point(String name, double x, double xLo, double xHi, double y, double yLo, double yHi) {
    }

    private Charts() {
    }

    /** The colour of the {@code i}-th series or point, the same on every chart of a board. */
    static String color(int i) {
        return COLORS[i % COLORS.length];
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
        // x labels: at most about 12, so that they stay readable however many evaluations there are
        int every = Math.max(1, (int) Math.ceil(n / 12.0));
        for (int i = 0; i < n; i++) {
            // every k-th label and the last, unless the last would crowd the one before it
            if (i != n - 1 ? i % every != 0 || every > 1 && n - 1 - i < every : false) {
                continue;
            }
            sb.append("<text x=\"").append(f(fr.x(i, n))).append("\" y=\"").append(TOP + fr.ph + 16)
                    .append("\" font-size=\"12\" text-anchor=\"middle\" fill=\"#5b6475\">").append(esc(xs.get(i))).append("</text>");
        }
        fr.xLabel(sb, xLabel);
        for (int s = 0; s < series.size(); s++) {
            String color = color(s);
            Series se = series.get(s);
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
                dots.append("<circle cx=\"").append(f(fr.x(i, n))).append("\" cy=\"").append(f(py)).append("\" r=\"2.5\" fill=\"")
                        .append(color).append("\"><title>").append(esc(se.name() + " at " + xs.get(i) + ": "
                                + String.format(Locale.ROOT, "%.4f", vs.get(i)))).append("</title></circle>");
            }
            sb.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
                    .append(pts).append("\"/>").append(dots).append("</g>");
            fr.legend(sb, s, se.name(), color, true);
        }
        return sb.append("</svg>").toString();
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
     * figure). Axes are fixed to [min, max] where given (NaN: fit the points and their intervals).
     */
    public static String scatter(String title, String xLabel, String yLabel, List<Point> points, double min, double max) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (Point p : points) {
            xs.addAll(List.of(p.x(), p.xLo(), p.xHi()));
            ys.addAll(List.of(p.y(), p.yLo(), p.yHi()));
        }
        Axis xa = Axis.fit(xs, min, max);
        Axis ya = Axis.fit(ys, min, max);
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
            String color = color(i);
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
            sb.append("<circle cx=\"").append(f(px)).append("\" cy=\"").append(f(py)).append("\" r=\"4\" fill=\"").append(color)
                    .append("\"><title>").append(esc(String.format(Locale.ROOT, "%s: %s %.4f, %s %.4f", p.name(), xLabel,
                            p.x(), yLabel, p.y()))).append("</title></circle></g>");
            fr.legend(sb, i, p.name(), color, false);
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

        void legend(StringBuilder sb, int i, String name, String color, boolean line) {
            int ly = TOP + 10 + i * LEGEND_STEP;
            int lx = LEFT + pw + 12;
            if (line) {
                sb.append("<line x1=\"").append(lx).append("\" x2=\"").append(lx + 20).append("\" y1=\"").append(ly)
                        .append("\" y2=\"").append(ly).append("\" stroke=\"").append(color).append("\" stroke-width=\"2\"/>");
            } else {
                sb.append("<circle cx=\"").append(lx + 10).append("\" cy=\"").append(ly).append("\" r=\"4\" fill=\"")
                        .append(color).append("\"/>");
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
