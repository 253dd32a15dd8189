package org.cklbench.io;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExecutablesTest {
    @Test
    void aProgramIsFoundOnThePathAndANameThatIsNoneIsNot() {
        assertThat(Executables.onPath("sh")).hasValueSatisfying(p -> assertThat(p.getFileName().toString()).isEqualTo("sh"));
        assertThat(Executables.onPath("no-such-program-ckl")).isEmpty();
    }
}
