package org.cklbench.site;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;

import java.util.Arrays;
import java.util.List;

/**
 * Intervals over seeds and probes. The estimand of a row is the method's expected score over seeds
 * AND over the population the probes were drawn from; a board measures it with n seeds that all
 * scored one fixed probe set. The estimate is the mean of the seeds' point summaries (summary.json),
 * and its variance has two parts:
 * <ul>
 * <li>between seeds, A = s²/n: the sample variance of the seed summaries (n − 1 in the denominator)
 *     over n. The seeds scored the same probes, so A holds the seed effect and the seed × probe
 *     interaction (for 0/1 answers, each answer's own chance), and nothing of which probes were drawn;</li>
 * <li>between probe sets, P: the covariance, over bootstrap replicates b, of two different seeds'
 *     replicates, averaged over the pairs of seeds (floored at 0). Replicate b of every run resampled
 *     the same probes (bootstrap.json's scheme), so what two seeds' replicates share is the effect of
 *     the probe draw on every seed alike. The variance of the seed-averaged replicate would count the
 *     interaction a second time (it is in A already); with 0/1 answers that is most of the variance, and
 *     in its place 95% intervals covered up to 99.3% of simulated boards.</li>
 * </ul>
 * A is estimated from n seeds, with n − 1 degrees of freedom; P from hundreds of probes. How wide to
 * make the interval from an imprecise A and a precise P has no exact answer; two standard ones bracket it:
 * <ul>
 * <li>Welch–Satterthwaite: t with ν = (A + P)² / (A² / (n − 1)) degrees of freedom, times √(A + P). It
 *     estimates ν from the same few seeds, so when they happen to lie close ν is too high, and with 3
 *     seeds it covered 92.7% of simulated boards where both parts mattered (too narrow);</li>
 * <li>each part at its own quantile, added in quadrature: √(t²_{n−1}·A + z²·P). It counts A as if all of
 *     it were as uncertain as a 3-seed variance, though part of it (each answer's own chance) is known
 *     well from the probes, and covered up to 97.5% (too wide).</li>
 * </ul>
 * The interval is the estimate ± the root of the mean of the two squared half-widths. Simulated
 * (IntervalsTest's model: probes and seeds from known populations, 3000 boards each, seven populations
 * from seed-dominated to probe-dominated), it covers 93.6-96.3% with 3 and with 5 seeds, where the two
 * alone gave 92.7-95.4% and 93.8-97.5%: a compromise calibrated by simulation, not a theorem. Where the seeds dominate it is the t interval on the seed means,
 * which the old seed resampling made √(2/3) too narrow with 3 seeds and read at 1.96 instead of t's
 * 4.30. It is symmetric, so it always contains its estimate. With one seed A cannot be estimated: the
 * interval is the probe bootstrap alone (the normal interval on the replicates' standard deviation)
 * and says nothing of how another seed would do.
 * <p>
 * A difference to the reference row is the same construction on the per-seed differences of the
 * seeds both rows ran and on the per-replicate differences (the same probe draws): paired twice over.
 * Its p-value is one minus the level of the widest such interval that excludes 0, so "p ≤ 0.05" is "the
 * 95% interval excludes 0"; {@link #benjaminiHochberg} corrects a board's p-values together. It tests the smallest
 * p-value at α/k, far out in the tails, where the blend above is not calibrated: under a simulated null
 * it gave p ≤ 0.0125 in 1.58% of comparisons (nominal 1.25%) and 6.3% of boards a false mark. A tested
 * difference therefore uses the quadrature alone, conservative at every level (1.33% ± 0.18 there).
 */
final class Intervals {
    static final double LEVEL = 0.95;
    /** The false-discovery rate the ▲/▼ marks of one board are held to (Benjamini-Hochberg). */
    static final double ALPHA = 0.05;
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    private Intervals() {
    }

    /**
     * An estimate and its {@link #LEVEL} interval.
     *
     * @param seedVar A, the between-seed part of the variance (0 with one seed)
     * @param probeVar P, the probe-set part
     * @param paired   a difference that is tested: its interval and p-value use the quadrature alone (see the class)
     */
    record Estimate(double centre, double seedVar, double probeVar, int seeds, boolean paired) {
        Estimate(double centre, double seedVar, double probeVar, int seeds) {
            this(centre, seedVar, probeVar, seeds, false);
        }

        double se() {
            return Math.sqrt(seedVar + probeVar);
        }

        /** Half the width of the interval at {@code level}: between Welch–Satterthwaite's and the quadrature's, or the quadrature's. */
        double half(double level) {
            double p = 1 - (1 - level) / 2;
            double z = NORMAL.inverseCumulativeProbability(p);
            double v = seedVar + probeVar;
            if (seeds == 1 || seedVar == 0) {
                return z * Math.sqrt(v);
            }
            double t = t(seeds - 1, p);
            double quadrature = t * t * seedVar + z * z * probeVar;
            if (paired) {
                return Math.sqrt(quadrature);
            }
            double tws = t(v * v / (seedVar * seedVar / (seeds - 1)), p);
            return Math.sqrt((tws * tws * v + quadrature) / 2);
        }

