package org.cklbench.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Error measures of {@code shared/README.md}, computed in double on the host. */
public final class Numerics {
    private Numerics() {
    }

    public static double[] doubles(NDArray a) {
        return a.toType(DataType.FLOAT64, true).toDoubleArray();
    }

    /** max |a-e| / max |e| over positions where {@code keep} is true (all when null). */
    public static double maxRel(double[] actual, double[] expected, boolean[] keep) {
        if (actual.length != expected.length) {
            throw new AssertionError("length " + actual.length + " vs " + expected.length);
        }
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < actual.length; i++) {
            if (keep == null || keep[i]) {
                diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
                scale = Math.max(scale, Math.abs(expected[i]));
            }
        }
        return diff / scale;
    }

    /** ||a-e|| / ||e||. */
    public static double normRel(double[] a, double[] e) {
        double d = 0;
        double n = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - e[i]) * (a[i] - e[i]);
            n += e[i] * e[i];
        }
        return Math.sqrt(d / n);
    }

    public static double cosine(double[] a, double[] e) {
        double ab = 0;
        double aa = 0;
        double ee = 0;
        for (int i = 0; i < a.length; i++) {
            ab += a[i] * e[i];
            aa += a[i] * a[i];
            ee += e[i] * e[i];
        }
        return ab / Math.sqrt(aa * ee);
    }

    /** Keeps every one of {@code width} values per position where {@code mask} is 1. */
    public static boolean[] attended(double[] mask, int width) {
        boolean[] keep = new boolean[mask.length * width];
        for (int i = 0; i < mask.length; i++) {
            for (int v = 0; v < width; v++) {
                keep[i * width + v] = mask[i] == 1.0;
            }
        }
        return keep;
    }
}
