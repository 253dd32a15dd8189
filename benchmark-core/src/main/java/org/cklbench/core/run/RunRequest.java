package org.cklbench.core.run;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the user asked {@code ckl run} for, before presets are resolved. {@code overrides} replace
 * preset settings ({@code --set key=value}); {@code home} is CKL_HOME.
 */
public record RunRequest(String benchmark, String method, Map<String, String> methodParams, String preset,
                         Map<String, String> overrides, Path model, Path data, long seed, String device, String dtype,
                         int threads, Path home) {

    /**
     * Whether TAALM, alone ({@code ta}) or composed ({@code taalm.ta}), takes its Train-Attention model
     * from the preset (its default), which the benchmark must then provide.
     */
    public boolean usesPresetTrainAttention() {
        return methodParams.entrySet().stream().anyMatch(p ->
                (p.getKey().equals("ta") || p.getKey().equals("taalm.ta")) && p.getValue().equals("preset"));
    }
}
