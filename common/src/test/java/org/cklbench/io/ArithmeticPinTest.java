package org.cklbench.io;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ArithmeticPinTest {
    @Test
    void applyOverridesWhatTheParentSetAndRemovesWhatWouldUndoThePin() {
        Map<String, String> env = new HashMap<>(Map.of("MKL_ENABLE_INSTRUCTIONS", "AVX512", "ATEN_CPU_CAPABILITY", "default",
                "MKL_CBWR", "COMPATIBLE", "MKL_DEBUG_CPU_TYPE", "5", "PATH", "/bin"));
        assertThat(ArithmeticPin.inForce(env)).isFalse();
        assertThat(ArithmeticPin.describe(env)).startsWith("unpinned").contains("ATEN_CPU_CAPABILITY=default");
        ArithmeticPin.apply(env);
        assertThat(ArithmeticPin.inForce(env)).isTrue();
        assertThat(env).containsAllEntriesOf(ArithmeticPin.ENV).containsEntry("PATH", "/bin")
                .containsEntry(ArithmeticPin.MARK, Integer.toString(ArithmeticPin.VERSION)).doesNotContainKey("MKL_DEBUG_CPU_TYPE");
        assertThat(ArithmeticPin.describe(env)).startsWith("pinned v" + ArithmeticPin.VERSION + " ")
                .contains("ATEN_CPU_CAPABILITY=avx2", "MKL_CBWR=AVX2,STRICT");
    }

    @Test
    void oneValueAmissIsNotPinned() {
        Map<String, String> env = ArithmeticPin.apply(new HashMap<>());
        env.put("ATEN_CPU_CAPABILITY", "avx512");
        assertThat(ArithmeticPin.inForce(env)).isFalse();
        env.remove("ATEN_CPU_CAPABILITY");
        assertThat(ArithmeticPin.inForce(env)).isFalse();
    }

    @Test
    void theOptOutIsLeftAsItIs() {
        Map<String, String> env = new HashMap<>(Map.of(ArithmeticPin.OPT_OUT, "1", "ATEN_CPU_CAPABILITY", "default"));
        ArithmeticPin.apply(env);
        assertThat(env).containsEntry("ATEN_CPU_CAPABILITY", "default").doesNotContainKey("MKL_CBWR");
    }
}
