package org.cklbench.core.run;

import org.cklbench.runfolder.RunProvenance;
import org.cklbench.runfolder.RunRecord;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** When verify expects the same bytes: the same code, platform and pinned arithmetic, not the same CPU. */
class SameArithmeticTest {
    private static final String PINNED = "pinned v1 ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=AVX2,STRICT; intra-op threads 1";

    private static Map<String, Object> software(String cpu, int cpus, String device, String arithmetic) {
        Map<String, Object> m = new HashMap<>(Map.of("suite_version", "1", "git_commit", "abc", "java", "17", "djl", "0.36.0",
                "pytorch", "2.7.1", "os", "Linux amd64", "device", device, "dtype", "default", "cpu", cpu, "cpus", cpus));
        if (arithmetic != null) {
            m.put("arithmetic", arithmetic);
        }
        return m;
    }

    private static RunRecord recorded(Map<String, Object> software) {
        return new RunRecord("x", null, new RunProvenance(software, null, null, null, null, null, null, null), List.of(),
                null, null);
    }

    @Test
    void aPinnedCpuRunIsExpectedByteEqualOnAnotherCpu() {
        assertThat(Verifier.sameArithmetic(recorded(software("Intel Xeon", 2, "cpu", PINNED)),
                software("AMD EPYC", 16, "cpu", PINNED))).isTrue();
    }

    @Test
    void anotherPinOrNoneIsNot() {
        assertThat(Verifier.sameArithmetic(recorded(software("AMD EPYC", 2, "cpu", PINNED)),
                software("AMD EPYC", 2, "cpu", PINNED.replace("threads 1", "threads 2")))).isFalse();
        // made before the pin: no arithmetic recorded
        assertThat(Verifier.sameArithmetic(recorded(software("AMD EPYC", 2, "cpu", null)),
                software("AMD EPYC", 2, "cpu", PINNED))).isFalse();
        // unpinned on purpose: then only the same CPU model and count
        String unpinned = "unpinned; intra-op threads 1";
        assertThat(Verifier.sameArithmetic(recorded(software("AMD EPYC", 2, "cpu", unpinned)),
                software("Intel Xeon", 2, "cpu", unpinned))).isFalse();
        assertThat(Verifier.sameArithmetic(recorded(software("AMD EPYC", 2, "cpu", unpinned)),
                software("AMD EPYC", 2, "cpu", unpinned))).isTrue();
    }

    @Test
    void aGpuRunStillNeedsTheSameMachine() {
        assertThat(Verifier.sameArithmetic(recorded(software("Intel Xeon", 2, "gpu", PINNED)),
                software("AMD EPYC", 2, "gpu", PINNED))).isFalse();
    }
}
