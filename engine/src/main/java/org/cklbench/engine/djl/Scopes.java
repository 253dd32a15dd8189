package org.cklbench.engine.djl;

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

    /**
     * {@code array} in {@code type}, differentiably, owned by {@code scope} (for long-lived tensors such
     * as float32 adapter weights used in a float16 forward pass).
     */
    public static NDArray cast(NDArray array, DataType type, NDManager scope) {
        if (array.getDataType() == type) {
            return array;
        }
        NDArray view = array.expandDims(-1);
        view.attach(scope);
        return view.cumProd(-1, type).squeeze(-1);
    }

    /**
     * A dtype conversion that autograd differentiates through. DJL's {@code toType} runs PyTorch's
     * {@code .to} under a no-grad guard, so a graph through it silently ends there; {@code cumprod}
     * over a new axis of length 1 with an output dtype is the identity with a conversion, and has a
     * backward. The result belongs to the manager of {@code x}.
     */
    public static NDArray castInGraph(NDArray x, DataType type) {
        if (x.getDataType() == type) {
            return x;
        }
        return x.expandDims(-1).cumProd(-1, type).squeeze(-1);
    }

    /** The gradient of a parameter, owned by {@code scope}. */
    public static NDArray gradient(NDArray parameter, NDManager scope) {
        NDArray g = parameter.getGradient();
        g.attach(scope);
        return g;
    }

    /**
     * A copy of {@code src} in {@code type} on {@code target}'s device, with storage of its own, owned
     * by {@code target}. DJL's {@code toType(t, true)} and {@code toDevice(d, true)} return an alias
     * (torch's {@code .to} without copy) when nothing changes, and an alias of an array created from a
     * Java buffer dangles once that array is closed; so a copy is made explicitly here.
     */
    public static NDArray copy(NDArray src, DataType type, NDManager target) {
        NDArray cur = src;
        boolean fresh = false;
        if (!cur.getDevice().equals(target.getDevice())) {
            cur = cur.toDevice(target.getDevice(), false);
            fresh = true;
        }
        if (cur.getDataType() != type) {
            NDArray next = cur.toType(type, false);
            if (fresh) {
                cur.close();
            }
            cur = next;
            fresh = true;
        }
        if (!fresh) {
            cur = cur.duplicate();
        }
        cur.setName(src.getName());
        cur.attach(target);
        return cur;
    }
}
