package org.cklbench.core.train;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TrainerOrderTest {
    @Test
    void dataOrderIsAPermutationFixedBySeedAndStage() {
        int[] a = Trainer.order(50, 7, 3);
        assertThat(a).containsExactlyInAnyOrder(java.util.stream.IntStream.range(0, 50).toArray());
        assertThat(Trainer.order(50, 7, 3)).containsExactly(a);
        assertThat(Trainer.order(50, 7, 4)).isNotEqualTo(a);
        assertThat(Trainer.order(50, 8, 3)).isNotEqualTo(a);
    }
}
