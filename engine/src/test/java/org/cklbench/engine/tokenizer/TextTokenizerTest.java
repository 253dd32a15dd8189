package org.cklbench.engine.tokenizer;

import org.cklbench.testing.Shared;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextTokenizerTest {

    @Test
    void the32kFixtureTokenizerGivesTheListedIds() throws Exception {
        try (TextTokenizer tok = TextTokenizer.load(Shared.require("fixtures/tokenizer-32k"))) {
            assertThat(tok.encode("Santiago is the capital of Chile ."))
                    .containsExactly(1, 24421, 349, 272, 5565, 302, 17406, 842);
            assertThat(tok.encode("Chile")).containsExactly(1, 17406);
            assertThat(tok.encodePlain("Chile")).containsExactly(17406);
            assertThat(tok.encode("Santiago is the capital of Chile .", 3)).as("cut after BOS + 2")
                    .containsExactly(1, 24421, 349);
            assertThat(tok.encode("Chile", 8)).as("shorter than the window: whole").containsExactly(1, 17406);
            assertThat(tok.bosId()).isEqualTo(1);
            assertThat(tok.eosId()).isEqualTo(2);
        }
    }
}
