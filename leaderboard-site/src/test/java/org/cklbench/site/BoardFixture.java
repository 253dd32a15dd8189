package org.cklbench.site;

import org.cklbench.runfolder.InputFiles;
import org.cklbench.runfolder.LeaderboardSpec;
import org.cklbench.runfolder.Prediction;
import org.cklbench.runfolder.Replicates;
import org.cklbench.runfolder.RunConfig;
import org.cklbench.runfolder.RunFolder;
import org.cklbench.runfolder.RunProvenance;
import org.cklbench.runfolder.RunRecord;
import org.cklbench.runfolder.Summary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.cklbench.site.RunFixture.JSON;

/**
 * Run folders of a LAMA-ckl-like benchmark "ckl": per-epoch To-Learn ("learn") and Not-To-Forget ("keep")
 * accuracy, a headline of both (so a trade-off chart), predictions per epoch carrying relations, reported rows.
 */
final class BoardFixture {
    static final LeaderboardSpec.Column LEARN = new LeaderboardSpec.Column("learn", "To-Learn", null, "/learn", 1, 3);
    static final LeaderboardSpec.Column KEEP = new LeaderboardSpec.Column("keep", "Not-To-Forget", null, "/keep", 1, 3);
    static final LeaderboardSpec.Column MEAN = new LeaderboardSpec.Column("mean_nll", "mean NLL", null, "/mean_nll", -1, 3);
    static final LeaderboardSpec SPEC = new LeaderboardSpec("ckl", "CKL", "hint", List.of(LEARN, KEEP),
            List.of(LEARN, KEEP, MEAN),
            new LeaderboardSpec.Curve("Accuracy per epoch", "epoch", "epoch", "accuracy", 0.0, 1.0,
                    List.of(new LeaderboardSpec.Series("learn", "To-Learn"), new LeaderboardSpec.Series("keep", "Not-To-Forget")),
                    List.of(new LeaderboardSpec.Series("epoch", "epoch"), new LeaderboardSpec.Series("learn", "To-Learn acc"),
                            new LeaderboardSpec.Series("learn_nll", "To-Learn NLL"),
                            new LeaderboardSpec.Series("train_loss", "train loss"))),
            new LeaderboardSpec.Reported("the paper", "Llama2-7B", List.of(
                    new LeaderboardSpec.ReportedRow("taalm", "TAALM (paper)", Map.of("learn", 0.99, "keep", 0.99), null))),
            null, null, "finetune", "none");
    /** Relations of the probes: the first two of each split are "capital", the rest "employer". */
    static final int PROBES = 5;

    private BoardFixture() {
    }

    /** A complete run: {@code learn[e]}, {@code keep[e]} at epoch e; the summary reports the last epoch. */
    static RunFolder run(Path runs, String name, String method, long seed, double[] learn, double[] keep) throws IOException {
        RunFolder f = new RunFolder(Files.createDirectories(runs.resolve(name)));
        RunConfig config = new RunConfig("ckl", "1", method, new TreeMap<>(), "p", JSON.createObjectNode().put("epochs", 3),
                seed, "/m", "/data/world", "cpu", "default", 0);
        Map<String, InputFiles> inputs = new TreeMap<>();
        inputs.put("model", new InputFiles("/m", new TreeMap<>(Map.of("model.safetensors", "aaaa"))));
        inputs.put("data", new InputFiles("/data/world", new TreeMap<>(Map.of("probes.jsonl", "w0rld"))));
        RunProvenance prov = new RunProvenance(Map.of("git_commit", "0123456789abcdef0123456789abcdef01234567"), null,
                null, null, inputs, "2026-01-01T00:00:00Z", null, "2026-01-0" + seed + "T01:00:00Z");
        f.writeRun(new RunRecord(name, config, prov, List.of(), new TreeMap<>(), null));
        f.writeBenchmarkSpec(SPEC);
        List<com.fasterxml.jackson.databind.node.ObjectNode> metrics = new ArrayList<>();
        for (int e = 0; e < learn.length; e++) {
            metrics.add(JSON.createObjectNode().put("epoch", e).put("learn", learn[e]).put("keep", keep[e])
                    .put("learn_nll", 3.0 - e).put("train_loss", 2.0 - 0.5 * e));
            List<Prediction> ps = new ArrayList<>();
            for (String split : List.of("to_learn", "not_to_forget")) {
                double acc = split.equals("to_learn") ? learn[e] : keep[e];
                for (int i = 0; i < PROBES; i++) {
                    // the "capital" probes score 1, the "employer" ones what is left of the split's mean
                    double a = i < 2 ? 1.0 : Math.max(0, (acc * PROBES - 2) / (PROBES - 2));
                    ps.add(new Prediction(split, split + i, "s" + i, i < 2 ? "capital" : "employer", "o", "p", a,
                            1.5, new long[] {1}, new long[] {2}));
                }
            }
            f.writePredictions(String.format("epoch-%03d", e), ps);
        }
        f.writeMetrics(metrics);
        int last = learn.length - 1;
        f.writeSummary(Summary.of("ckl", method, JSON.createObjectNode().put("learn", learn[last]).put("keep", keep[last])
                .put("epoch", last).put("mean_nll", 3.0 - last)));
        Map<String, double[]> reps = new TreeMap<>();
        for (String k : List.of("/learn", "/keep", "/mean_nll")) {
            double v = k.equals("/learn") ? learn[last] : k.equals("/keep") ? keep[last] : 3.0 - last;
            double[] r = new double[20];
            for (int b = 0; b < r.length; b++) {
                r[b] = v + 0.002 * (b - 10);
            }
            reps.put(k, r);
        }
        f.writeReplicates(new Replicates(20, "test-scheme", reps));
        return f;
    }
}
