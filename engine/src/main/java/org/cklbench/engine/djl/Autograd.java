package org.cklbench.engine.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;

import java.util.function.Supplier;

/** One recorded computation followed by its backward pass, as DJL's training loops do it. */
public final class Autograd {
    private Autograd() {
    }

    /** Records {@code loss}, runs backward from it, and returns it (with its graph consumed). */
    public static NDArray backward(Supplier<NDArray> loss) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = loss.get();
            gc.backward(l);
            return l;
        }
    }

    /** Records a computation whose graph the caller backpropagates later. */
    public static <T> T record(Supplier<T> computation) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            return computation.get();
        }
    }
}
