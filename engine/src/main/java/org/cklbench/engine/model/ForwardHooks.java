package org.cklbench.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * Points where something beside the frozen base takes part in the forward pass: adapters on the
 * linear projections (LoRA), and layers beside the transformer that read its hidden states and add to
 * the final ones (K-Adapter). Each defaults to doing nothing; hooks compose, in order, with {@link #then}.
 */
public interface ForwardHooks {
    ForwardHooks NONE = new ForwardHooks() {
    };

    /**
     * Called for every projection of every layer.
     *
     * @param module the Hugging Face module path, e.g. {@code model.layers.3.self_attn.q_proj}
     * @param input the projection's input
     * @param output the frozen projection's output {@code W·input}
     * @return the output to use in its place
     */
    default NDArray project(String module, NDArray input, NDArray output) {
        return output;
    }

    /** Called with the residual stream after decoder layer {@code layer}; returns the stream to go on with. */
    default NDArray afterLayer(int layer, NDArray hidden, ForwardContext context) {
        return hidden;
    }

    /** Called with the final-norm hidden states; returns what the LM head reads. */
    default NDArray afterFinalNorm(NDArray normed, ForwardContext context) {
        return normed;
    }

    default ForwardHooks then(ForwardHooks next) {
        ForwardHooks first = this;
        if (next == NONE) {
            return first;
        }
        if (first == NONE) {
            return next;
        }
        return new ForwardHooks() {
            @Override
            public NDArray project(String module, NDArray input, NDArray output) {
                return next.project(module, input, first.project(module, input, output));
            }

            @Override
            public NDArray afterLayer(int layer, NDArray hidden, ForwardContext context) {
                return next.afterLayer(layer, first.afterLayer(layer, hidden, context), context);
            }

            @Override
            public NDArray afterFinalNorm(NDArray normed, ForwardContext context) {
                return next.afterFinalNorm(first.afterFinalNorm(normed, context), context);
            }
        };
    }
}
