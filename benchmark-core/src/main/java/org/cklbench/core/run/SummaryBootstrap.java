package org.cklbench.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.benchmark.Protocol;
import org.cklbench.core.eval.ProbeResult;
import org.cklbench.io.Hashing;
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
 * Bootstrap replicates of a run's summary: the probe sets resampled with replacement, the benchmark's
 * own metrics and summary recomputed on each resample. Replicate {@code b} draws ONE resample of each
 * probe set and uses it at every evaluation of the run: the draws depend only on the probe set (its
 * split and the hash of its sorted uuids, the same in every run of a board) and on {@code b}, never on
 * the evaluation or the run. So a summary taken across evaluations (the best over epochs, say) is
 * bootstrapped as one statistic of one resample: drawing afresh at each evaluation, as the first scheme
 * did, let a maximum pick the luckiest of independent noisy draws and leaned the replicates upward.
 * Replicate {@code b} of two runs of a board scored the same resampled probes, so their difference is a
 * paired one. The site combines these probe replicates with the spread between seeds (see its Intervals).
 */
public final class SummaryBootstrap {
    /** Enough for stable 2.5% and 97.5% percentiles. */
    public static final int REPLICATES = 1000;
    /** Changing how draws are made changes this name, so old and new replicates are never paired. */
    public static final String SCHEME = "probe-set-once-per-replicate-v2";

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
            // in uuid order, so index i is the same probe at every evaluation and in every run
            bySplit.values().forEach(rs -> rs.sort(BY_UUID));
            evals.add(bySplit);
        }
        // each probe set's key, which names its draws at every evaluation
        List<Map<String, String>> keyOf = new ArrayList<>();
        for (Map<String, List<ProbeResult>> bySplit : evals) {
            Map<String, String> k = new LinkedHashMap<>();
            bySplit.forEach((split, rs) -> k.put(split, setKey(split, rs.stream().map(ProbeResult::uuid).toList())));
            keyOf.add(k);
        }
        Map<String, double[]> values = new LinkedHashMap<>();
        for (int rep = 0; rep < replicates; rep++) {
            int b = rep;
            Map<String, int[]> drawn = new java.util.HashMap<>();
            List<JsonNode> lines = new ArrayList<>();
            for (int i = 0; i < evals.size(); i++) {
                int stage = firstStage + i;
                Map<String, String> k = keyOf.get(i);
                Map<String, List<ProbeResult>> resampled = new LinkedHashMap<>();
                evals.get(i).forEach((split, rs) -> resampled.put(split, resample(rs,
                        drawn.computeIfAbsent(k.get(split), key -> draws(key, rs.size(), b)))));
                ObjectNode line = protocol.metrics(stage, resampled);
                if (i < metrics.size() && metrics.get(i).has("train_loss")) {
                    line.set("train_loss", metrics.get(i).get("train_loss"));
                }
                lines.add(line);
            }
            Map<String, Double> flat = new LinkedHashMap<>();
            flatten(protocol.summarize(lines), "", flat);
            for (Map.Entry<String, Double> e : flat.entrySet()) {
                values.computeIfAbsent(e.getKey(), x -> new double[replicates])[b] = round(e.getValue());
            }
        }
        // a field some replicate lacked, or left non-finite (an empty resample, say), cannot be used
        values.values().removeIf(v -> v.length != replicates || !java.util.Arrays.stream(v).allMatch(Double::isFinite));
        return new Replicates(replicates, SCHEME, values);
    }

    private static final java.util.Comparator<ProbeResult> BY_UUID =
            java.util.Comparator.comparing(r -> r.uuid() == null ? "" : r.uuid());

    /**
     * The key of a probe set: its split, its size and the SHA-256 of its uuids in order. Runs of one
     * board score the same probes, so they get the same key and the same draws; a set that differs in any
     * probe is another sample and is drawn independently.
     */
    static String setKey(String split, List<String> sortedUuids) {
        StringBuilder sb = new StringBuilder();
        sortedUuids.forEach(u -> sb.append(u).append('\n'));
        return split + "|" + sortedUuids.size() + "|" + Hashing.sha256(sb.toString());
    }

    /** Indices of one resample: {@code n} draws from {@code 0..n-1}, a function of the set's key and {@code b} alone. */
    static int[] draws(String setKey, int n, int b) {
        long seed = 0x5EEDB007L;
        for (char c : setKey.toCharArray()) {
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
