package org.cklbench.sweeps;

import org.cklbench.core.plugin.Registries;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A grid's cost is a positive number, named with the file and sub-grid when it is not; --seeds replaces the seed axis. */
class GridCostTest {
    @Test
    void aCostThatIsNoPositiveNumberIsRefusedWithItsPlace() throws Exception {
        Registries none = Registries.load(null);
        for (String bad : List.of("\"2\"", "0", "-1", "[1, 2]")) {
            Grid g = Grid.parse("{\"benchmark\": \"b\", \"method\": \"m\", \"preset\": \"p\", \"grids\": [{\"cost\": " + bad
                    + "}, {\"seed\": 1}]}", Path.of("plan.json"));
            assertThatThrownBy(() -> g.expand(none)).hasMessageContaining("plan.json, grids[0]: \"cost\" must be a positive number");
        }
    }

    @Test
    void anUnknownKeyListsCostAmongTheKeys() {
        Grid g = Grid.parse("{\"benchmark\": \"b\", \"method\": \"m\", \"preset\": \"p\", \"costs\": 2}", Path.of("plan.json"));
        assertThatThrownBy(() -> g.expand(Registries.load(null))).hasMessageContaining("unknown key 'costs'")
                .hasMessageContaining("cost");
    }

    @Test
    void onlyAnAxisCanBeReplaced() {
        Grid g = Grid.parse("{\"benchmark\": \"b\", \"method\": \"m\", \"preset\": \"p\"}", Path.of("plan.json"));
        assertThatThrownBy(() -> g.with("cost", List.of(1))).hasMessageContaining("no axis");
    }
}
