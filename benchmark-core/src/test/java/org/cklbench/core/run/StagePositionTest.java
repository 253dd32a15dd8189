package org.cklbench.core.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A checkpoint's position is read back as written; the positions only earlier commits wrote are refused, not guessed. */
class StagePositionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode state(ObjectNode extra) {
        ObjectNode s = JSON.createObjectNode().put("stage", 2);
        s.set("extra", extra);
        return s;
    }

    @Test
    void readsBackWhatItWrote() {
        StagePosition at = new StagePosition(3, 17, 4.25);
        assertThat(StagePosition.of(state(at.toJson()))).isEqualTo(at);
    }

    @Test
    void refusesTheCheckpointsOfEarlierCommits() {
        for (ObjectNode old : new ObjectNode[] {JSON.createObjectNode().put("epoch", 2).put("step_in_epoch", 5),
            JSON.createObjectNode().put("period_index", 1).put("step_in_period", 5), JSON.createObjectNode()}) {
            assertThatThrownBy(() -> StagePosition.of(state(old))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("run-folder format 1").hasMessageContaining("delete the checkpoint");
        }
    }
}
