package org.cklbench.core.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.core.benchmark.Benchmark;
import org.cklbench.core.benchmark.SettingChecks;
import org.cklbench.core.method.MethodRegistry;
import org.cklbench.core.method.ResolvedMethod;
import org.cklbench.core.plugin.Registries;
import org.cklbench.core.state.TrainSettings;
import org.cklbench.runfolder.RunConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link RunRequest} checked and resolved, without touching any data: the benchmark, the method
 * with typed parameters, the preset's settings with overrides, and the {@link RunConfig} whose hash
 * is the run id. {@code ckl run} and {@code ckl sweep} resolve through here alike, so a grid's bad
 * value is reported before anything is submitted and both name a run the same.
 */
public record ResolvedRun(RunConfig config, Benchmark benchmark, ResolvedMethod method, ObjectNode settings) {
    public static ResolvedRun of(RunRequest r, Registries registries) {
        Benchmark b = registries.benchmarks().get(r.benchmark());
        var preset = b.presets().get(r.preset());
        ObjectNode settings = preset.settings(r.overrides());
        TrainSettings.of(settings);
        SettingChecks.atLeast(settings, "eval_batch_size", 1);
        SettingChecks.atLeastIfPresent(settings, "checkpoint_every", 0);
        b.checkSettings(settings);
        MethodRegistry methods = registries.methods();
        refuseSettingsAsParameters(r, methods, settings);
        ResolvedMethod m = methods.resolve(r.method(), preset.methodDefaults(), r.methodParams(), r.seed());
        // cuda and cuda:N (PyTorch's names) become gpu and gpu:N: one device, one run id
        String device = org.cklbench.engine.djl.PyTorchEngine.canonicalDevice(r.device());
        String dtype = r.dtype() == null ? "default" : r.dtype().toLowerCase(Locale.ROOT);
        if (!dtype.matches("default|float32|fp32|float16|fp16|half")) {
            throw new IllegalArgumentException("unknown dtype '" + r.dtype() + "' (float32, float16)");
        }
        if (r.threads() < 0) {
            throw new IllegalArgumentException("threads must be 0 (PyTorch's choice) or more, not " + r.threads());
        }
        // threads 0 whatever was asked: results are computed on the pinned thread count (ArithmeticPin), so
        // the thread count a user gives changes neither the numbers nor the run id
        RunConfig config = new RunConfig(b.id(), b.version(), r.method(), m.flat(), r.preset(), settings, r.seed(),
                path(r.model(), "model"), path(r.data(), "data"), device, dtype, 0);
        return new ResolvedRun(config, b, m, settings);
    }

    /**
     * A preset setting given as {@code --param} (lr, epochs, ...) is refused with the option that sets it:
     * "finetune has no parameter 'lr'" would leave the user looking for the method's own name for it.
     */
    private static void refuseSettingsAsParameters(RunRequest r, MethodRegistry methods, ObjectNode settings) {
        java.util.List<String> ids = methods.ids(r.method());
        for (Map.Entry<String, String> e : r.methodParams().entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            String name = dot < 0 ? key : key.substring(dot + 1);
            java.util.List<String> owners = dot < 0 ? ids : java.util.List.of(key.substring(0, dot));
            boolean declared = owners.stream().filter(ids::contains)
                    .anyMatch(id -> methods.provider(id).parameters().stream().anyMatch(p -> p.name().equals(name)));
            if (!declared && settings.has(name)) {
                throw new IllegalArgumentException(name + " is a preset setting: use --set " + name + "=" + e.getValue()
                        + " (--param sets a parameter of method '" + r.method() + "'; see ckl methods)");
            }
        }
    }

    /**
     * {@code p} as a run records it (absolute, normalised), or null; refused where it names nothing, the file
     * system's root, or (for the model) a plain file.
     */
    public static String path(Path p, String what) {
        if (p == null) {
            return null;
        }
        Path abs = p.toAbsolutePath().normalize();
        if (!Files.exists(abs)) {
            throw new IllegalArgumentException("--" + what + " " + p + " does not exist");
        }
        if (abs.getParent() == null) {
            throw new IllegalArgumentException("--" + what + " " + p + " is the file system's root; name the "
                    + what + " folder itself");
        }
        if (what.equals("model") && !Files.isDirectory(abs)) {
            throw new IllegalArgumentException("--model " + p + " is a file; it takes a model folder (config.json,"
                    + " model.safetensors, tokenizer.json)");
        }
        return abs.toString();
    }

    public String id() {
        return config.id();
    }
}
