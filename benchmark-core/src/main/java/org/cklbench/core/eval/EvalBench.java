package org.cklbench.core.eval;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.engine.bench.TrainStepBench;
import org.cklbench.engine.djl.PyTorchEngine;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaConfig;
import org.cklbench.engine.model.LlamaModel;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Probe evaluation throughput: a randomly initialised model of the given shape scores synthetic
 * probes shaped like LAMA's (sentences of 8–24 tokens, objects of 1–3 tokens at the end) through
 * {@link ProbeEvaluator}, the path every stage's evaluation takes. Accuracy is meaningless here;
 * probes per second is the figure.
 */
public final class EvalBench {

    public record Options(int hidden, int layers, int heads, int kvHeads, int inter, int vocab, int probes, int batch,
                          int repeats, int threads) {
    }

    private EvalBench() {
    }

    public static ObjectNode run(Options o) {
        PyTorchEngine.init(o.threads());
        LlamaConfig config = LlamaConfig.create(o.vocab(), o.hidden(), o.inter(), o.layers(), o.heads(), o.kvHeads(),
                false, 64);
        List<ProbeEvaluator.Located> probes = probes(o.probes(), o.vocab());
        long tokens = probes.stream().mapToLong(p -> p.ids().length).sum();
        try (LlamaModel model = HfModels.init(config, 0, Device.cpu(), DataType.FLOAT32)) {
            ProbeEvaluator evaluator = new ProbeEvaluator(model, null, o.batch());
            evaluator.evaluateLocated(probes.subList(0, Math.min(probes.size(), o.batch())), ForwardHooks.NONE, n -> {
            });
            List<Double> seconds = new ArrayList<>();
            for (int r = 0; r < o.repeats(); r++) {
                long t0 = System.nanoTime();
                evaluator.evaluateLocated(probes, ForwardHooks.NONE, n -> {
                });
                seconds.add((System.nanoTime() - t0) / 1e9);
            }
            double med = TrainStepBench.median(seconds);
            ObjectNode out = new ObjectMapper().createObjectNode();
            out.put("impl", "ckl-bench " + PyTorchEngine.describe());
            out.put("probes_per_s", Math.round(o.probes() / med * 10) / 10.0);
            out.put("tokens_per_s", Math.round(tokens / med * 10) / 10.0);
            out.put("median_s", Math.round(med * 1e4) / 1e4);
            out.put("peak_rss_mb", TrainStepBench.statusMb("VmHWM:"));
            out.put("parameters", config.weightShapes().values().stream()
                    .mapToLong(s -> java.util.Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum());
            out.put("hidden", o.hidden()).put("layers", o.layers()).put("heads", o.heads()).put("kv_heads", o.kvHeads())
                    .put("inter", o.inter()).put("vocab", o.vocab()).put("probes", o.probes()).put("batch", o.batch())
                    .put("repeats", o.repeats()).put("threads", o.threads());
            return out;
        }
    }

    /** Seeded synthetic probes: BOS, 7–21 random tokens, a 1–3-token object, a full stop. */
    static List<ProbeEvaluator.Located> probes(int n, int vocab) {
        SplittableRandom rng = new SplittableRandom(0);
        List<ProbeEvaluator.Located> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int objectLength = 1 + rng.nextInt(3);
            int len = 1 + 7 + rng.nextInt(15) + objectLength + 1;
            long[] ids = new long[len];
            ids[0] = 1;
            for (int j = 1; j < len; j++) {
                ids[j] = 3 + rng.nextInt(vocab - 3);
            }
            out.add(new ProbeEvaluator.Located(new Probe("bench-" + i, "", ""), ids, len - 1 - objectLength,
                    objectLength));
        }
        return out;
    }
}
