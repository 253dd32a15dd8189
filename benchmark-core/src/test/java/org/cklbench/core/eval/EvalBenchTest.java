package org.cklbench.core.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EvalBenchTest {

    @Test
    void syntheticProbesAreShapedLikeLamaOnes() {
        List<ProbeEvaluator.Located> probes = EvalBench.probes(200, 50);
        assertThat(probes).hasSize(200).allSatisfy(p -> {
            assertThat(p.ids()).hasSizeBetween(10, 26);
            assertThat(p.ids()[0]).isEqualTo(1);
            assertThat(p.objectLength()).isBetween(1, 3);
            // the object ends right before the full stop
            assertThat(p.objectStart() + p.objectLength()).isEqualTo(p.ids().length - 1);
            assertThat(java.util.Arrays.stream(p.ids()).allMatch(id -> id >= 1 && id < 50)).isTrue();
        });
        assertThat(EvalBench.probes(200, 50).get(17).ids()).containsExactly(probes.get(17).ids());
    }

    @Test
    void aTinyShapeReportsItsThroughput() {
        ObjectNode out = EvalBench.run(new EvalBench.Options(16, 1, 2, 1, 32, 40, 20, 8, 1, 1));
        assertThat(out.get("probes_per_s").asDouble()).isPositive();
        assertThat(out.get("parameters").asLong()).isEqualTo(40 * 16 * 2 + 16 * 16 * 2 + 16 * 8 * 2 + 3 * 16 * 32 + 16 * 3);
    }
}
