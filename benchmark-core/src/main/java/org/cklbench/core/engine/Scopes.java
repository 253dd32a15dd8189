package org.cklbench.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * DJL puts the result of an operation in the manager of its first operand. Whenever that operand is
 * a long-lived array (a weight, a parameter), the result must be moved into the short-lived scope of
 * the computation, or it lives as long as the weights do. These helpers do that in one place.
 */
public final class Scopes {
    private Scopes() {
    }

    /** {@code array} in {@code type}; a converted copy is owned by {@code scope}. */
    public static NDArray cast(NDArray array, DataType type, NDManager scope) {
        if (array.getDataType() == type) {
            return array;
        }
        NDArray c = array.toType(type, false);
        c.attach(scope);
        return c;
    }

    /** The gradient of a parameter, owned by {@code scope}. */
    public static NDArray gradient(NDArray parameter, NDManager scope) {
        NDArray g = parameter.getGradient();
        g.attach(scope);
        return g;
    }
}
