package org.cklbench.engine.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.engine.djl.PyTorchEngine;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.lora.LoraConfig;
import org.cklbench.engine.loss.HeadBackward;
import org.cklbench.engine.loss.Losses;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaConfig;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.optim.AdamW;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The training step of {@code shared/bench/torch_step.py} on this engine: same model shapes, LoRA
 * on all seven projections (scaling 2), AdamW on the adapters (or every weight with {@code full}),
 * the token-weighted loss; forward + backward + update timed per step after warm-up.
 */
public final class TrainStepBench {

    /** The flags of torch_step.py, with its defaults. */
    public record Options(int hidden, int layers, int heads, int kvHeads, int inter, int vocab, int batch, int seq,
                          int rank, int steps, int threads, int warmup, boolean full, int forwardSteps, Path profile) {
        public static Options defaults() {
            return new Options(256, 4, 8, 4, 688, 32000, 8, 128, 8, 20, 2, 3, false, 10, null);
        }
    }

    /** Steps run under the profiler, after the timed ones (the profiler slows what it watches). */
    static final int PROFILED_STEPS = 3;

    private TrainStepBench() {
    }

    public static ObjectNode run(Options o) {
        PyTorchEngine.init(o.threads());
        LlamaConfig config = LlamaConfig.create(o.vocab(), o.hidden(), o.inter(), o.layers(), o.heads(), o.kvHeads(),
                false, o.seq());
        SplittableRandom rng = new SplittableRandom(0);
        try (LlamaModel model = HfModels.init(config, 0, Device.cpu(), DataType.FLOAT32);
             LoraAdapter lora = LoraAdapter.init(LoraConfig.of(o.rank(), 2.0 * o.rank(), 0.0, LoraConfig.PROJECTIONS),
                     model, 0);
             AdamW opt = new AdamW(model.manager(), 0.9, 0.999, 1e-8, 0.01)) {
            Map<String, NDArray> params = o.full() ? model.weights() : lora.parameters();
            ForwardHooks hooks = o.full() ? ForwardHooks.NONE : lora;
            params.values().forEach(p -> p.setRequiresGradient(true));
            long[] ids = new long[o.batch() * o.seq()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = 3 + rng.nextInt(o.vocab() - 3);
            }
            float[] w = new float[o.batch() * (o.seq() - 1)];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) rng.nextDouble();
            }
            List<Double> times = new ArrayList<>();
            // CPU seconds of this thread: at one intra-op thread every operation runs on it, and on a
            // shared machine the CPU time moves far less with the load than the wall time does
            List<Double> cpuTimes = new ArrayList<>();
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            // RSS after warm-up and at each quarter of the timed steps: flat means no native leak.
            List<Long> rss = new ArrayList<>();
            Runnable trainStep = () -> {
                try (NDManager step = model.manager().newSubManager()) {
                    NDArray idArr = step.create(ids, new Shape(o.batch(), o.seq()));
                    NDArray mask = idArr.onesLike();
                    NDArray weights = step.create(w, new Shape(o.batch(), o.seq() - 1));
                    HeadBackward.backward(model, idArr, mask, hooks,
                            nll -> Losses.weightedLoss(nll, weights, Losses.targetMask(mask)));
                    opt.step(params, 1e-4, 0, step);
                }
            };
            for (int i = 0; i < o.warmup() + o.steps(); i++) {
                int timed = i - o.warmup();
                if (timed >= 0 && timed % Math.max(1, o.steps() / 4) == 0) {
                    rss.add(rssMb());
                }
                long t0 = System.nanoTime();
                long c0 = mx.getCurrentThreadCpuTime();
                trainStep.run();
                if (i >= o.warmup()) {
                    times.add((System.nanoTime() - t0) / 1e9);
                    cpuTimes.add((mx.getCurrentThreadCpuTime() - c0) / 1e9);
                }
            }
            ObjectNode profile = o.profile() == null ? null : OpProfile.profile(o.profile(), PROFILED_STEPS, trainStep,
                    new OpProfile.Shapes(o.hidden(), o.vocab(), o.rank(), o.seq()));
            rss.add(rssMb());
            String trained = fingerprint(params);
            params.values().forEach(p -> p.setRequiresGradient(false));
            List<Double> fwd = new ArrayList<>();
            List<Double> fwdCpu = new ArrayList<>();
            for (int i = 0; i < o.warmup() + o.forwardSteps(); i++) {
                long t0 = System.nanoTime();
                long c0 = mx.getCurrentThreadCpuTime();
                try (NDManager step = model.manager().newSubManager()) {
                    NDArray idArr = step.create(ids, new Shape(o.batch(), o.seq()));
                    model.logits(idArr, idArr.onesLike(), hooks).sum().getFloat();
                }
                if (i >= o.warmup()) {
                    fwd.add((System.nanoTime() - t0) / 1e9);
                    fwdCpu.add((mx.getCurrentThreadCpuTime() - c0) / 1e9);
                }
            }
            double med = median(times);
            ObjectNode out = new ObjectMapper().createObjectNode();
            out.put("impl", "ckl-bench " + PyTorchEngine.describe());
            out.put("mode", o.full() ? "full" : "lora");
            out.put("median_step_s", Math.round(med * 1e5) / 1e5);
            out.put("tokens_per_s", Math.round(o.batch() * o.seq() / med * 10) / 10.0);
            out.put("forward_tokens_per_s", Math.round(o.batch() * o.seq() / median(fwd) * 10) / 10.0);
            // this thread's CPU seconds: the whole work at --threads 1, only the calling thread's share above
            out.put("median_step_cpu_s", Math.round(median(cpuTimes) * 1e5) / 1e5);
            out.put("median_forward_cpu_s", Math.round(median(fwdCpu) * 1e5) / 1e5);
            out.put("trainable_params", params.values().stream().mapToLong(NDArray::size).sum());
            // the trained values' bytes: equal across two invocations exactly when their arithmetic was
            out.put("trained_sha256", trained);
            out.put("peak_rss_mb", statusMb("VmHWM:"));
            out.set("rss_mb_by_quarter", new ObjectMapper().valueToTree(rss));
            out.put("hidden", o.hidden()).put("layers", o.layers()).put("heads", o.heads())
                    .put("kv_heads", o.kvHeads()).put("inter", o.inter()).put("vocab", o.vocab())
                    .put("batch", o.batch()).put("seq", o.seq()).put("rank", o.rank()).put("steps", o.steps())
                    .put("threads", o.threads()).put("warmup", o.warmup()).put("full", o.full());
            if (profile != null) {
                out.set("profile", profile);
            }
            return out;
        }
    }

    /** SHA-256 over the named tensors' bytes, in name order. */
    static String fingerprint(Map<String, NDArray> params) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            for (String name : new java.util.TreeSet<>(params.keySet())) {
                md.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update(params.get(name).toByteArray());
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static long rssMb() {
        return statusMb("VmRSS:");
    }

    /** A memory figure of /proc/self/status (VmHWM: peak RSS, VmRSS: current), in MiB; -1 without /proc. */
    public static long statusMb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
