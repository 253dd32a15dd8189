package org.cklbench.core.state;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/**
 * Right-padded token ids [B, L] and attention mask [B, L] of some documents, in a per-step manager
 * that the trainer closes after the step.
 */
public record Batch(List<TrainingDocument> documents, NDArray ids, NDArray mask) {

    /** Pads {@code docs} to their longest length with id 0 (masked out). */
    public static Batch of(List<TrainingDocument> docs, NDManager scope) {
        return of(docs, 0, 0, scope);
    }

    /**
     * Pads {@code docs} on the right, masked out, with {@code padId} to {@code length} or their longest
     * length if that is more: the reference pads with EOS, and to max_length where it precomputes.
     */
    public static Batch of(List<TrainingDocument> docs, int length, long padId, NDManager scope) {
        int len = length;
        for (TrainingDocument d : docs) {
            len = Math.max(len, d.ids().length);
        }
        long[] ids = new long[docs.size() * len];
        if (padId != 0) {
            java.util.Arrays.fill(ids, padId);
        }
        long[] mask = new long[docs.size() * len];
        for (int r = 0; r < docs.size(); r++) {
            long[] s = docs.get(r).ids();
            System.arraycopy(s, 0, ids, r * len, s.length);
            for (int t = 0; t < s.length; t++) {
                mask[r * len + t] = 1;
            }
        }
        Shape shape = new Shape(docs.size(), len);
        return new Batch(List.copyOf(docs), scope.create(ids, shape), scope.create(mask, shape));
    }

    public NDManager scope() {
        return ids.getManager();
    }

    public int size() {
        return documents.size();
    }
}
