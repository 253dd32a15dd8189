package org.cklbench.site;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class IntervalsTest {
    /** By hand, as numpy.percentile(x, [2.5, 97.5]) computes it: position q (n − 1), linear between neighbours. */
    @Test
    void percentilesInterpolateAsNumpyDoes() {
        double[] xs = {5, 1, 4, 2, 3}; // sorted 1..5, positions 0.1 and 3.9
        double[] ci = Intervals.interval(xs);
        assertThat(ci[0]).isCloseTo(1.1, within(1e-12));
        assertThat(ci[1]).isCloseTo(4.9, within(1e-12));
        double[] many = new double[1000];
        for (int i = 0; i < many.length; i++) {
            many[i] = i; // positions 24.975 and 974.025
        }
        double[] c2 = Intervals.interval(many);
        assertThat(c2[0]).isCloseTo(24.975, within(1e-9));
        assertThat(c2[1]).isCloseTo(974.025, within(1e-9));
    }

    @Test
    void oneSeedIsTheProbeBootstrapAlone() {
        double[] run = {0.1, 0.4, 0.2};
        assertThat(Intervals.row(List.of(run))).containsExactly(0.1, 0.4, 0.2);
    }

    /** Seeds drawn with replacement: each replicate is the mean of drawn runs, so it lies between them. */
    @Test
    void severalSeedsAverageDrawnRunsReplicateByReplicate() {
        double[] a = {0.0, 1.0, 0.0, 1.0};
        double[] b = {1.0, 1.0, 0.0, 0.0};
        double[] row = Intervals.row(List.of(a, b));
        assertThat(row[1]).isEqualTo(1.0); // both runs say 1 there, whatever is drawn
        assertThat(row[2]).isEqualTo(0.0);
        for (double x : new double[] {row[0], row[3]}) {
            assertThat(x).isIn(0.0, 0.5, 1.0);
        }
        assertThat(Intervals.row(List.of(a, b))).as("the same every build").containsExactly(row);
    }

    /** Paired: a constant offset between two methods on the same draws is found exactly, with no spread. */
    @Test
    void aPairedDifferenceRemovesWhatBothRowsShare() {
        double[] f1 = {0.30, 0.10, 0.50, 0.20};
        double[] f2 = {0.40, 0.20, 0.10, 0.30};
        double[] a1 = {0.35, 0.15, 0.55, 0.25};
        double[] a2 = {0.45, 0.25, 0.15, 0.35};
        double[] d = Intervals.pairedDifference(List.of(a1, a2), List.of(f1, f2));
        for (double x : d) {
            assertThat(x).isCloseTo(0.05, within(1e-12));
        }
        double[] ci = Intervals.interval(d);
        assertThat(ci[0]).isCloseTo(0.05, within(1e-12));
        // unpaired, the same rows' intervals overlap widely
        double[] ra = Intervals.interval(Intervals.row(List.of(a1, a2)));
        double[] rf = Intervals.interval(Intervals.row(List.of(f1, f2)));
        assertThat(ra[0]).isLessThan(rf[1]);
    }
}
