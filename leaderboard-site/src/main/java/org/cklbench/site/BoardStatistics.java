package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.cklbench.runfolder.LeaderboardSpec;
import org.cklbench.runfolder.Replicates;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The statistics of a board's rows: each value's 95% interval over seeds and probes ({@link Intervals}) and, for
 * columns with a direction, the paired difference to the reference row, Benjamini-Hochberg-corrected over the board
 * (false-discovery rate 5%).
 */
final class BoardStatistics {
    private BoardStatistics() {
    }

    /** A row's comparison with the reference in one column, before the correction. */
    private record Comparison(SiteData.Row row, String key, int better, Intervals.Estimate diff) {
    }

    /**
     * Each value's 95% interval over seeds and probes and, for columns with a direction, its paired
     * difference to the reference row on the seeds both ran; then ▲/▼ where Benjamini and Hochberg's correction over all the
     * board's comparisons keeps the difference at family-wise α = 5%. A value that gets no interval or no
     * comparison says why. Replaces the rows' cells; returns how many comparisons the correction counted.
     */
    static int compare(List<LeaderboardSpec.Column> cols, List<SiteData.Row> rows, SiteData.Row ref,
                       Map<String, Replicates> replicates, Map<String, JsonNode> summaries) {
        List<Comparison> comparisons = new ArrayList<>();
        for (SiteData.Row r : rows) {
            for (LeaderboardSpec.Column c : cols) {
                SiteData.Cell v = r.values().get(c.key());
                if (v == null) {
                    continue;
                }
                Seeds mine = Seeds.of(r, c, replicates, summaries);
                if (mine.why() != null) {
                    r.values().put(c.key(), v.withNoInterval(mine.why()));
                    continue;
                }
                Intervals.Estimate e = Intervals.of(mine.points(), mine.replicates());
                v = v.withInterval(e.se(), e.lo(), e.hi(), "[" + c.format(e.lo(), 0, 1) + ", " + c.format(e.hi(), 0, 1) + "]");
                r.values().put(c.key(), v);
                if (ref == null || ref == r || c.better() == 0) {
                    continue;
                }
                Seeds theirs = Seeds.of(ref, c, replicates, summaries);
                if (theirs.why() != null) {
                    r.values().put(c.key(), v.withNoComparison("the reference row: " + theirs.why()));
                    continue;
                }
                if (!mine.scheme().equals(theirs.scheme())
                        || mine.replicates().get(0).length != theirs.replicates().get(0).length) {
                    r.values().put(c.key(), v.withNoComparison("not resampled as the reference row was (" + mine.scheme()
                            + " × " + mine.replicates().get(0).length + " against " + theirs.scheme() + " × "
                            + theirs.replicates().get(0).length + ")"));
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
                    r.values().put(c.key(), v.withNoComparison("no seed in common with the reference row"));
                    continue;
                }
                Intervals.Estimate d = Intervals.difference(mine.pick(a).points(), mine.pick(a).replicates(),
                        theirs.pick(f).points(), theirs.pick(f).replicates());
                r.values().put(c.key(), v.withDifference(d.centre(), d.lo(), d.hi(), d.p(), a.size()));
                comparisons.add(new Comparison(r, c.key(), c.better(), d));
            }
        }
        double[] p = new double[comparisons.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = comparisons.get(i).diff().p();
        }
        double[] adjusted = Intervals.benjaminiHochberg(p);
        for (int i = 0; i < p.length; i++) {
            Comparison c = comparisons.get(i);
            String vs = adjusted[i] <= Intervals.ALPHA && c.diff().centre() != 0
                    ? (c.diff().centre() > 0) == (c.better() > 0) ? "better" : "worse" : null;
            c.row().values().put(c.key(), c.row().values().get(c.key()).withAdjusted(adjusted[i], vs));
        }
        return p.length;
    }

    /**
     * A row's seeds in one column: their point values and replicates in seed order, the scheme, or why
     * they cannot give an interval (a run without bootstrap.json, without this field, of another scheme).
     */
    private record Seeds(List<Long> seeds, double[] points, List<double[]> replicates, String scheme, String why) {
        static Seeds of(SiteData.Row row, LeaderboardSpec.Column c, Map<String, Replicates> all,
                        Map<String, JsonNode> summaries) {
            List<Long> seeds = new ArrayList<>();
            List<Double> points = new ArrayList<>();
            List<double[]> reps = new ArrayList<>();
            String scheme = null;
            int count = -1;
            for (int i = 0; i < row.runs().size(); i++) {
                String page = row.runs().get(i);
                Replicates rep = all.get(page);
                if (rep == null || rep.values().get(c.path()) == null) {
                    return failed("run " + page + " has no bootstrap replicates of " + c.path());
                }
                if (scheme != null && (!scheme.equals(rep.scheme()) || count != rep.replicates())) {
                    return failed("its runs were resampled under different schemes");
                }
                scheme = rep.scheme();
                count = rep.replicates();
                JsonNode point = summaries.getOrDefault(page, MissingNode.getInstance()).at(c.path());
                if (!point.isNumber() || !Double.isFinite(point.asDouble())) {
                    return failed("run " + page + " has no value of " + c.path());
                }
                seeds.add(row.seeds().get(i));
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
}
