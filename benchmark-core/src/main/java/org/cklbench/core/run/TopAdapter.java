package org.cklbench.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import org.cklbench.core.benchmark.Protocol;
import org.cklbench.core.train.Trainer;
import org.cklbench.io.Folders;
import org.cklbench.runfolder.RunFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.OptionalInt;

/**
 * Keeps the trained LoRA adapter of the protocol's headline stage (LAMA-ckl's Top-Acc epoch) as a PEFT
 * folder, {@link RunFolder#TOP_ADAPTER}, in the run folder: after each stage whose evaluation makes it
 * the headline one, the adapter is written beside the old one and swapped in by renames, so a killed
 * run leaves a whole folder (the old or the new). Nothing is written where the trainables are not one
 * LoRA adapter, where the protocol has no headline stage, or while the headline is epoch 0 (the base).
 */
final class TopAdapter {
    private TopAdapter() {
    }

    /** Where the run's PEFT adapter folders are, for run.json. */
    static java.util.Map<String, String> where() {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>(); // run.json's order, fixed
        m.put("checkpoint", RunFolder.CHECKPOINT + "/gen-*/" + Trainer.ADAPTER
                + " (the newest checkpoint's: end of the last stage, or where the run stopped)");
        m.put("top", RunFolder.TOP_ADAPTER + " (the Top-Acc epoch's, where the protocol has one)");
        return m;
    }

    static void keep(Protocol protocol, List<? extends JsonNode> metrics, int stage, Trainer trainer, Path runDir)
            throws IOException {
        if (!trainer.trainsAnAdapter()) {
            return;
        }
        OptionalInt top = protocol.topStage(metrics);
        if (top.isEmpty() || top.getAsInt() != stage) {
            return;
        }
        Path target = runDir.resolve(RunFolder.TOP_ADAPTER);
        Path fresh = runDir.resolve("." + RunFolder.TOP_ADAPTER + ".tmp");
        Path old = runDir.resolve("." + RunFolder.TOP_ADAPTER + ".old");
        Folders.deleteTree(fresh);
        trainer.saveAdapter(fresh);
        Folders.deleteTree(old);
        if (Files.exists(target)) {
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
        Folders.deleteTree(old);
    }
}
