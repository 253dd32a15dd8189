package org.cklbench.lamackl;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import org.cklbench.io.FileLocks;
import org.cklbench.io.Hashing;
import org.cklbench.engine.model.HfModels;
import org.cklbench.engine.model.LlamaModel;
import org.cklbench.progress.Progress;
import org.cklbench.methods.taalm.TaTrainer;
import org.cklbench.engine.tokenizer.TextTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Meta-training a Train-Attention model on a LAMA-ckl {@code train_attention.jsonl} (cached by its inputs). */
public final class TrainAttentionSet {
    private TrainAttentionSet() {
    }

    public static List<TaTrainer.Example> examples(Path trainAttentionJsonl, String form) throws IOException {
        return LamaCklRow.read(trainAttentionJsonl).stream()
                .map(r -> new TaTrainer.Example(r.uuid(), r.evidence(), r.task(form), r.object())).toList();
    }

    /**
     * The Train-Attention model for {@code base} trained on {@code data}'s train_attention.jsonl with the
     * preset's settings, under {@code cacheRoot}; trained when absent (resuming a partial training).
     */
    public static Path ensure(Path cacheRoot, Path base, Path data, String preset, Progress progress) throws IOException {
        TaTrainer.Settings s = TaTrainer.Settings.preset(preset);
        Path file = data.resolve("train_attention.jsonl");
        String key = Hashing.sha256(s + "|" + Hashing.sha256(file) + "|" + Hashing.sha256(base.resolve("model.safetensors")))
                .substring(0, 12);
        Path out = cacheRoot.resolve("train-attention-" + preset + "-" + key);
        if (Files.isRegularFile(out.resolve("best").resolve("ta_head.safetensors"))
                && Files.isRegularFile(out.resolve("done"))) {
            return out.resolve("best");
        }
        List<TaTrainer.Example> examples = examples(file, "schematic");
        if (examples.size() < 2) {
            throw new IOException(file + " has " + examples.size() + " examples; Train-Attention meta-training needs more");
        }
        // concurrent runs sharing CKL_HOME: one meta-trains, the others wait, then reuse it
        try (FileLocks.Held lock = FileLocks.acquire(cacheRoot.resolve(out.getFileName() + ".lock"), progress::note)) {
            if (Files.isRegularFile(out.resolve("done"))) {
                return out.resolve("best");
            }
            try (LlamaModel model = HfModels.load(base, Device.cpu(), DataType.FLOAT32);
                 TextTokenizer tok = TextTokenizer.load(base)) {
                Path best = TaTrainer.train(model, tok, examples, s, out, progress);
                Files.writeString(out.resolve("done"), "trained\n");
                return best;
            }
        }
    }
}
