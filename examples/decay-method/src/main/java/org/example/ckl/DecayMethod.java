package org.example.ckl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.cklbench.core.method.CklMethod;
import org.cklbench.core.method.MethodParams;
import org.cklbench.core.method.MethodProvider;
import org.cklbench.core.method.ParamSpec;
import org.cklbench.core.state.Batch;
import org.cklbench.core.state.TrainingState;

import java.util.List;

/**
 * An example plugin: token weights that decay along the document, w_t = floor + (1 − floor)·(1 − t/L),
 * on the idea that a document's opening sentences carry its facts. It implements one hook,
 * {@link CklMethod#tokenWeights}; everything else is the suite's default (a LoRA adapter, AdamW).
 */
public final class DecayMethod implements MethodProvider {
    @Override
    public String id() {
        return "decay";
    }

    @Override
    public String description() {
        return "example plugin: token weights decaying linearly from 1 at the start of a document to 'floor' at its end";
    }

    @Override
    public List<ParamSpec> parameters() {
        return List.of(ParamSpec.real("floor", 0.2, 0, 1, "weight of the last token"));
    }

    @Override
    public CklMethod create(MethodParams params) {
        double floor = params.getDouble("floor");
        return new CklMethod() {
            @Override
            public NDArray tokenWeights(TrainingState state, Batch batch, NDArray nll) {
                long targets = nll.getShape().get(1);
                float[] w = new float[(int) targets];
                for (int t = 0; t < targets; t++) {
                    w[t] = (float) (floor + (1 - floor) * (1.0 - (double) t / Math.max(1, targets - 1)));
                }
                NDArray row = batch.scope().create(w).reshape(1, targets);
                return row.repeat(0, nll.getShape().get(0)).toType(DataType.FLOAT32, false);
            }
        };
    }
}
