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
}
