package org.cklbench.methods;

import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.ParamSpec;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.engine.tokenizer.TextTokenizer;
import org.cklbench.core.state.TrainingDocument;

import java.util.Arrays;
import java.util.List;

/**
 * The oracle of token weighting: weight 1 on the targets that are the tokens of the document's fact
 * object (its last occurrence in the document), 0 elsewhere. A document without its object (cut off by
 * truncation, say) contributes nothing. Documents of several facts (TemporalWiki diffs) name their
 * objects in the {@code objects} field, one per line; each gets its last occurrence weighted.
 */
public final class Oracle implements MethodProvider {
    @Override
    public String id() {
        return "oracle";
    }

    @Override
    public String description() {
        return "Oracle: weight 1 on the object span (last occurrence) in each document, 0 elsewhere";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of();
    }

    @Override
    public CklMethod create(MethodParams params) {
        return ((DocumentWeights) Oracle::weights).method();
    }

    /** Target weights of one document padded to {@code targets}: 1 where the target is an object token. */
    static float[] weights(TrainingDocument d, TextTokenizer tok, int targets) {
        float[] w = new float[targets];
        String objects = d.field("object") != null ? d.field("object") : d.field("objects");
        if (objects == null) {
            throw new IllegalArgumentException("oracle: document " + d.id() + " names no 'object' (the benchmark"
                    + " gives no labels to weight)");
        }
        for (String object : objects.split("\n")) {
            if (!object.isEmpty()) {
                mark(w, d.ids(), tok.encodePlain(object));
            }
        }
        return w;
    }

    private static void mark(float[] w, long[] ids, long[] obj) {
        for (int start = ids.length - obj.length; start >= 1; start--) {
            if (Arrays.equals(ids, start, start + obj.length, obj, 0, obj.length)) {
                // target t predicts token t+1
                for (int j = 0; j < obj.length; j++) {
                    w[start + j - 1] = 1f;
                }
                return;
            }
        }
    }
}
