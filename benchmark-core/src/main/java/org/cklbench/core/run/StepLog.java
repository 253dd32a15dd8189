package org.cklbench.core.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.train.Trainer;
import org.cklbench.io.AtomicFiles;
import org.cklbench.runfolder.RunFolder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * {@code steps.jsonl}: a line per optimiser step ({@code stage}, {@code step} in the stage, {@code loss},
 * {@code lr}, {@code grad_norm} before clipping; null where not finite), so that a diverging run shows before
 * its next evaluation. Appended each step; a resumed run first keeps only the lines up to its
 * checkpoint, so it ends with the lines of an uninterrupted run (under the pinned arithmetic, byte-equal).
 */
final class StepLog implements StageListener {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final DoubleSupplier lr;
    private final DoubleSupplier gradNorm;

    private StepLog(Path file, DoubleSupplier lr, DoubleSupplier gradNorm) {
        this.file = file;
        this.lr = lr;
        this.gradNorm = gradNorm;
    }

    /**
     * Opens the folder's step log to go on after step {@code step} of stage {@code stage} (a fresh run: stage 1,
     * step 0, which keeps nothing): later lines, and a torn last line, are dropped.
     */
    static StepLog open(RunFolder folder, int stage, long step, DoubleSupplier lr, DoubleSupplier gradNorm)
            throws IOException {
        Path f = folder.dir().resolve(RunFolder.STEPS);
        List<String> kept = new ArrayList<>();
        if (Files.isRegularFile(f)) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                ObjectNode o;
                try {
                    o = (ObjectNode) JSON.readTree(line);
                } catch (IOException | ClassCastException e) {
                    break; // a line torn by a crash: it and anything after it are written again
                }
                int s = o.path("stage").asInt();
                long k = o.path("step").asLong();
                if (s < stage || s == stage && k <= step) {
                    kept.add(line);
                }
            }
        }
        AtomicFiles.writeString(f, kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
        return new StepLog(f, lr, gradNorm);
    }

    /** Records the step; called after the optimiser step, before any checkpoint of it. */
    @Override
    public void onStep(Trainer.Step step) {
        ObjectNode o = JSON.createObjectNode().put("stage", step.stage()).put("step", step.step());
        put(o, "loss", step.loss());
        put(o, "lr", lr.getAsDouble());
        put(o, "grad_norm", gradNorm.getAsDouble());
        try {
            // opened for each line, so that the log holds no file open across the loop (nothing to close on a throw)
            Files.writeString(file, JSON.writeValueAsString(o) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void put(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }
}
