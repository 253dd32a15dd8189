package org.cklbench.site;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class IntervalsTest {
    /** Bootstrap replicates per simulated run: fewer than the suite's 1000, enough for a standard error. */
    private static final int B = 200;

    /** With one seed: the normal interval on the probe replicates' standard deviation, around the run's own score. */
    @Test
    void oneSeedIsTheProbeBootstrapAlone() {
        double[] reps = {0.1, 0.4, 0.2, 0.3};
        Intervals.Estimate e = Intervals.of(new double[] {0.5}, List.of(reps));
        double sd = Math.sqrt(Intervals.variance(reps));
        assertThat(e.centre()).isEqualTo(0.5);
        assertThat(e.seedVar()).isZero();
        assertThat(e.lo()).isCloseTo(0.5 - 1.959964 * sd, within(1e-6));
        assertThat(e.hi()).isCloseTo(0.5 + 1.959964 * sd, within(1e-6));
    }

    /**
     * Three seeds with no probe effect (their replicates do not co-vary): the t interval on the seed
     * means, t(0.975, 2) = 4.3027, s/√n as the standard error (resampling the seeds gave a standard
     * error √(2/3) of that, read at 1.96).
     */
    @Test
    void threeSeedsUseStudentsTWithTwoDegreesOfFreedom() {
        double[] points = {0.30, 0.40, 0.50};
        // replicates of each seed vary, but independently of the others: no shared probe effect
        List<double[]> reps = List.of(new double[] {0.3, 0.3, 0.3, 0.3}, new double[] {0.4, 0.4, 0.4, 0.4},
                new double[] {0.5, 0.5, 0.5, 0.5});
        Intervals.Estimate e = Intervals.of(points, reps);
        double se = 0.1 / Math.sqrt(3);
        assertThat(e.se()).isCloseTo(se, within(1e-12));
        assertThat(e.probeVar()).isZero();
        assertThat(e.lo()).isCloseTo(0.4 - 4.302653 * se, within(1e-6));
        assertThat(e.hi()).isCloseTo(0.4 + 4.302653 * se, within(1e-6));
    }

    /** The probe part is what the seeds' replicates share: identical replicates add their whole variance. */
    @Test
    void theProbePartIsTheCovarianceBetweenSeeds() {
        double[] shared = {0.1, 0.3, 0.2, 0.4};
        Intervals.Estimate same = Intervals.of(new double[] {0.25, 0.25}, List.of(shared, shared));
        assertThat(same.se() * same.se()).isCloseTo(Intervals.variance(shared), within(1e-12));
        double[] opposite = {0.4, 0.2, 0.3, 0.1};
        Intervals.Estimate none = Intervals.of(new double[] {0.25, 0.25}, List.of(shared, opposite));
        assertThat(none.se()).as("negative covariance floors at 0").isZero();
    }

    /** Paired: a constant offset between two methods on the same seeds and draws is found exactly, with no spread. */
    @Test
    void aPairedDifferenceRemovesWhatBothRowsShare() {
        double[] f1 = {0.30, 0.10, 0.50, 0.20};
        double[] f2 = {0.40, 0.20, 0.10, 0.30};
        double[] a1 = {0.35, 0.15, 0.55, 0.25};
        double[] a2 = {0.45, 0.25, 0.15, 0.35};
        Intervals.Estimate d = Intervals.difference(new double[] {0.35, 0.45}, List.of(a1, a2),
                new double[] {0.30, 0.40}, List.of(f1, f2));
        assertThat(d.centre()).isCloseTo(0.05, within(1e-12));
        assertThat(d.se()).isCloseTo(0, within(1e-12));
        assertThat(d.p()).isZero();
        assertThat(d.lo()).isCloseTo(0.05, within(1e-12));
        // unpaired, the same rows' intervals overlap widely
        Intervals.Estimate ra = Intervals.of(new double[] {0.35, 0.45}, List.of(a1, a2));
        Intervals.Estimate rf = Intervals.of(new double[] {0.30, 0.40}, List.of(f1, f2));
        assertThat(ra.lo()).isLessThan(rf.hi());
    }

    /** The p-value is where the interval reaches 0: p = 0.05 exactly when 0 is an end of the 95% interval. */
    @Test
    void thePValueMatchesTheInterval() {
        double[] shared = {0.1, 0.3, 0.2, 0.4};
        Intervals.Estimate base = Intervals.of(new double[] {0.0, 0.1, 0.2}, List.of(shared, shared, shared));
        double half = base.hi() - base.centre();
        Intervals.Estimate edge = new Intervals.Estimate(half, base.seedVar(), base.probeVar(), 3);
        assertThat(edge.p()).isCloseTo(0.05, within(1e-9));
        assertThat(new Intervals.Estimate(half * 1.01, base.seedVar(), base.probeVar(), 3).p()).isLessThan(0.05);
        assertThat(new Intervals.Estimate(-half * 0.99, base.seedVar(), base.probeVar(), 3).p()).isGreaterThan(0.05);
        // with one part only, the familiar tests: the t test with 2 degrees of freedom, the z test
        assertThat(new Intervals.Estimate(4.302653, 1, 0, 3).p()).isCloseTo(0.05, within(1e-6));
        assertThat(new Intervals.Estimate(1.959964, 0, 1, 1).p()).isCloseTo(0.05, within(1e-6));
    }

    /**
     * Benjamini-Hochberg by hand: sorted 0.01, 0.02, 0.04, 0.30 times 4/1, 4/2, 4/3, 4/4, then the running
     * minimum from the largest: 0.04, 0.04, 0.0533, 0.30 (0.01 × 4 = 0.04 and 0.02 × 2 = 0.04).
     */
    @Test
    void benjaminiHochbergAdjustsStepUp() {
        double[] adj = Intervals.benjaminiHochberg(new double[] {0.04, 0.30, 0.01, 0.02});
        assertThat(adj[2]).isCloseTo(0.04, within(1e-12));
        assertThat(adj[3]).isCloseTo(0.04, within(1e-12));
        assertThat(adj[0]).isCloseTo(0.04 * 4 / 3, within(1e-12));
        assertThat(adj[1]).isCloseTo(0.30, within(1e-12));
        // the step-up: a p-value above its own threshold is still marked when a larger one passes
        double[] up = Intervals.benjaminiHochberg(new double[] {0.03, 0.035});
        assertThat(up[0]).isCloseTo(0.035, within(1e-12));
    }

    /**
     * The population of a simulated benchmark: probe i has logit difficulty a_i ~ N(mu, probeSd), seed s
     * shifts every probe by d_s ~ N(0, seedSd), and a probe is answered (1) or not (0) with probability
     * sigmoid(a_i + d_s). The true value of the method is E[sigmoid(a + d)] over both populations.
     */
    record Population(double mu, double probeSd, double seedSd, int probes) {
        double truth() {
            double sd = Math.sqrt(probeSd * probeSd + seedSd * seedSd);
            if (sd == 0) {
                return sigmoid(mu);
            }
            // Simpson's rule over ±10 sd of N(mu, sd²)
            int steps = 4000;
            double lo = mu - 10 * sd;
            double h = 20 * sd / steps;
            double sum = 0;
            for (int k = 0; k <= steps; k++) {
                double z = lo + k * h;
                double w = k == 0 || k == steps ? 1 : k % 2 == 1 ? 4 : 2;
                sum += w * sigmoid(z) * Math.exp(-0.5 * (z - mu) * (z - mu) / (sd * sd)) / (sd * Math.sqrt(2 * Math.PI));
            }
            return sum * h / 3;
        }
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    /** One board's probes: their difficulties, and for each replicate the draw counts of every probe. */
    record Probes(double[] difficulty, int[][] counts) {
        static Probes draw(Population pop, SplittableRandom rng) {
            double[] a = new double[pop.probes()];
            for (int i = 0; i < a.length; i++) {
                a[i] = pop.mu() + pop.probeSd() * rng.nextGaussian();
            }
            int[][] counts = new int[B][a.length];
            for (int b = 0; b < B; b++) {
                for (int i = 0; i < a.length; i++) {
                    counts[b][rng.nextInt(a.length)]++;
                }
            }
            return new Probes(a, counts);
        }
    }

    /** One run (a seed) on the board's probes: its score and its replicates, as SummaryBootstrap makes them. */
    record Run(double point, double[] replicates) {
        static Run of(Probes probes, double seedShift, SplittableRandom rng) {
            int m = probes.difficulty().length;
            // answers are 0 or 1: a replicate is the draw counts of the answered probes, over m
            int[] answered = new int[m];
            int k = 0;
            for (int i = 0; i < m; i++) {
                if (rng.nextDouble() < sigmoid(probes.difficulty()[i] + seedShift)) {
                    answered[k++] = i;
                }
            }
            double[] reps = new double[B];
            for (int b = 0; b < B; b++) {
                int[] counts = probes.counts()[b];
                int r = 0;
                for (int j = 0; j < k; j++) {
                    r += counts[answered[j]];
                }
                reps[b] = r / (double) m;
            }
            return new Run(k / (double) m, reps);
        }
    }

    /** The share of {@code boards} simulated boards whose 95% interval holds the true value. */
    static double coverage(Population pop, int seeds, int boards, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double truth = pop.truth();
        int covered = 0;
        for (int k = 0; k < boards; k++) {
            Probes probes = Probes.draw(pop, rng);
            double[] points = new double[seeds];
            List<double[]> reps = new ArrayList<>();
            for (int s = 0; s < seeds; s++) {
                Run r = Run.of(probes, pop.seedSd() * rng.nextGaussian(), rng);
                points[s] = r.point();
                reps.add(r.replicates());
            }
            Intervals.Estimate e = Intervals.of(points, reps);
            assertThat(e.lo()).isLessThanOrEqualTo(e.centre());
            assertThat(e.hi()).isGreaterThanOrEqualTo(e.centre());
            covered += e.lo() <= truth && truth <= e.hi() ? 1 : 0;
        }
        return covered / (double) boards;
    }

    /** Seeds, probes, and the answer's own chance each dominating in turn, and all three together. */
    static final List<Population> POPULATIONS = List.of(
            new Population(-0.5, 0.3, 0.6, 200),   // the seed matters most
            new Population(0.0, 1.5, 0.05, 100),   // which probes were drawn matters most
            new Population(-0.8, 0.0, 0.0, 150),   // only each answer's chance: every probe and seed alike
            new Population(-1.0, 1.0, 0.3, 120));  // all of them

    /**
     * 95% intervals cover the true value in 93-97% of 2000 simulated boards, for 3 and for 5 seeds, in
     * each population (the binomial standard error of a coverage near 95% over 2000 boards is 0.5 points).
     */
    @Test
    void intervalsCoverTheTrueValueAsOftenAsTheySay() {
        long seed = 20261206;
        for (int seeds : new int[] {3, 5}) {
            for (Population pop : POPULATIONS) {
                double c = coverage(pop, seeds, 2000, seed++);
                assertThat(c).as("coverage with %d seeds in %s", seeds, pop).isBetween(0.93, 0.97);
            }
        }
    }

    /**
     * Under the null (four methods drawn from the same population as the reference, seeds shared by
     * pairing), the chance that a board shows any ▲/▼ after the Benjamini-Hochberg correction is at most 5%
     * (with no true difference its false-discovery rate is this chance), and a single p-value is at most α/4
     * (where the correction tests first) about 1.25% of the time; uncorrected, each comparison alone is
     * wrong at most 5% of the time and a board of four shows a false mark far more often.
     */
    @Test
    void pairedMarksAfterTheCorrectionHoldTheErrorRateUnderTheNull() {
        SplittableRandom rng = new SplittableRandom(424242);
        Population pop = new Population(-0.5, 1.0, 0.3, 120);
        int boards = 2000;
        int methods = 4;
        int seeds = 3;
        int anyCorrected = 0;
        int anyRaw = 0;
        int rawFalse = 0;
        int tail = 0;
        for (int k = 0; k < boards; k++) {
            Probes probes = Probes.draw(pop, rng);
            // the same seed shares its shift across methods (the same data order, say), plus a method's own part
            double[] shared = new double[seeds];
            for (int s = 0; s < seeds; s++) {
                shared[s] = pop.seedSd() * rng.nextGaussian();
            }
            Run[][] runs = new Run[methods + 1][seeds];
            for (int m = 0; m <= methods; m++) {
                for (int s = 0; s < seeds; s++) {
                    runs[m][s] = Run.of(probes, shared[s] + 0.2 * rng.nextGaussian(), rng);
                }
            }
            double[] p = new double[methods];
            for (int m = 1; m <= methods; m++) {
                p[m - 1] = Intervals.difference(points(runs[m]), reps(runs[m]), points(runs[0]), reps(runs[0])).p();
                rawFalse += p[m - 1] <= Intervals.ALPHA ? 1 : 0;
                tail += p[m - 1] <= Intervals.ALPHA / methods ? 1 : 0;
            }
            boolean raw = false;
            boolean corrected = false;
            double[] adj = Intervals.benjaminiHochberg(p);
            for (int i = 0; i < methods; i++) {
                raw |= p[i] <= Intervals.ALPHA;
                corrected |= adj[i] <= Intervals.ALPHA;
            }
            anyRaw += raw ? 1 : 0;
            anyCorrected += corrected ? 1 : 0;
        }
        // "at most 5%" up to the simulation's own error: 1.96 binomial standard errors of 5% over these boards
        double slack = 1.96 * Math.sqrt(0.05 * 0.95 / boards);
        assertThat(anyCorrected / (double) boards).as("boards with a false mark after the correction").isLessThanOrEqualTo(0.05 + slack);
        double tailSlack = 1.96 * Math.sqrt(0.0125 * 0.9875 / (boards * methods));
        assertThat(tail / (double) (boards * methods)).as("p ≤ α/4, where the correction tests first")
                .isLessThanOrEqualTo(Intervals.ALPHA / methods + tailSlack);
        assertThat(rawFalse / (double) (boards * methods)).as("each comparison alone").isBetween(0.03, 0.055);
        assertThat(anyRaw / (double) boards).as("boards with a false mark, uncorrected").isGreaterThan(0.10);
    }

    private static double[] points(Run[] runs) {
        double[] out = new double[runs.length];
        for (int i = 0; i < runs.length; i++) {
            out[i] = runs[i].point();
        }
        return out;
    }

    private static List<double[]> reps(Run[] runs) {
        List<double[]> out = new ArrayList<>();
        for (Run r : runs) {
            out.add(r.replicates());
        }
        return out;
    }
}
