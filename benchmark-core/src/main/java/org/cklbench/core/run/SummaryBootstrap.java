package org.cklbench.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.benchmark.Protocol;
import org.cklbench.core.eval.ProbeResult;
import org.cklbench.runfolder.Prediction;
import org.cklbench.runfolder.Replicates;
import org.cklbench.runfolder.RunFolder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Bootstrap replicates of a run's summary: every evaluation's probe sets resampled with replacement,
 * the benchmark's own metrics and summary recomputed on each resample. The draws depend only on the
 * probe set (its split, its evaluation and its size) and the replicate number, never on the run, so
 * replicate {@code b} of two methods scored the same resampled probes and their difference is a
 * paired one; across seeds the site resamples runs on top (a two-level bootstrap).
 */
public final class SummaryBootstrap {
    /** Enough for stable 2.5% and 97.5% percentiles. */
    public static final int REPLICATES = 1000;
    /** Changing how draws are made changes this name, so old and new replicates are never paired. */
    public static final String SCHEME = "probes-within-set-v1";

    private SummaryBootstrap() {
    }

    /** The replicates of {@code folder}'s summary, from its predictions and metrics. */
    public static Replicates of(Protocol protocol, RunFolder folder, int firstStage, int lastStage, int replicates)
            throws IOException {
        List<ObjectNode> metrics = folder.metrics();
        List<Map<String, List<ProbeResult>>> evals = new ArrayList<>();
        for (int k = firstStage; k <= lastStage; k++) {
            Path file = folder.dir().resolve(RunFolder.PREDICTIONS).resolve(protocol.evaluationName(k) + ".jsonl");
            Map<String, List<ProbeResult>> bySplit = new LinkedHashMap<>();
            for (Prediction p : RunFolder.readPredictions(file, Integer.MAX_VALUE)) {
                bySplit.computeIfAbsent(p.split(), x -> new ArrayList<>())
                        .add(new ProbeResult(p.uuid(), p.objectIds(), p.predictedIds(), p.accuracy(), p.objectNll()));
            }
            evals.add(bySplit);
        }
        Map<String, double[]> values = new LinkedHashMap<>();
        for (int rep = 0; rep < replicates; rep++) {
            int b = rep;
            List<JsonNode> lines = new ArrayList<>();
            for (int i = 0; i < evals.size(); i++) {
                int stage = firstStage + i;
                Map<String, List<ProbeResult>> resampled = new LinkedHashMap<>();
                evals.get(i).forEach((split, rs) -> resampled.put(split, resample(rs, draws(split, stage, rs.size(), b))));
                ObjectNode line = protocol.metrics(stage, resampled);
                if (i < metrics.size() && metrics.get(i).has("train_loss")) {
                    line.set("train_loss", metrics.get(i).get("train_loss"));
                }
                lines.add(line);
            }
            Map<String, Double> flat = new LinkedHashMap<>();
            flatten(protocol.summarize(lines), "", flat);
            for (Map.Entry<String, Double> e : flat.entrySet()) {
                values.computeIfAbsent(e.getKey(), k -> new double[replicates])[b] = round(e.getValue());
            }
        }
        // a field some replicate lacked, or left non-finite (an empty resample, say), cannot be used
        values.values().removeIf(v -> v.length != replicates || !java.util.Arrays.stream(v).allMatch(Double::isFinite));
        return new Replicates(replicates, SCHEME, values);
    }

    /** Indices of one resample: {@code n} draws from {@code 0..n-1}, the same for every run. */
    static int[] draws(String split, int stage, int n, int b) {
        long seed = 0x5EEDB007L;
        for (char c : (split + "|" + stage + "|" + n).toCharArray()) {
            seed = seed * 1_000_003L + c;
        }
        SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (b + 1)));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = rng.nextInt(n);
        }
        return out;
    }

    private static List<ProbeResult> resample(List<ProbeResult> rs, int[] idx) {
        List<ProbeResult> out = new ArrayList<>(idx.length);
        for (int i : idx) {
            out.add(rs.get(i));
        }
        return out;
    }

    /** Numeric leaves of {@code node} by JSON pointer. */
    static void flatten(JsonNode node, String at, Map<String, Double> out) {
        if (node.isNumber()) {
            out.put(at, node.asDouble());
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(e.getValue(), at + "/" + e.getKey().replace("~", "~0")
                    .replace("/", "~1"), out));
        }
    }

    /** Six significant digits: the file stays small and no interval needs more. */
    private static double round(double x) {
        if (x == 0 || !Double.isFinite(x)) {
            return x;
        }
        return new java.math.BigDecimal(x).round(new java.math.MathContext(6)).doubleValue();
    }
}
