package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
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

    private Leaderboards() {
    }

    static SiteData.Board board(LeaderboardSpec spec, String preset, String weights, String world,
                                Map<String, List<SiteData.Run>> configs, Map<String, Replicates> replicates) {
        return board(spec, preset, weights, world, configs, replicates, java.util.Set.of());
    }

    /**
     * @param siteLabels the column labels of every benchmark on the site: a method's caveat that names a column of
     *                   another benchmark and none of this board's is not this board's footnote
     */
    static SiteData.Board board(LeaderboardSpec spec, String preset, String weights, String world,
                                Map<String, List<SiteData.Run>> configs, Map<String, Replicates> replicates,
                                java.util.Set<String> siteLabels) {
        String benchmark = spec.benchmark();
        TreeSet<String> labels = new TreeSet<>();
        configs.values().forEach(rs -> rs.forEach(r -> labels.add(r.model())));
        String anchor = (benchmark + "-" + preset + "-" + shortHash(weights) + "-" + shortHash(world))
                .replaceAll("[^A-Za-z0-9_-]", "-");
        List<LeaderboardSpec.Column> cols = columnsOf(spec);
        LeaderboardSpec.Column sortBy = sortColumn(spec, cols);
        List<SiteData.ColumnHead> columns = new ArrayList<>();
        for (LeaderboardSpec.Column c : cols) {
            columns.add(new SiteData.ColumnHead(c.key(), c.label(), c.terminalLabel(), c.better()));
        }
        Map<String, String> common = commonSettings(configs);
        List<SiteData.Row> rows = new ArrayList<>();
        Map<String, Integer> sameText = new TreeMap<>();
        for (Map.Entry<String, List<SiteData.Run>> e : configs.entrySet()) {
            List<SiteData.Run> rs = new ArrayList<>(e.getValue());
            rs.sort((x, y) -> Long.compare(x.seed(), y.seed()));
            String method = rs.get(0).method();
            StringBuilder variant = new StringBuilder(Summarizer.variant(e.getValue().get(0).variant()));
            settingsOf(e.getValue().get(0)).forEach((k, v) -> {
                if (!v.equals(common.get(k))) {
                    variant.append(variant.length() == 0 ? "" : ", ").append(k).append('=').append(v);
                }
            });
            sameText.merge(method + "\n" + variant, 1, Integer::sum);
            List<String> ids = new ArrayList<>();
            List<Long> seeds = new ArrayList<>();
            List<Boolean> verified = new ArrayList<>();
            Boolean reproducible = null;
            java.util.Set<String> why = new java.util.TreeSet<>();
            for (SiteData.Run r : rs) {
                ids.add(r.page());
                seeds.add(r.seed());
                verified.add(r.verified());
                // one run the suite cannot train again makes the row so; the mark shows each note once
                if (Boolean.FALSE.equals(r.reproducible())) {
                    reproducible = false;
                    why.add(r.reproducibleNote() != null ? r.reproducibleNote()
                            : "run.json says the suite cannot train it again");
                }
            }
            Map<String, SiteData.Cell> values = new LinkedHashMap<>();
            for (LeaderboardSpec.Column c : cols) {
                List<Double> xs = new ArrayList<>();
                for (SiteData.Run r : e.getValue()) {
                    JsonNode v = r.summary().at(c.path());
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
                values.put(c.key(), SiteData.Cell.of(mean, sd, c.format(mean, sd, xs.size())));
            }
            rows.add(new SiteData.Row(method, e.getKey(), variant.toString(), rs.size(), ids, seeds, verified,
                    !verified.contains(false), ProbeStats.text(e.getValue()), values, null, reproducible,
                    why.isEmpty() ? null : String.join("; ", why)));
        }
        // rows that still read alike (they differ in a method's input file, say) are told apart by their key
        for (int i = 0; i < rows.size(); i++) {
            SiteData.Row row = rows.get(i);
            String text = row.variant();
            if (sameText.get(row.method() + "\n" + text) > 1) {
                rows.set(i, row.withVariant(text + (text.isEmpty() ? "" : " · ") + "config " + row.configKey().substring(0, 6)));
            }
        }
        rows.sort(byHeadline(sortBy));
        markBest(cols, rows, spec.floor());
        String reference = spec.reference();
        SiteData.Row ref = reference == null ? null : rows.stream().filter(r -> r.method().equals(reference)
                && r.variant().isEmpty()).findFirst().orElse(null);
        String referenceNote = reference == null ? "no reference method in the benchmark's leaderboard spec: no ▲/▼"
                : ref == null ? "no reference row (" + reference + " at the preset's settings) on this board: no ▲/▼"
                : null;
        Map<String, JsonNode> summaries = new TreeMap<>();
        configs.values().forEach(rs -> rs.forEach(r -> summaries.put(r.page(), r.summary())));
        int compared = BoardStatistics.compare(cols, rows, ref, replicates, summaries);
        List<String> notes = new ArrayList<>();
        // a method's caveat (run.json's method note), once per board, marked on each of its rows
        for (int i = 0; i < rows.size(); i++) {
            List<String> methodNotes = configs.get(rows.get(i).configKey()).get(0).methodNotes();
            if (methodNotes != null) {
                for (String n : methodNotes) {
                    if (!appliesTo(n, cols, siteLabels)) {
                        continue;
                    }
                    int at = notes.indexOf(n);
                    if (at < 0) {
                        notes.add(n);
                        at = notes.size() - 1;
                    }
                    rows.set(i, rows.get(i).withMark(at + 1));
                }
            }
        }
        List<SiteData.ReportedRow> reported = new ArrayList<>();
        boolean hasReported = spec.reported() != null && spec.reported().rows() != null;
        if (hasReported) {
            for (LeaderboardSpec.ReportedRow r : spec.reported().rows()) {
                Integer mark = null;
                if (r.note() != null && !r.note().isBlank()) {
                    notes.add(r.note());
                    mark = notes.size();
                }
                Map<String, SiteData.Cell> values = new LinkedHashMap<>();
                for (LeaderboardSpec.Column c : cols) {
                    Double v = r.values().get(c.key());
                    if (v != null) {
                        values.put(c.key(), SiteData.Cell.of(v, null, c.format(v, 0, 1)));
                    }
                }
                reported.add(new SiteData.ReportedRow(r.method(), r.label(), mark, values));
            }
        }
        return new SiteData.Board(benchmark, spec.title(), spec.hint() == null ? "" : spec.hint(), preset,
                String.join(" / ", labels), weights, shortHash(weights), world, shortHash(world), anchor,
                sortBy == null ? null : sortBy.key(), sortBy == null ? -1 : cols.indexOf(sortBy),
                sortBy == null ? "" : sortBy.better() > 0 ? "desc" : "asc", columns, reference, spec.floor(), ref != null,
                referenceNote, compared, "Benjamini-Hochberg", Intervals.ALPHA, rows, reported,
                hasReported ? spec.reported().model() : null, hasReported ? spec.reported().source() : null,
                hasReported || !notes.isEmpty() ? notes : null, references(spec, configs), spec.notice(), null);
    }

    /**
     * The spec's reference lines (a majority floor, say) with their values, read from the runs' summaries. A
     * value is shown only where every run of the board that reports it reports the same one (they share the
     * data, so they must): a run's summary.json is its own word, and one forged value must not move a line under
     * everyone's rows. Where they disagree the line says so and shows no value. A line no run carries is left out.
     */
    static List<SiteData.ReferenceValue> references(LeaderboardSpec spec, Map<String, List<SiteData.Run>> configs) {
        List<SiteData.ReferenceValue> out = new ArrayList<>();
        if (spec.references() == null) {
            return out;
        }
        for (LeaderboardSpec.ReferenceLine ref : spec.references()) {
            LeaderboardSpec.Column col = spec.columns().stream().filter(c -> c.key().equals(ref.column()))
                    .findFirst().orElseThrow();
            java.util.DoubleSummaryStatistics xs = configs.values().stream().flatMap(List::stream)
                    .map(r -> r.summary().at(ref.path()))
                    .filter(v -> v.isNumber() && Double.isFinite(v.asDouble()))
                    .mapToDouble(JsonNode::asDouble).summaryStatistics();
            if (xs.getCount() == 0) {
                continue;
            }
            if (xs.getMin() == xs.getMax()) {
                out.add(new SiteData.ReferenceValue(ref.key(), ref.label(), ref.column(), col.label(), xs.getMin(),
                        col.format(xs.getMin(), 0, 1), xs.getCount(), xs.getCount() == 1 ? "as its one run reports it"
                        : "the same in all " + xs.getCount() + " runs that report it", null, ref.note()));
            } else {
                out.add(new SiteData.ReferenceValue(ref.key(), ref.label(), ref.column(), col.label(), null, "not shown",
                        null, null, "the runs of this board disagree on it (from " + col.format(xs.getMin(), 0, 1)
                        + " to " + col.format(xs.getMax(), 0, 1) + "), though they share the data", ref.note()));
            }
        }
        return out;
    }

    /**
     * Whether a method's caveat belongs under a board with {@code cols}: not when it names (as a whole word, a
     * label of three characters or more) a column some other benchmark of the site has and this board lacks, and
     * none of this board's columns. A caveat that names no column belongs under every board of its method.
     */
    static boolean appliesTo(String note, List<LeaderboardSpec.Column> cols, java.util.Set<String> siteLabels) {
        java.util.Set<String> own = new java.util.HashSet<>();
        cols.forEach(c -> own.add(c.label()));
        boolean namesOwn = own.stream().anyMatch(l -> names(note, l));
        boolean namesOther = siteLabels.stream().filter(l -> !own.contains(l)).anyMatch(l -> names(note, l));
        return namesOwn || !namesOther;
    }

    private static boolean names(String text, String label) {
        return label != null && label.length() >= 3 && java.util.regex.Pattern.compile(
                "(?<![\\p{L}\\p{N}])" + java.util.regex.Pattern.quote(label) + "(?![\\p{L}\\p{N}])").matcher(text).find();
    }

    /** The first 12 hex digits of a hash; anything else (an "unknown ..." note) as it is. */
    static String shortHash(String h) {
        return h != null && h.matches("[0-9a-f]{64}") ? h.substring(0, 12) : String.valueOf(h);
    }

    /** A run's settings, device and dtype as {@code name → value} text: what a row may differ in besides the method. */
    static Map<String, String> settingsOf(SiteData.Run run) {
        Map<String, String> out = new TreeMap<>();
        if (run.config().settings() != null) {
            run.config().settings().fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().isTextual()
                    ? f.getValue().asText() : f.getValue().toString()));
        }
        out.put("device", run.config().device() == null ? "" : run.config().device());
        out.put("dtype", run.config().dtype() == null ? "" : run.config().dtype());
        return out;
    }

    /**
     * The settings most rows of the board share, each on its own (ties to the smaller text): the preset's,
     * as far as the board can tell, since a run folder records its settings with the user's overrides
     * applied. A row is named by where it differs from these, and the reference row differs in nothing.
     */
    static Map<String, String> commonSettings(Map<String, List<SiteData.Run>> configs) {
        Map<String, Map<String, Integer>> counts = new TreeMap<>();
        for (List<SiteData.Run> rs : configs.values()) {
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
    static java.util.Comparator<SiteData.Row> byHeadline(LeaderboardSpec.Column sortBy) {
        java.util.Comparator<SiteData.Row> byName = java.util.Comparator.comparing(
                (SiteData.Row r) -> r.method() + "\n" + r.variant());
        if (sortBy == null) {
            return byName;
        }
        return java.util.Comparator.<SiteData.Row>comparingDouble(r -> {
            SiteData.Cell m = r.values().get(sortBy.key());
            return m != null ? -sortBy.better() * m.mean() : Double.POSITIVE_INFINITY;
        }).thenComparing(byName);
    }

    /**
     * Marks each directed column's best value among the board's measured rows: never the reported rows (another
     * base model: they are in their own block), never the spec's floor (no training is a floor, not a method), and
     * nothing where fewer than two rows compete or all of them tie, since a best of one, or of all, says nothing.
     */
    static void markBest(List<LeaderboardSpec.Column> cols, List<SiteData.Row> rows, String floor) {
        List<SiteData.Row> contenders = rows.stream().filter(r -> !r.method().equals(floor)).toList();
        for (LeaderboardSpec.Column c : cols) {
            if (c.better() == 0) {
                continue;
            }
            long valued = contenders.stream().filter(r -> r.values().containsKey(c.key())).count();
            long distinct = contenders.stream().filter(r -> r.values().containsKey(c.key()))
                    .mapToDouble(r -> r.values().get(c.key()).mean()).distinct().count();
            // a tie of every row (a smoke board where no method moved a figure) has no best either
            if (valued < 2 || distinct < 2) {
                continue;
            }
            double best = c.better() > 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            for (SiteData.Row r : contenders) {
                SiteData.Cell v = r.values().get(c.key());
                if (v != null) {
                    best = c.better() > 0 ? Math.max(best, v.mean()) : Math.min(best, v.mean());
                }
            }
            for (SiteData.Row r : contenders) {
                SiteData.Cell v = r.values().get(c.key());
                if (v != null && v.mean() == best) {
                    r.values().put(c.key(), v.withBest());
                }
            }
        }
    }
}
