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
