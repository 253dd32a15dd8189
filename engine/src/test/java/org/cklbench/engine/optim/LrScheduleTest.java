package org.cklbench.engine.optim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LrScheduleTest {
    @Test
    void warmupThenDecay() {
        LrSchedule lin = new LrSchedule("linear", 1.0, 4, 14);
        assertThat(lin.at(0)).isEqualTo(0.25);
        assertThat(lin.at(3)).isEqualTo(1.0);
        assertThat(lin.at(9)).isCloseTo(0.5, within(1e-12));
        assertThat(lin.at(14)).isEqualTo(0.0);
        LrSchedule cos = new LrSchedule("cosine", 2.0, 0, 10);
        assertThat(cos.at(0)).isEqualTo(2.0);
        assertThat(cos.at(5)).isCloseTo(1.0, within(1e-12));
        assertThat(new LrSchedule("constant", 3e-4, 0, 10).at(7)).isEqualTo(3e-4);
    }
}
