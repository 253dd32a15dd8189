package org.cklbench.datasets.world;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.eval.Probe;
import org.cklbench.core.eval.ProbeEvaluator;
import org.cklbench.io.AtomicFiles;
import org.cklbench.io.FileLocks;
import org.cklbench.io.JsonLines;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaConfig;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.progress.Progress;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.core.train.Pretraining;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The tiny base model of a world: a Llama with the world's tokenizer, trained from scratch (every
 * weight) on snapshot 0, so that it knows the invariant facts — and the time-variant ones as they were
 * then. Saved as a Hugging Face folder under {@code <world>/base} and reused.
 */
public final class WorldBase {
    /** Size and schedule of the base; part of the cache key. */
    public record Recipe(int hidden, int intermediate, int layers, int heads, int kvHeads, int epochs, int batch,
                         double lr, long seed) {
        /** The smoke preset's base: seconds of pretraining, for tests and CI; it needs to know little. */
        public static Recipe smoke() {
            return new Recipe(32, 96, 2, 4, 2, 30, 16, 5e-3, 7);
        }

        /**
         * 20 epochs of 51 steps on the profiles (WorldDocuments.pretrainTexts): the base answers 0.999 of
         * snapshot 0's facts in the template, 0.846 in the paraphrase it never read, 0.280 of single-paraphrase
         * facts in the template (pretraining.json). Pretrained on every paraphrase as a text of its own (70
         * steps an epoch) it answers 0.978 / 0.775 / 0.378, and LAMA-ckl Finetune learns 0.12 from it against
         * 0.235 from this one (seed 1, lr 3e-3).
         */
        public static Recipe quick() {
            return new Recipe(128, 512, 4, 4, 2, 20, 64, 3e-3, 7);
        }

        /** The recipe and the arithmetic it is computed with: a base made under another pin is never reused. */
        String id() {
            int threads = org.cklbench.io.ArithmeticPin.PRETRAIN_THREADS;
            // the id names the thread count only when it is not 1, so a base pretrained on 1 thread keeps its id
            return "base-h" + hidden + "-l" + layers + "-" + org.cklbench.io.Hashing.sha256(toString()
                    + " arithmetic v" + org.cklbench.io.ArithmeticPin.VERSION
                    + (threads == 1 ? "" : " threads " + threads)).substring(0, 8);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private WorldBase() {
    }

    /** The base model folder; trained (minutes) when absent. */
    public static Path ensure(Path worldDir, Recipe recipe, Progress progress) throws IOException {
        removeStaleTemps(worldDir);
        Path dir = worldDir.resolve(recipe.id());
        if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
            return dir;
        }
        // concurrent sweep tasks sharing CKL_HOME: one pretrains, the others wait for it
        try (FileLocks.Held lock = FileLocks.acquire(worldDir.resolve(recipe.id() + ".lock"), progress::note)) {
            if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
                return dir;
            }
            Path tmp = org.cklbench.io.TempPaths.directory(worldDir, "." + recipe.id() + ".");
            for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
                Files.copy(worldDir.resolve("tokenizer").resolve(f), tmp.resolve(f));
            }
            List<String> texts = WorldFiles.readPretrainTexts(worldDir);
            ObjectNode meta = org.cklbench.engine.djl.PyTorchEngine.withThreads(org.cklbench.io.ArithmeticPin.PRETRAIN_THREADS,
                    () -> pretrain(tmp, recipe, texts, progress));
            // what to compare across machines: the pinned arithmetic gives these bytes everywhere
            meta.put("model_safetensors_sha256", org.cklbench.io.Hashing.sha256(tmp.resolve("model.safetensors")));
            AtomicFiles.writeString(tmp.resolve("pretraining.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        }
        return dir;
    }

    /**
     * Removes the {@code .<id>.<random>} folders that a pretraining stopped part-way (Ctrl-C, a killed sweep task)
     * left behind. Each is written only under its recipe's lock ({@code <id>.lock}), so a folder whose lock is
     * free belongs to no live process; one whose lock is held is being written now and is left alone.
     */
    static void removeStaleTemps(Path worldDir) throws IOException {
        if (!Files.isDirectory(worldDir)) {
            return;
        }
        List<Path> temps;
        try (var list = Files.list(worldDir)) {
            temps = list.filter(p -> STALE_TEMP.matcher(p.getFileName().toString()).matches()
                    && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
        for (Path t : temps) {
            java.util.regex.Matcher m = STALE_TEMP.matcher(t.getFileName().toString());
            m.matches();
            var lock = FileLocks.tryAcquire(worldDir.resolve(m.group(1) + ".lock"));
            if (lock.isPresent()) {
                try (FileLocks.Held held = lock.get()) {
                    org.cklbench.io.Folders.deleteTree(t);
                }
            }
        }
    }

    private static final java.util.regex.Pattern STALE_TEMP = java.util.regex.Pattern.compile("\\.(base-[^.]+)\\.[0-9a-z]+");

    /** Trains the base into {@code tmp} on the threads in force; what pretraining.json records of it. */
    private static ObjectNode pretrain(Path tmp, Recipe recipe, List<String> texts, Progress progress) throws IOException {
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        double loss;
        double seconds;
        ObjectNode accuracy;
        try (TextTokenizer tok = TextTokenizer.load(tmp)) {
            int vocab = tokenizerSize(tmp);
            LlamaConfig config = LlamaConfig.create(vocab, recipe.hidden(), recipe.intermediate(), recipe.layers(),
                    recipe.heads(), recipe.kvHeads(), false, 512);
            try (LlamaModel model = HfModels.init(config, recipe.seed(), Device.cpu(), DataType.FLOAT32)) {
                loss = Pretraining.run(model, tok, texts, recipe.epochs(), recipe.batch(), recipe.lr(), recipe.seed(),
                        progress);
                HfModels.save(model, tmp);
                seconds = (System.nanoTime() - t0) / 1e9;
                accuracy = snapshotZeroAccuracy(model, tok, tmp.resolveSibling(WorldFiles.PRETRAIN_PROBES));
            }
        }
        ObjectNode meta = JSON.createObjectNode();
        meta.put("recipe", recipe.toString());
        meta.put("pretraining_texts", texts.size());
        meta.put("final_epoch_loss", loss);
        meta.put("seconds", seconds);
        meta.put("cpu_seconds", (processCpuNanos() - cpu0) / 1e9);
        meta.put("threads", org.cklbench.io.ArithmeticPin.PRETRAIN_THREADS);
        meta.set("snapshot_0_accuracy", accuracy);
        meta.put("arithmetic", org.cklbench.engine.djl.PyTorchEngine.arithmetic());
        return meta;
    }

    /** CPU time of this process, all threads (native ones included), or 0 where the JVM cannot say. */
    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? Math.max(0, sun.getProcessCpuTime()) : 0;
    }

    /**
     * The base's accuracy on snapshot 0's facts by form: in the template it was pretrained on, in the one
     * paraphrase of each fact it never saw, and in the template for facts it saw in one paraphrase only
     * (whether knowledge transfers between forms, which learning from paraphrased evidence needs).
     */
    static ObjectNode snapshotZeroAccuracy(LlamaModel model, TextTokenizer tok, Path probeFile) throws IOException {
        Map<String, List<Probe>> byForm = new java.util.TreeMap<>();
        JsonLines.forEach(probeFile, l -> byForm.computeIfAbsent(l.text("form"), k -> new ArrayList<>())
                .add(new Probe(l.text("uuid"), l.text("sentence"), l.text("object"))));
        ObjectNode out = JSON.createObjectNode();
        ProbeEvaluator eval = new ProbeEvaluator(model, tok, 64);
        for (Map.Entry<String, List<Probe>> e : byForm.entrySet()) {
            out.put(e.getKey(), ProbeEvaluator.meanAccuracy(eval.evaluate(e.getValue(), ForwardHooks.NONE, n -> { })));
        }
        ObjectNode counts = out.putObject("probes");
        byForm.forEach((form, probes) -> counts.put(form, probes.size()));
        return out;
    }

    static int tokenizerSize(Path dir) throws IOException {
        return JSON.readTree(dir.resolve("tokenizer.json").toFile()).path("model").path("vocab").size();
    }

    /** Accuracy of {@code model} on snapshot {@code k}'s facts (invariant or variant), descriptive form. */
    public static double accuracy(Path modelDir, World world, int k, boolean invariant) throws IOException {
        List<Probe> probes = new ArrayList<>();
        for (Map.Entry<World.Slot, String> f : world.snapshot(k).entrySet()) {
            if (WorldRelation.byCode(f.getKey().relation()).invariant() == invariant) {
                probes.add(new Probe(WorldFiles.uuid(f.getKey(), f.getValue()), WorldText.fact(f.getKey(), f.getValue()),
                        f.getValue()));
            }
        }
        try (LlamaModel m = HfModels.load(modelDir, Device.cpu(), DataType.FLOAT32);
             TextTokenizer tok = TextTokenizer.load(modelDir)) {
            return ProbeEvaluator.meanAccuracy(new ProbeEvaluator(m, tok, 64).evaluate(probes, ForwardHooks.NONE, n -> { }));
        }
    }
}
