package org.cklbench.core.run;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the user asked {@code ckl run} (or a grid entry) for, as text, before anything is resolved:
 * method parameters ({@code --param}, {@code name} or {@code id.name}) and preset overrides
 * ({@code --set}); {@code model} and {@code data} null for the preset's own.
 */
public record RunRequest(String benchmark, String method, Map<String, String> methodParams, String preset,
                         Map<String, String> overrides, Path model, Path data, long seed, String device, String dtype,
                         int threads) {
}
