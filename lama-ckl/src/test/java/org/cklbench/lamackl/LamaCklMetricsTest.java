package org.cklbench.lamackl;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LamaCklMetricsTest {
    private static LamaCklMetrics.Point p(int e, double learn, double keep) {
        return new LamaCklMetrics.Point(e, learn, keep);
    }

    @Test
    void theFirstEpochReachingTheTopWinsATie() {
        var m = LamaCklMetrics.fromCurve(List.of(p(0, 0.0, 0.90), p(1, 0.2, 0.85), p(2, 0.4, 0.80), p(3, 0.4, 0.95),
                p(4, 0.3, 0.99)));
        assertThat(m.topAcc()).isEqualTo(0.4);
        assertThat(m.epoch()).isEqualTo(2);
        assertThat(m.nfAcc()).isEqualTo(0.80);
        assertThat(m.totalKnowledge()).isEqualTo(1.2, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void theBestEpochCanBeEpochZero() {
        var m = LamaCklMetrics.fromCurve(List.of(p(0, 0.1, 0.9), p(1, 0.1, 0.5), p(2, 0.05, 0.4)));
        assertThat(m.epoch()).isZero();
        assertThat(m.nfAcc()).isEqualTo(0.9);
        assertThat(m.totalKnowledge()).isEqualTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void anEmptyCurveIsAnError() {
        assertThatThrownBy(() -> LamaCklMetrics.fromCurve(List.of())).hasMessageContaining("no evaluation");
    }
}
