package org.cklbench.core.external;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import org.cklbench.core.state.TrainSettings;
import org.cklbench.core.state.TrainingState;
import org.cklbench.engine.djl.Scopes;
import org.cklbench.engine.lora.LoraAdapter;
import org.cklbench.engine.lora.LoraConfig;
import org.cklbench.text.Printable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Accepts the PEFT adapter an external method returned, or says exactly why not: the folder holds only
 * regular files (PEFT's two, and the README.md its {@code save_pretrained} adds); the config is a LoRA of
 * the run's rank and alpha on every projection; every tensor is there with the base model's shape and
 * finite. An accepted adapter's values are copied into the run's trainable LoRA tensors.
 */
final class AdapterCheck {
    static final String CONFIG = "adapter_config.json";
    private static final Set<String> ALLOWED = Set.of(CONFIG, LoraAdapter.WEIGHTS_FILE, "README.md");

    /** Bytes a small JSON file the method returns may hold: read whole, it must not exhaust the suite's memory. */
    static final long JSON_LIMIT = 1L << 20;

    private AdapterCheck() {
    }

    /** Refuses {@code file} when it holds more than {@code limit} bytes. */
    static void atMost(Path file, long limit) throws IOException {
        long size = Files.size(file);
        if (size > limit) {
            throw new IOException(Printable.of(file.getFileName().toString()) + " holds " + size + " bytes, more than the "
                    + limit + " such a file may hold");
        }
    }

    /** Refuses links and anything but regular files anywhere under {@code dir} ({@code what} names it). */
    static void onlyRegularFiles(Path dir, String what) throws IOException {
        List<String> bad = new ArrayList<>();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                if (Files.isSymbolicLink(p)) {
                    bad.add(Printable.of(dir.relativize(p).toString()) + " is a symbolic link");
                } else if (!p.equals(dir) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        && !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    bad.add(Printable.of(dir.relativize(p).toString()) + " is not a regular file");
                }
            }
        }
        if (!bad.isEmpty()) {
            throw new IOException(what + " " + Printable.of(dir.toString()) + " must hold only regular files and"
                    + " folders: " + String.join("; ", bad.subList(0, Math.min(5, bad.size())))
                    + (bad.size() > 5 ? "; and " + (bad.size() - 5) + " more" : ""));
        }
    }

    /** Checks {@code dir} and copies its tensors into {@code state}'s trainable ones. */
    static void accept(Path dir, TrainingState state) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            throw new IOException("the adapter folder " + Printable.of(dir.toString()) + " is a symbolic link");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("the adapter folder " + Printable.of(dir.toString()) + " is missing");
        }
        onlyRegularFiles(dir, "the adapter folder");
        List<String> extra = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.map(p -> p.getFileName().toString()).filter(n -> !ALLOWED.contains(n)).sorted()
                    .forEach(n -> extra.add(Printable.of(n)));
        }
        if (!extra.isEmpty()) {
            throw new IOException("the adapter folder " + Printable.of(dir.toString()) + " holds " + String.join(", ", extra)
                    + ": only " + CONFIG + " and " + LoraAdapter.WEIGHTS_FILE + " (and PEFT's README.md) belong there;"
                    + " keep anything else in state_out");
        }
        for (String f : List.of(CONFIG, LoraAdapter.WEIGHTS_FILE)) {
            if (!Files.isRegularFile(dir.resolve(f), LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("the adapter folder " + Printable.of(dir.toString()) + " has no " + f);
            }
        }
        atMost(dir.resolve(CONFIG), JSON_LIMIT);
        LoraConfig config;
        try {
            config = LoraConfig.read(dir);
        } catch (IOException | RuntimeException e) {
            // the parser's message breaks its line before the location: one line of the error, as its others
            throw new IOException(CONFIG + " is malformed: " + Printable.of(oneLine(e.getMessage())), e);
        }
        TrainSettings ts = state.settings();
        if (config.r() != ts.loraR() || config.alpha() != ts.loraAlpha() || config.useRslora()) {
            throw new IOException(Printable.of(dir.resolve(CONFIG).toString()) + " has r=" + config.r() + ", lora_alpha="
                    + config.alpha() + (config.useRslora() ? ", use_rslora=true" : "") + "; the run's settings are r="
                    + ts.loraR() + ", lora_alpha=" + ts.loraAlpha() + " (without rsLoRA), which the adapter must keep");
        }
        try (LoraAdapter loaded = LoraAdapter.load(dir, state.model())) {
            Map<String, NDArray> got = loaded.parameters();
            Map<String, NDArray> mine = state.trainable();
            if (!got.keySet().equals(mine.keySet())) {
                Set<String> missing = new TreeSet<>(mine.keySet());
                missing.removeAll(got.keySet());
                throw new IOException(Printable.of(dir.resolve(CONFIG).toString()) + " does not target every projection"
                        + " the run's LoRA adapts (" + LoraConfig.PROJECTIONS + "): " + missing.size()
                        + " tensors missing, e.g. " + missing.iterator().next());
            }
            for (Map.Entry<String, NDArray> e : got.entrySet()) {
                float[] v = e.getValue().toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    if (!Float.isFinite(v[i])) {
                        throw new IOException(LoraAdapter.WEIGHTS_FILE + ": tensor " + e.getKey() + " holds " + v[i]
                                + " at element " + i + " (NaN and infinities are refused)");
                    }
                }
            }
            try (NDManager tmp = state.model().manager().newSubManager()) {
                for (Map.Entry<String, NDArray> e : mine.entrySet()) {
                    NDArray copy = Scopes.copy(got.get(e.getKey()), e.getValue().getDataType(), tmp);
                    e.getValue().set(new NDIndex("..."), copy);
                }
            }
        } catch (RuntimeException e) {
            throw new IOException(Printable.of(String.valueOf(e.getMessage())), e);
        }
    }

    /** {@code message} with each line break and the blanks around it made one space (null: "no message"). */
    static String oneLine(String message) {
        return message == null ? "no message" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
