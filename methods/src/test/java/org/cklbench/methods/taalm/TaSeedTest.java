package org.cklbench.methods.taalm;

import org.cklbench.core.method.MethodRegistry;
import org.cklbench.core.method.ResolvedMethod;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * φ's seed follows the run's seed unless given, so a run's seeds vary φ's training too (issue 24): each
 * seed's preparation settings differ (Preparations keys its cache by them), the parts of a composed
 * method of one seed share one, and the seed is no variant of the row.
 */
class TaSeedTest {
    private final MethodRegistry methods = MethodRegistry.load(TaSeedTest.class.getClassLoader());

    private ResolvedMethod resolve(String spec, Map<String, String> given, long seed) {
        return methods.resolve(spec, Map.of("taalm", Map.of("ta_epochs", "2")), given, seed);
    }

    private String preparationKey(ResolvedMethod m) {
        return methods.preparations(m).get("taalm").settings().toString();
    }

    @Test
    void followsTheRunSeedAndKeysThePreparationByIt() {
        ResolvedMethod s1 = resolve("taalm", Map.of(), 1);
        ResolvedMethod s2 = resolve("taalm", Map.of(), 2);
        assertThat(s1.parts().get("taalm").getInt("ta_seed")).isEqualTo(1);
        assertThat(s2.parts().get("taalm").getInt("ta_seed")).isEqualTo(2);
        assertThat(preparationKey(s1)).isNotEqualTo(preparationKey(s2));
        // one seed, one φ: TAALM and its combinations of that seed share the preparation
        assertThat(preparationKey(resolve("taalm+kadapter", Map.of(), 2))).isEqualTo(preparationKey(s2));
        assertThat(preparationKey(resolve("taalm+mixreview", Map.of(), 2))).isEqualTo(preparationKey(s2));
        // the default is no variant: the row's seeds are one method, not three
        assertThat(s2.variant()).isEmpty();
        assertThat(s2.flat()).containsEntry("ta_seed", 2);
    }

    @Test
    void aGivenSeedIsKeptForEveryRunSeedAndIsAVariant() {
        ResolvedMethod a = resolve("taalm", Map.of("ta_seed", "7"), 1);
        ResolvedMethod b = resolve("taalm", Map.of("ta_seed", "7"), 3);
        assertThat(a.parts().get("taalm").getInt("ta_seed")).isEqualTo(7);
        assertThat(preparationKey(a)).isEqualTo(preparationKey(b));
        assertThat(b.variant()).containsEntry("ta_seed", 7);
        // given as the run's own seed, it is the default, not a variant
        assertThat(resolve("taalm", Map.of("ta_seed", "3"), 3).variant()).isEmpty();
    }

    @Test
    void aRunSeedOutsideTheParameterRangeIsNamed() {
        assertThatThrownBy(() -> resolve("taalm", Map.of(), 1L << 40))
                .hasMessageContaining("ta_seed follows the run's seed");
        assertThat(resolve("taalm", Map.of("ta_seed", "5"), 1L << 40).parts().get("taalm").getInt("ta_seed"))
                .isEqualTo(5);
    }
}