        double lo() {
            return centre - half(LEVEL);
        }

        double hi() {
            return centre + half(LEVEL);
        }

        /** Two-sided p-value of "the true value is 0": 1 − the level at which the interval just reaches 0. */
        double p() {
            double d = Math.abs(centre);
            if (seedVar + probeVar == 0) {
                return d == 0 ? 1 : 0;
            }
            if (d == 0) {
                return 1;
            }
            double lo = 0;
            double hi = 1;
            // the half width grows with the level; find the level where it equals |centre|, as 1 − level
            for (int i = 0; i < 60; i++) {
                double mid = (lo + hi) / 2;
                if (half(1 - mid) > d) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            return hi < 1e-15 ? 0 : hi;
        }
    }

    /** The {@code p} quantile of Student's t; beyond 10⁶ degrees of freedom, the normal's (Commons Math's t fails to converge there). */
    static double t(double df, double p) {
        return df > 1e6 ? NORMAL.inverseCumulativeProbability(p) : new TDistribution(null, df).inverseCumulativeProbability(p);
    }

    /**
     * The row's estimate: {@code points[s]} is seed s's point summary (its summary.json),
     * {@code replicates.get(s)[b]} its bootstrap replicate b; every seed has as many replicates.
     */
    static Estimate of(double[] points, List<double[]> replicates) {
        int n = points.length;
        if (n == 0 || replicates.size() != n) {
            throw new IllegalArgumentException("one list of replicates per seed is needed");
        }
        int reps = replicates.get(0).length;
        for (double[] r : replicates) {
            if (r.length != reps || reps < 2) {
                throw new IllegalArgumentException("every seed needs the same number (at least 2) of replicates");
            }
        }
        double centre = mean(points);
        if (n == 1) {
            return new Estimate(centre, 0, variance(replicates.get(0)), 1);
        }
        double[] avg = new double[reps];
        double own = 0;
        for (double[] r : replicates) {
            own += variance(r) / n;
            for (int b = 0; b < reps; b++) {
                avg[b] += r[b] / n;
            }
        }
        // the mean over pairs s≠t of cov(r_s, r_t): (n² var(mean_s r_s) − Σ_s var(r_s)) / (n (n − 1))
        double shared = Math.max(0, (n * variance(avg) - own) / (n - 1.0));
        return new Estimate(centre, variance(points) / n, shared, n);
    }

    /** The estimate of {@code a − ref}, seed s of each list being the same seed. */
    static Estimate difference(double[] aPoints, List<double[]> a, double[] refPoints, List<double[]> ref) {
        if (aPoints.length != refPoints.length || a.size() != ref.size() || a.size() != aPoints.length) {
            throw new IllegalArgumentException("a paired difference needs the same seeds on both sides");
        }
        double[] d = new double[aPoints.length];
        List<double[]> dr = new java.util.ArrayList<>();
        for (int s = 0; s < d.length; s++) {
            d[s] = aPoints[s] - refPoints[s];
            double[] x = a.get(s);
            double[] y = ref.get(s);
            if (x.length != y.length) {
                throw new IllegalArgumentException("paired runs need as many replicates");
            }
            double[] e = new double[x.length];
            for (int b = 0; b < e.length; b++) {
                e[b] = x[b] - y[b];
            }
            dr.add(e);
        }
        Estimate e = of(d, dr);
        return new Estimate(e.centre(), e.seedVar(), e.probeVar(), e.seeds(), true);
    }

    /**
     * Benjamini and Hochberg's step-up adjustment: the i-th smallest of k p-values times k / i, made
     * monotone from the largest down and capped at 1. Marking where the adjusted value is at most q holds
     * the expected share of false marks among a board's marks to q when the comparisons are independent or
     * positively dependent (all share the reference row, which makes them positively dependent); with
     * no true difference on the board it is also the chance of any false mark. Holm's family-wise control
     * asks, with 3 seeds (t on 2 degrees of freedom) and 33 comparisons, for p below 0.0015 from the first
     * comparison on: a quickstart row 0.27 above the reference row on every seed (p 0.003), went unmarked.
     */
    static double[] benjaminiHochberg(double[] p) {
        int k = p.length;
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(p[x], p[y]));
        double[] out = new double[k];
        double running = 1;
        for (int i = k - 1; i >= 0; i--) {
            running = Math.min(running, Math.min(1, p[order[i]] * k / (i + 1)));
            out[order[i]] = running;
        }
        return out;
    }

    static double mean(double[] xs) {
        double s = 0;
        for (double x : xs) {
            s += x;
        }
        return s / xs.length;
    }

    /** Sample variance, n − 1 in the denominator. */
    static double variance(double[] xs) {
        double m = mean(xs);
        double ss = 0;
        for (double x : xs) {
            ss += (x - m) * (x - m);
        }
        return ss / (xs.length - 1);
    }
}
