package org.cklbench.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.cklbench.engine.djl.Scalars;
import org.cklbench.engine.djl.Scopes;
import org.cklbench.engine.model.ForwardHooks;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * B LoRA adapters of one configuration in one forward pass: row b of the batch goes through the base
 * plus adapter b. Every A/B tensor has a leading example axis ({@code [B, r, in]}, {@code [B, out, r]},
 * named as {@link LoraAdapter} names them), applied with a batched matmul to its example's rows
 * {@code x [B, L, in]}, so {@code y_b = W·x_b + s·B_b·A_b·x_b}.
 *
 * <p>What it is for: computations in which every example carries a learner of its own (TAALM's
 * meta-gradient updates a copy of θ per document), batched instead of run one example at a time. Since
 * example b's output depends only on adapter b, the gradient of a sum of per-example losses with
 * respect to adapter b is example b's own gradient. No dropout: it computes what {@link LoraAdapter}
 * computes outside training.
 */
public final class StackedLora implements ForwardHooks {
    private final LoraConfig config;
    private final Map<String, NDArray> tensors;
    private final long examples;

    /**
     * @param tensors the stacked tensors by PEFT name, each with the same leading size B; the caller
     *                owns them
     */
    public StackedLora(LoraConfig config, Map<String, NDArray> tensors) {
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("a stacked LoRA needs tensors");
        }
        long b = -1;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            long[] shape = e.getValue().getShape().getShape();
            if (shape.length != 3 || (b >= 0 && shape[0] != b)) {
                throw new IllegalArgumentException("stacked LoRA tensor " + e.getKey() + " has shape "
                        + e.getValue().getShape() + ": every tensor must be [B, rows, columns] with one B");
            }
            b = shape[0];
        }
        this.config = config;
        this.tensors = new LinkedHashMap<>(tensors);
        this.examples = b;
    }

    /** {@code copies} copies of {@code adapter}'s tensors stacked along a new first axis, owned by {@code scope}. */
    public static Map<String, NDArray> stack(LoraAdapter adapter, int copies, NDManager scope) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        adapter.parameters().forEach((k, v) -> {
            NDArray one = v.stopGradient().expandDims(0);
            one.attach(scope);
            NDArray s = one.repeat(0, copies);
            s.attach(scope);
            out.put(k, s);
        });
        return out;
    }

    public LoraConfig config() {
        return config;
    }

    /** The number of adapters B. */
    public long examples() {
        return examples;
    }

    /** The stacked tensors by PEFT name, in a stable order. */
    public Map<String, NDArray> parameters() {
        return tensors;
    }

    /** The same configuration computed with other stacked tensors of the same names. */
    public StackedLora withParameters(Map<String, NDArray> replacement) {
        if (!replacement.keySet().equals(tensors.keySet())) {
            throw new IllegalArgumentException("replacement tensors must have the stacked adapter's names");
        }
        return new StackedLora(config, replacement);
    }

    @Override
    public NDArray project(String module, NDArray input, NDArray output) {
        NDArray a = tensors.get(LoraAdapter.nameA(module));
        if (a == null) {
            return output;
        }
        if (input.getShape().get(0) != examples) {
            throw new IllegalArgumentException("input of " + module + " has " + input.getShape().get(0)
                    + " rows for " + examples + " stacked adapters");
        }
        NDManager scope = input.getManager();
        DataType type = input.getDataType();
        // [B, L, in]·[B, in, r] then [B, L, r]·[B, r, out]; scaling the rank-r intermediate as LoraAdapter does
        NDArray down = Scalars.mul(input.matMul(transposed(a, type, scope)), config.scaling());
        return output.add(down.matMul(transposed(tensors.get(LoraAdapter.nameB(module)), type, scope)));
    }

    /** [B, m, n] → [B, n, m] in {@code type}, owned by {@code scope} (the tensors may outlive the pass). */
    private static NDArray transposed(NDArray x, DataType type, NDManager scope) {
        NDArray t = Scopes.cast(x, type, scope).transpose(0, 2, 1);
        t.attach(scope);
        return t;
    }
}
