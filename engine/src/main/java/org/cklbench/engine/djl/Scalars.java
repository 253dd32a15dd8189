package org.cklbench.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Arithmetic with a constant inside a recorded computation.
 *
 * <p>DJL's {@code mul(Number)} and friends wrap the constant in a 0-d tensor that borrows a Java
 * direct buffer and close it right after the operation. Autograd keeps that tensor for the backward
 * pass ({@code MulBackward} saves its other operand), so once the closed wrapper's buffer is garbage
 * collected, backward reads freed memory: gradients turn to garbage or NaN, depending on GC timing.
 * Here the constant lives in the manager of the operand instead, as long as the computation does.
 */
public final class Scalars {
    private Scalars() {
    }

    public static NDArray scalar(NDArray like, double value) {
        NDArray s = like.getManager().create((float) value);
        return like.getDataType() == DataType.FLOAT32 ? s : s.toType(like.getDataType(), false);
    }

    public static NDArray mul(NDArray x, double value) {
        return x.mul(scalar(x, value));
    }

    public static NDArray div(NDArray x, double value) {
        return x.div(scalar(x, value));
    }

    public static NDArray add(NDArray x, double value) {
        return x.add(scalar(x, value));
    }

    public static NDArray sub(NDArray x, double value) {
        return x.sub(scalar(x, value));
    }
}
