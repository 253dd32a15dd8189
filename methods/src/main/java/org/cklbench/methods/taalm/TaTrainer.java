package org.cklbench.methods.taalm;

import org.cklbench.core.benchmark.MetaExample;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.Folders;
import org.cklbench.core.eval.Probe;
import org.cklbench.core.eval.ProbeEvaluator;
import org.cklbench.io.AtomicFiles;
import org.cklbench.io.JsonLines;
import org.cklbench.engine.safetensors.SafetensorsFile;
import org.cklbench.engine.safetensors.SafetensorsWriter;
import org.cklbench.engine.djl.Scopes;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.lora.LoraConfig;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.engine.optim.AdamW;
import org.cklbench.progress.Progress;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.core.train.CheckpointStore;
import org.cklbench.core.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Meta-training of a Train-Attention model: for each example, θ starts from the learner's
 * initial adapter, takes optional graph-free dummy steps and one differentiated step on the document
 * with φ's token weights; φ moves along the averaged meta-gradient of the task losses of a batch
 * (outer AdamW). Validation on held-out examples (task loss after the inner update) every
 * {@code validateEvery} steps keeps the best φ; a checkpoint after every step makes it resumable.
 *
 * <p>Output folder: {@code best/} (the best φ, loadable with {@link TrainAttentionModel#load}),
 * {@code metrics.jsonl} (one line per validation), {@code checkpoint/} (the latest state).
 */
public final class TaTrainer {

    /**
     * Hyperparameters (the reference: AdamW inner and outer at 2e-4, batch 16, 30 epochs, schematic tasks).
     *
     * @param clipNorm    the largest global norm of the averaged meta-gradient before the outer step; 0: none
     *                    (the reference never clips)
     * @param headInit    how φ's head starts
     * @param thetaStart  a PEFT adapter folder θ starts from (the reference's trained adapter), or null: a fresh LoRA
     * @param phiStart    a PEFT adapter folder φ's LoRA starts from, or null: a fresh LoRA
     */
    public record Settings(int epochs, int batchSize, double outerLr, MetaGradient.Settings inner, int loraR,
                           double loraAlpha, int maxTokens, int validateEvery, double validationShare, long seed,
                           double clipNorm, TrainAttentionModel.HeadInit headInit, Path thetaStart, Path phiStart) {
        /** The suite's defaults for what the reference does otherwise: clip at 1.0, head N(0, 0.001), fresh LoRAs. */
        public Settings(int epochs, int batchSize, double outerLr, MetaGradient.Settings inner, int loraR,
                        double loraAlpha, int maxTokens, int validateEvery, double validationShare, long seed) {
            this(epochs, batchSize, outerLr, inner, loraR, loraAlpha, maxTokens, validateEvery, validationShare, seed,
                    1.0, TrainAttentionModel.HeadInit.NORMAL, null, null);
        }

        public Settings {
            check(Double.isFinite(clipNorm) && clipNorm >= 0, "clip norm", clipNorm, "0 (none) or a finite number above 0");
            java.util.Objects.requireNonNull(headInit, "headInit");
            check(epochs >= 1, "epochs", epochs, "1 or more");
            check(batchSize >= 1, "batch size", batchSize, "1 or more");
            check(Double.isFinite(outerLr) && outerLr > 0, "outer learning rate", outerLr, "a finite number above 0");
            check(Double.isFinite(inner.lr()) && inner.lr() > 0, "inner learning rate", inner.lr(), "a finite number above 0");
            check(inner.dummySteps() >= 0, "dummy steps", inner.dummySteps(), "0 or more");
            check(loraR >= 1, "LoRA rank", loraR, "1 or more");
            check(Double.isFinite(loraAlpha) && loraAlpha > 0, "LoRA alpha", loraAlpha, "a finite number above 0");
            check(maxTokens >= 2, "max tokens", maxTokens, "2 or more");
            check(validateEvery >= 1, "validate every", validateEvery, "1 or more");
            check(validationShare >= 0 && validationShare < 1, "validation share", validationShare, "in [0, 1)");
        }

        private static void check(boolean ok, String what, Object value, String takes) {
            if (!ok) {
                throw new IllegalArgumentException("Train-Attention " + what + " " + value + ": must be " + takes);
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private TaTrainer() {
    }

    /** Trains into {@code out}, resuming from {@code out/checkpoint} when present; returns {@code out/best}. */
    public static Path train(LlamaModel base, TextTokenizer tok, List<MetaExample> examples, Settings s, Path out,
                             Progress progress) throws IOException {
        return train(base, null, base, tok, examples, s, out, progress);
    }

    /**
     * As {@link #train(LlamaModel, TextTokenizer, List, Settings, Path, Progress)} with φ on its own base
     * ({@code phiBase}, found again at {@code phiBasePath}, recorded in the result's adapter_config.json)
     * and the inner learner θ on {@code thetaBase} (the CKL model; the tokenizer is both's).
     */
    public static Path train(LlamaModel phiBase, Path phiBasePath, LlamaModel thetaBase, TextTokenizer tok,
                             List<MetaExample> examples, Settings s, Path out, Progress progress) throws IOException {
        LlamaModel base = phiBase;
        Files.createDirectories(out);
        recoverBest(out.resolve("best"));
        int[] perm = Trainer.order(examples.size(), s.seed(), 0);
        int nVal = Math.max(1, (int) Math.round(examples.size() * s.validationShare()));
        List<MetaExample> val = new ArrayList<>();
        List<MetaExample> train = new ArrayList<>();
        for (int i = 0; i < perm.length; i++) {
            (i < nVal ? val : train).add(examples.get(perm[i]));
        }
        LoraConfig lora = LoraConfig.of(s.loraR(), s.loraAlpha(), 0.0, LoraConfig.PROJECTIONS);
        Path ckpt = out.resolve("checkpoint");
        long stepsPerEpoch = (train.size() + s.batchSize() - 1) / s.batchSize();
        String basePath = phiBasePath == null ? null : phiBasePath.toAbsolutePath().toString();
        try (TrainAttentionModel ta = s.phiStart() == null ? TrainAttentionModel.init(base, lora, s.seed(), s.headInit())
                : TrainAttentionModel.init(base, LoraAdapter.load(s.phiStart(), base), s.seed(), s.headInit());
             LoraAdapter theta0 = s.thetaStart() == null ? LoraAdapter.init(lora, thetaBase, s.seed() + 1)
                     : LoraAdapter.load(s.thetaStart(), thetaBase);
             AdamW opt = AdamW.torchDefaults(base.manager())) {
            Map<String, NDArray> phi = ta.parameters();
            long step = 0;
            double best = Double.POSITIVE_INFINITY;
            List<JsonNode> metrics = new ArrayList<>();
            java.util.Optional<Path> saved = new CheckpointStore(ckpt).latest();
            if (saved.isPresent()) {
                JsonNode st = JSON.readTree(saved.get().resolve("state.json").toFile());
                restore(saved.get(), phi, opt, st.get("optimizer_step").asLong(), base.manager());
                step = st.get("step").asLong();
                best = st.get("best").asDouble();
                long at = step;
                if (Files.isRegularFile(out.resolve("metrics.jsonl"))) {
                    // lines written after the checkpoint are made again
                    JsonLines.forEach(out.resolve("metrics.jsonl"), l -> {
                        if (l.node().path("step").asLong() <= at) {
                            metrics.add(l.node());
                        }
                    });
                }
            }
            if (step == 0 && metrics.isEmpty()) {
                // the initial φ: what meta-training has to improve on
                double[] v = validate(ta, thetaBase, theta0, val, tok, s);
                ObjectNode m = JSON.createObjectNode();
                m.put("step", 0);
                m.put("epoch", 0);
                m.put("val_task_loss_before", v[0]);
                m.put("val_task_loss_after", v[1]);
                metrics.add(m);
                JsonLines.write(out.resolve("metrics.jsonl"), metrics);
                best = v[1];
                save(ta, out.resolve("best"), basePath);
            }
            phi.values().forEach(p -> p.setRequiresGradient(true));
            long total = s.epochs() * stepsPerEpoch;
            try (Progress.Task bar = progress.start("meta-train", total, "step")) {
                bar.step(step);
                while (step < total) {
                    int epoch = (int) (step / stepsPerEpoch) + 1;
                    int[] order = Trainer.order(train.size(), s.seed(), epoch);
                    int from = (int) ((step % stepsPerEpoch) * s.batchSize());
                    int to = Math.min(train.size(), from + s.batchSize());
                    double after = 0;
                    List<MetaExample> batch = new ArrayList<>();
                    for (int i = from; i < to; i++) {
                        batch.add(train.get(order[i]));
                    }
                    try (NDManager scope = base.manager().newSubManager()) {
                        MetaGradient.Example ex = encode(batch, tok, s.maxTokens(), scope);
                        for (MetaGradient.Result r : MetaGradient.accumulate(ta, thetaBase, theta0, ex, s.inner(),
                                1.0 / (to - from), false)) {
                            after += r.taskLossAfter();
                        }
                    }
                    try (NDManager scope = base.manager().newSubManager()) {
                        opt.step(phi, s.outerLr(), s.clipNorm(), scope);
                    }
                    step++;
                    bar.step(1);
                    bar.message(String.format("task loss after update %.3f", after / (to - from)));
                    if (step % s.validateEvery() == 0 || step == total) {
                        double[] v = validate(ta, thetaBase, theta0, val, tok, s);
                        ObjectNode m = JSON.createObjectNode();
                        m.put("step", step);
                        m.put("epoch", epoch);
                        m.put("train_task_loss_after", after / (to - from));
                        m.put("val_task_loss_before", v[0]);
                        m.put("val_task_loss_after", v[1]);
                        metrics.add(m);
                        JsonLines.write(out.resolve("metrics.jsonl"), metrics);
                        if (v[1] < best) {
                            best = v[1];
                            save(ta, out.resolve("best"), basePath);
                        }
                    }
                    checkpoint(ckpt, phi, opt, step, best);
                }
            }
            phi.values().forEach(p -> p.setRequiresGradient(false));
        }
        return out.resolve("best");
    }

    /** One line on what meta-training achieved: validation task loss with the initial φ and with the best one. */
    public static String summary(Path out) throws IOException {
        List<JsonNode> m = new ArrayList<>();
        JsonLines.forEach(out.resolve("metrics.jsonl"), l -> m.add(l.node()));
        JsonNode best = m.stream().min(java.util.Comparator.comparingDouble(x -> x.get("val_task_loss_after").asDouble()))
                .orElseThrow();
        return String.format(java.util.Locale.ROOT, "Train-Attention meta-trained: validation task loss after the inner"
                + " update %.3f with the initial phi, %.3f with the best (step %d of %d)",
                m.get(0).get("val_task_loss_after").asDouble(), best.get("val_task_loss_after").asDouble(),
                best.get("step").asLong(), m.get(m.size() - 1).get("step").asLong());
    }

    /**
     * Mean task loss before and after the inner update over the validation examples, batched {@code
     * s.batchSize()} at a time (every example keeps its own θ, so the batch size changes no value beyond
     * float rounding).
     */
    static double[] validate(TrainAttentionModel ta, LlamaModel thetaBase, LoraAdapter theta0, List<MetaExample> val,
                             TextTokenizer tok, Settings s) {
        double before = 0;
        double after = 0;
        for (int from = 0; from < val.size(); from += s.batchSize()) {
            List<MetaExample> chunk = val.subList(from, Math.min(val.size(), from + s.batchSize()));
            try (NDManager scope = ta.base().manager().newSubManager()) {
                for (MetaGradient.Result r : MetaGradient.evaluate(ta, thetaBase, theta0,
                        encode(chunk, tok, s.maxTokens(), scope), s.inner())) {
                    before += r.taskLossBefore();
                    after += r.taskLossAfter();
                }
            }
        }
        return new double[] {before / val.size(), after / val.size()};
    }

    /**
     * Token ids of documents and tasks, one row per example, right-padded with id 0 under mask 0, and
     * the object-token targets of each task (its last occurrence of the object).
     */
    public static MetaGradient.Example encode(List<MetaExample> examples, TextTokenizer tok, int maxTokens, NDManager scope) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no examples to encode");
        }
        int n = examples.size();
        long[][] docs = new long[n][];
        long[][] tasks = new long[n][];
        float[][] objects = new float[n][];
        for (int b = 0; b < n; b++) {
            MetaExample e = examples.get(b);
            docs[b] = tok.encode(e.document(), maxTokens);
            tasks[b] = tok.encode(e.task());
            ProbeEvaluator.Located l = ProbeEvaluator.locate(new Probe(e.id(), e.task(), e.object()), tok);
            objects[b] = new float[tasks[b].length - 1];
            for (int j = 0; j < l.objectLength(); j++) {
                objects[b][l.objectStart() + j - 1] = 1f;
            }
        }
        NDArray[] doc = padded(docs, scope);
        NDArray[] task = padded(tasks, scope);
        int targets = (int) task[0].getShape().get(1) - 1;
        float[] obj = new float[n * targets];
        for (int b = 0; b < n; b++) {
            System.arraycopy(objects[b], 0, obj, b * targets, objects[b].length);
        }
        return new MetaGradient.Example(doc[0], doc[1], task[0], task[1], scope.create(obj, new Shape(n, targets)));
    }

    /** Ids [B, L] right-padded with 0 to the longest row, and their mask (1 on tokens). */
    private static NDArray[] padded(long[][] rows, NDManager scope) {
        int len = 0;
        for (long[] r : rows) {
            len = Math.max(len, r.length);
        }
        long[] ids = new long[rows.length * len];
        long[] mask = new long[rows.length * len];
        for (int b = 0; b < rows.length; b++) {
            System.arraycopy(rows[b], 0, ids, b * len, rows[b].length);
            java.util.Arrays.fill(mask, b * len, b * len + rows[b].length, 1L);
        }
        Shape shape = new Shape(rows.length, len);
        return new NDArray[] {scope.create(ids, shape), scope.create(mask, shape)};
    }

    /** Replaces {@code dir} with φ: the previous one is set aside until the new one is in place. */
    private static void save(TrainAttentionModel ta, Path dir, String basePath) throws IOException {
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
        Path aside = dir.resolveSibling(dir.getFileName() + ".old");
        Folders.deleteTree(tmp);
        ta.save(tmp, basePath);
        Folders.deleteTree(aside);
        if (Files.exists(dir)) {
            Files.move(dir, aside, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Folders.deleteTree(aside);
    }

    /** After a kill between setting the old φ aside and putting the new one in place, the old one comes back. */
    private static void recoverBest(Path dir) throws IOException {
        Path aside = dir.resolveSibling(dir.getFileName() + ".old");
        if (!Files.exists(dir) && Files.exists(aside)) {
            Files.move(aside, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static void checkpoint(Path dir, Map<String, NDArray> phi, AdamW opt, long step, double best) throws IOException {
        new CheckpointStore(dir).save((tmp, faults) -> {
            SafetensorsWriter.write(tmp.resolve("phi.safetensors"), phi, null);
            SafetensorsWriter.write(tmp.resolve("optimizer.safetensors"), opt.state(), null);
            ObjectNode st = JSON.createObjectNode();
            st.put("step", step);
            st.put("optimizer_step", opt.stepCount());
            st.put("best", best);
            AtomicFiles.writeString(tmp.resolve("state.json"), JSON.writeValueAsString(st));
        });
    }

    private static void restore(Path dir, Map<String, NDArray> phi, AdamW opt, long optStep, NDManager parent)
            throws IOException {
        SafetensorsFile p = SafetensorsFile.open(dir.resolve("phi.safetensors"));
        SafetensorsFile o = SafetensorsFile.open(dir.resolve("optimizer.safetensors"));
        try (NDManager tmp = parent.newSubManager()) {
            for (Map.Entry<String, NDArray> e : phi.entrySet()) {
                e.getValue().set(new ai.djl.ndarray.index.NDIndex("..."),
                        Scopes.copy(p.read(e.getKey(), tmp), DataType.FLOAT32, tmp));
            }
            Map<String, NDArray> moments = new java.util.LinkedHashMap<>();
            for (String n : o.entries().keySet()) {
                moments.put(n, Scopes.copy(o.read(n, tmp), DataType.FLOAT32, tmp));
            }
            opt.restore(moments, optStep);
        }
    }
}
