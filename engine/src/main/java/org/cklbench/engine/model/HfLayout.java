package org.cklbench.engine.model;

import java.util.Map;

/**
 * How a checkpoint's tensors were spread over files when it was read, so that saving writes the
 * same file names ({@code model.safetensors}, or the shards of an index) and the same stored dtype.
 *
 * @param shards tensor name to shard file name; empty for a single {@code model.safetensors}
 * @param storedType the safetensors dtype of the stored floating-point weights
 */
public record HfLayout(Map<String, String> shards, org.cklbench.engine.safetensors.TensorDType storedType) {
    public static HfLayout single(org.cklbench.engine.safetensors.TensorDType storedType) {
        return new HfLayout(Map.of(), storedType);
    }

    public boolean sharded() {
        return !shards.isEmpty();
    }
}
