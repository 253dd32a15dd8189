package org.cklbench.runfolder;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a benchmark's results are shown, declared by the benchmark and written into each of its run
 * folders as {@code benchmark.json}: the leaderboard's columns (where each value is in
 * {@code summary.json}, which way is better, how many digits), the hint line under the table, the
 * figures of a run's method page and the learning curve of its run page (keys of
 * {@code metrics.jsonl}), and published rows to show beside reproduced ones. A site renders any
 * benchmark from this alone.
 *
 * @param headline the figures of a run in one line (method pages)
 * @param notice   a line the site must show with these results (a data licence), or null
 * @param references controls the benchmark computes from its data (a floor a shortcut would score), shown as
 *                   a line under the board, or null
 * @param reference the method whose row at the preset's settings every other row is compared with (▲/▼), or null
 *                  for no comparison
 * @param floor     the method of the no-training row: shown to read the others against, never marked best; or null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LeaderboardSpec(String benchmark, String title, String hint, List<Column> columns, List<Column> headline,
                              Curve curve, Reported reported, String notice, List<ReferenceLine> references,
                              String reference, String floor) {

    /** The same spec without a reference or floor method (a benchmark that compares no row with another). */
    public LeaderboardSpec(String benchmark, String title, String hint, List<Column> columns, List<Column> headline,
                           Curve curve, Reported reported, String notice, List<ReferenceLine> references) {
        this(benchmark, title, hint, columns, headline, curve, reported, notice, references, null, null);
    }

    /**
     * A figure of a run.
     *
     * @param path   JSON pointer into summary.json
     * @param better 1 when higher is better, -1 when lower is, 0 when neither (no best is marked)
     * @param digits decimals shown (one more than 0 when it is a mean of several seeds)
     * @param shortLabel a label of at most 10 characters for terminal tables, or null to use {@code label}
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Column(String key, String label, String shortLabel, String path, int better, int digits) {
        /** The mean, with "± sd" when it is over several seeds. */
        public String format(double mean, double sd, int n) {
            int d = n > 1 ? Math.max(digits, 1) : digits;
            String m = decimals(mean, d);
            return n > 1 ? m + " ± " + decimals(sd, d) : m;
        }

        /**
         * {@code v} to {@code d} decimals, a value that rounds to zero without a sign: an interval's lower bound
         * of -0.3 epochs reads "0", not "-0" (which looks like a typo).
         */
        public static String decimals(double v, int d) {
            String s = String.format(Locale.ROOT, "%." + d + "f", v);
            return s.matches("-0(\\.0+)?") ? s.substring(1) : s;
        }

        public String terminalLabel() {
            return shortLabel != null ? shortLabel : label;
        }
    }

    /**
     * The learning curve of a run page: one line per series over the evaluations.
     *
     * @param x     the key of metrics.jsonl that names an evaluation (the x axis)
     * @param yMin  fixed lower end of the y axis, or null to fit the data
     * @param table the columns of the curve's table under the chart (keys of metrics.jsonl)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Curve(String title, String x, String xLabel, String yLabel, Double yMin, Double yMax, List<Series> series,
                       List<Series> table) {
    }

    /** A key of metrics.jsonl and its label. */
    public record Series(String key, String label) {
    }

    /** Published rows: their source, the base model they were measured on, and values by column key. */
    public record Reported(String source, String model, List<ReportedRow> rows) {
    }

    /** A published row; {@code note}, when present, is shown as its footnote (how it was produced, a caveat). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReportedRow(String method, String label, Map<String, Double> values, String note) {
    }

    /**
     * A reference value under the board, read from each run's summary.json (the same for every run on the same
     * data), in the units of one column.
     *
     * @param path   JSON pointer into summary.json
     * @param column the key of the column whose units and digits it takes
     * @param note   what it is, shown beside it, or null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReferenceLine(String key, String label, String path, String column, String note) {
    }

    /** Refuses a spec a site could not render sensibly; names the benchmark and the problem. */
    public LeaderboardSpec validated() {
        String who = "leaderboard spec of benchmark '" + benchmark + "'";
        if (benchmark == null || !benchmark.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
            throw new IllegalArgumentException(who + ": the id must be lower case letters, digits, '-' or '_'");
        }
        require(title != null && !title.isBlank(), who + ": no title");
        for (String m : new String[] {reference, floor}) {
            require(m == null || m.matches("[A-Za-z0-9][A-Za-z0-9._+-]{0,199}"), who + ": the reference and floor must be"
                    + " method ids (letters, digits, . _ + -)");
        }
        require(columns != null && !columns.isEmpty(), who + ": no columns");
        for (Column c : columns) {
            require(c != null, who + ": a column is null");
            check(c, who);
        }
        if (headline != null) {
            for (Column c : headline) {
                require(c != null, who + ": a headline figure is null");
                check(c, who);
            }
        }
        require(curve != null && curve.x() != null && curve.series() != null && !curve.series().isEmpty(),
                who + ": the curve needs an x key and at least one series");
        for (Series x : curve.series()) {
            require(x != null && x.key() != null, who + ": a series of the curve is null or has no key");
        }
        if (curve.table() != null) {
            for (Series x : curve.table()) {
                require(x != null && x.key() != null, who + ": a column of the curve's table is null or has no key");
            }
        }
        if (references != null) {
            for (ReferenceLine r : references) {
                require(r != null, who + ": a reference line is null");
                require(r.key() != null && r.key().matches("[A-Za-z0-9_]+"), who + ": reference key '" + r.key()
                        + "' is not a plain name");
                require(r.label() != null && !r.label().isBlank(), who + ": reference " + r.key() + " has no label");
                require(r.path() != null && r.path().startsWith("/"), who + ": reference " + r.key()
                        + " needs a JSON pointer path");
                require(columns.stream().anyMatch(c -> c.key().equals(r.column())), who + ": reference " + r.key()
                        + " names column '" + r.column() + "', which the spec does not have");
            }
        }
        if (reported != null && reported.rows() != null) {
            for (ReportedRow r : reported.rows()) {
                require(r != null, who + ": a reported row is null");
                require(r.label() != null && r.values() != null, who + ": reported row '" + r.label()
                        + "' needs a label and values");
                r.values().forEach((k, v) -> require(v != null && Double.isFinite(v),
                        who + ": reported row '" + r.label() + "' has a value for '" + k + "' that is not a finite number"));
            }
        }
        return this;
    }

    private static void check(Column c, String who) {
        require(c.key() != null && c.key().matches("[A-Za-z0-9_]+"), who + ": column key '" + c.key() + "' is not a plain name");
        require(c.path() != null && c.path().startsWith("/"), who + ": column " + c.key() + " needs a JSON pointer path");
        require(c.better() >= -1 && c.better() <= 1, who + ": column " + c.key() + ": better must be -1, 0 or 1");
        require(c.digits() >= 0 && c.digits() <= 8, who + ": column " + c.key() + ": digits must lie in 0..8");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
