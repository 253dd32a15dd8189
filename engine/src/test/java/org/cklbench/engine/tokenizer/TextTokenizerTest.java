package org.cklbench.engine.tokenizer;

import org.cklbench.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TextTokenizerTest {
    @TempDir
    Path tmp;
    /** The size of {@link #builtTokenizer}'s vocabulary. */
    private int vocab;

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

    /** A word-level tokenizer built here (no fixture needed): its ids run from 0 to {@code vocab - 1}. */
    private Path builtTokenizer() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tok"));
        vocab = WordLevelTokenizers.write(dir, List.of("Santiago is the capital of Chile ."));
        return dir;
    }

    /** Once "index out of range in self" at the model's first forward pass, far from the cause. */
    @Test
    void aTokenizerWithIdsBeyondTheModelsVocabularyIsRefusedWhenLoaded() throws Exception {
        Path dir = builtTokenizer();
        Files.writeString(dir.resolve("config.json"), "{\"vocab_size\": " + (vocab - 1) + "}");
        assertThatThrownBy(() -> TextTokenizer.load(dir)).hasMessageContaining("token id " + (vocab - 1))
                .hasMessageContaining("vocab_size " + (vocab - 1)).hasMessageContaining("does not belong to this model");
        Files.writeString(dir.resolve("config.json"), "{\"vocab_size\": " + vocab + "}");
        TextTokenizer.load(dir).close();
    }

    @Test
    void garbageTokenizerAndConfigFilesAreNamed() throws Exception {
        Path dir = builtTokenizer();
        Files.writeString(dir.resolve("config.json"), "{\"vocab_size\": " + vocab + ",,");
        assertThatThrownBy(() -> TextTokenizer.load(dir)).hasMessageContaining(dir.resolve("config.json").toString())
                .hasMessageContaining("not valid JSON");
        Files.delete(dir.resolve("config.json"));
        Files.writeString(dir.resolve("tokenizer.json"), "\u0000\u0001 not json");
        assertThatThrownBy(() -> TextTokenizer.load(dir)).hasMessageContaining(dir.resolve("tokenizer.json").toString())
                .hasMessageContaining("not valid JSON");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Nonsense\"}}");
        assertThatThrownBy(() -> TextTokenizer.load(dir)).hasMessageContaining(dir.resolve("tokenizer.json").toString())
                .hasMessageContaining("not a tokenizer");
    }
}
