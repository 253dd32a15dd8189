package org.cklbench.engine.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cklbench.engine.loss.Losses;
import org.cklbench.engine.model.ForwardHooks;
import org.cklbench.engine.model.LlamaModel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Per-token NLL of many sequences of any lengths, batched with right padding. Sequences are grouped
 * by length so padding stays small; results come back in input order, in float32.
 */
public final class SequenceScorer {
    private final LlamaModel model;
    private final ForwardHooks hooks;
    private final int batchSize;

    public SequenceScorer(LlamaModel model, ForwardHooks hooks, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("scoring batch size " + batchSize + " must be 1 or more");
        }
        this.model = model;
        this.hooks = hooks;
        this.batchSize = batchSize;
    }

    /** -log p(x[t+1] | x[≤t]) for each sequence: {@code len − 1} values (none for length 1). */
    public List<float[]> tokenNll(List<long[]> sequences, IntConsumer progress) {
        float[][] out = new float[sequences.size()][];
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < sequences.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(i -> sequences.get(i).length));
        for (int start = 0; start < order.size(); start += batchSize) {
            List<Integer> batch = order.subList(start, Math.min(order.size(), start + batchSize));
            int len = sequences.get(batch.get(batch.size() - 1)).length;
            if (len < 2) {
                for (int i : batch) {
                    out[i] = new float[0];
                }
                progress.accept(batch.size());
                continue;
            }
            long[] ids = new long[batch.size() * len];
            long[] mask = new long[batch.size() * len];
            for (int r = 0; r < batch.size(); r++) {
                long[] s = sequences.get(batch.get(r));
                System.arraycopy(s, 0, ids, r * len, s.length);
                for (int t = 0; t < s.length; t++) {
                    mask[r * len + t] = 1;
                }
            }
            try (NDManager scope = model.manager().newSubManager()) {
                NDArray idArr = scope.create(ids, new Shape(batch.size(), len));
                NDArray maskArr = scope.create(mask, new Shape(batch.size(), len));
                float[] nll = Losses.tokenNll(model, idArr, maskArr, hooks).toFloatArray();
                for (int r = 0; r < batch.size(); r++) {
                    int n = sequences.get(batch.get(r)).length - 1;
                    float[] row = new float[Math.max(n, 0)];
                    System.arraycopy(nll, r * (len - 1), row, 0, row.length);
                    out[batch.get(r)] = row;
                }
            }
            progress.accept(batch.size());
        }
        return List.of(out);
    }
}
