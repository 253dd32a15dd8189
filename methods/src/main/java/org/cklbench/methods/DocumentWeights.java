package org.cklbench.methods;

import ai.djl.ndarray.NDArray;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.state.Batch;
import org.cklbench.core.state.TrainingDocument;
import org.cklbench.core.state.TrainingState;
import org.cklbench.engine.tokenizer.TextTokenizer;

/**
 * A method whose token weights are a fixed rule of each document alone (Oracle's object span, Lead's
 * first sentence): the rule gives one document's target weights, and this assembles the batch's.
 */
@FunctionalInterface
interface DocumentWeights {
    /** Target weights of one document, padded to {@code targets} (target t predicts token t+1). */
    float[] weights(TrainingDocument document, TextTokenizer tokenizer, int targets);

    /** The method that trains on the weighted loss with these weights. */
    default CklMethod method() {
        return new CklMethod() {
            @Override
            public NDArray tokenWeights(TrainingState state, Batch batch, NDArray nll) {
                int targets = Math.toIntExact(batch.ids().getShape().get(1) - 1);
                float[] w = new float[batch.size() * targets];
                for (int r = 0; r < batch.size(); r++) {
                    float[] row = weights(batch.documents().get(r), state.tokenizer(), targets);
                    System.arraycopy(row, 0, w, r * targets, row.length);
                }
                return batch.scope().create(w, nll.getShape());
            }
        };
    }
}
