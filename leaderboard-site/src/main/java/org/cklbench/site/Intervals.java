package org.cklbench.site;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Intervals over seeds and probes from the runs' bootstrap replicates: replicate {@code b} of a row
 * is the mean, over seeds drawn with replacement, of each drawn run's replicate {@code b} (itself a
 * resample of the probes). With one seed it is the probe bootstrap alone. A difference between two
 * rows draws the same seeds for both and uses the same probe draws (replicate {@code b} of every run
 * resampled the same probes), so it is paired twice over. Seeds of the draws are fixed: the site is
 * the same every time it is built.
 */
final class Intervals {
    static final double LEVEL = 0.95;
    private static final long SEED = 0x1EADB0A2DL;

    private Intervals() {
    }

    /** The row's replicates: {@code runs.get(s)[b]} is run {@code s}'s replicate {@code b}. */
    static double[] row(List<double[]> runs) {
        int n = runs.size();
        int reps = runs.get(0).length;
        double[] out = new double[reps];
        SplittableRandom rng = new SplittableRandom(SEED);
        for (int b = 0; b < reps; b++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += runs.get(n == 1 ? 0 : rng.nextInt(n))[b];
            }
            out[b] = sum / n;
        }
        return out;
    }

    /** Replicates of {@code a − ref}, runs paired by position (the same seed in both lists). */
    static double[] pairedDifference(List<double[]> a, List<double[]> ref) {
        if (a.size() != ref.size()) {
            throw new IllegalArgumentException("paired rows need the same seeds");
        }
        int n = a.size();
        int reps = a.get(0).length;
        double[] out = new double[reps];
        SplittableRandom rng = new SplittableRandom(SEED);
        for (int b = 0; b < reps; b++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                int s = n == 1 ? 0 : rng.nextInt(n);
                sum += a.get(s)[b] - ref.get(s)[b];
            }
            out[b] = sum / n;
        }
        return out;
    }

    /** The central {@link #LEVEL} interval of {@code xs}: percentiles by linear interpolation (numpy's default). */
    static double[] interval(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        double tail = (1 - LEVEL) / 2;
        return new double[] {percentile(s, tail), percentile(s, 1 - tail)};
    }

    static double percentile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
