package org.cklbench.site;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.runfolder.Prediction;
import org.cklbench.runfolder.RunFolder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The probes behind a run's leaderboard figures, read from its published predictions files: how many of each
 * split, and the accuracy and object NLL of each split per relation. The evaluation is the one the summary reports where it
 * names one ({@code /epoch}, a best epoch: {@code predictions/epoch-NNN.jsonl}), else every evaluation (figures
 * over all the periods of a benchmark of periods).
 */
final class ProbeStats {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The most probes read from one predictions file; a run of this suite writes a few thousand. */
    static final int MAX_PER_FILE = 100_000;
    /** The most predictions files read per run. */
    static final int MAX_FILES = 64;

    private ProbeStats() {
    }

    /** The predictions files (relative, as {@link PublishedFiles} lists them) behind the run's figures. */
    static List<String> evaluations(List<String> published, JsonNode summary) {
        List<String> predictions = published.stream().filter(f -> f.startsWith(RunFolder.PREDICTIONS + "/")).toList();
        JsonNode epoch = summary.path("epoch");
        if (epoch.isIntegralNumber() && epoch.asLong() >= 0 && epoch.asLong() < 1_000_000) {
            String named = RunFolder.PREDICTIONS + "/" + String.format(Locale.ROOT, "epoch-%03d.jsonl", epoch.asLong());
            if (predictions.contains(named)) {
                return List.of(named);
            }
        }
        return predictions.size() > MAX_FILES ? predictions.subList(0, MAX_FILES) : predictions;
    }

    /**
     * {@code {"evaluations": [...], "splits": {split: n}, "relations": {split: {relation: {"n", "correct", "nll_n", "nll"}}}}}
     * ({@code nll}: the sum of the object NLLs of the {@code nll_n} probes that have a finite one);
     * a file that is not JSON Lines of predictions gives {@code {"error": ...}} instead, and the run still builds.
     */
    static ObjectNode of(Path dir, List<String> evaluations) {
        ObjectNode out = JSON.createObjectNode();
        Map<String, Integer> splits = new TreeMap<>();
        Map<String, Map<String, double[]>> relations = new TreeMap<>();
        try {
            for (String f : evaluations) {
                for (Prediction p : RunFolder.readPredictions(dir.resolve(f), MAX_PER_FILE)) {
                    String split = p.split() == null ? "?" : p.split();
                    splits.merge(split, 1, Integer::sum);
                    double[] acc = relations.computeIfAbsent(split, k -> new TreeMap<>())
                            .computeIfAbsent(p.relation() == null ? "?" : p.relation(), k -> new double[4]);
                    acc[0]++;
                    acc[1] += p.accuracy();
                    if (Double.isFinite(p.objectNll())) {
                        acc[2] += p.objectNll();
                        acc[3]++;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return out.put("error", "its predictions cannot be read: " + e.getMessage());
        }
        evaluations.forEach(out.putArray("evaluations")::add);
        ObjectNode s = out.putObject("splits");
        splits.forEach(s::put);
        ObjectNode r = out.putObject("relations");
        relations.forEach((split, byRelation) -> {
            ObjectNode o = r.putObject(split);
            byRelation.forEach((rel, acc) -> {
                ObjectNode c = o.putObject(rel).put("n", (int) acc[0]).put("correct", acc[1]);
                if (acc[3] > 0) {
                    c.put("nll_n", (int) acc[3]).put("nll", acc[2]);
                }
            });
        });
        return out;
    }

    /**
     * A row's probes as one line: each split's count where every seed has the same, else its range, such as
     * {@code to_learn 100 · not_to_forget 100}; empty where no run has predictions.
     */
    static String text(List<SiteData.Run> runs) {
        Map<String, int[]> range = new TreeMap<>();
        for (SiteData.Run r : runs) {
            if (r.probes() == null) {
                continue;
            }
            r.probes().path("splits").fields().forEachRemaining(e -> {
                int n = e.getValue().asInt();
                int[] mm = range.computeIfAbsent(e.getKey(), k -> new int[] {n, n});
                mm[0] = Math.min(mm[0], n);
                mm[1] = Math.max(mm[1], n);
            });
        }
        StringBuilder sb = new StringBuilder();
        range.forEach((split, mm) -> sb.append(sb.length() == 0 ? "" : " · ").append(split).append(' ')
                .append(mm[0] == mm[1] ? String.valueOf(mm[0]) : mm[0] + "–" + mm[1]));
        return sb.toString();
    }
}
