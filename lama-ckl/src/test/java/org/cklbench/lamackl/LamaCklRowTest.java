package org.cklbench.lamackl;

import org.cklbench.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LamaCklRowTest {
    @TempDir
    Path tmp;

    @Test
    void theReleasedFilesReadWhole() throws Exception {
        for (String f : List.of("variant.jsonl", "invariant_descriptive.jsonl", "invariant_schematic.jsonl")) {
            List<LamaCklRow> rows = LamaCklRow.read(Shared.require("data/lama-ckl/" + f));
            assertThat(rows).hasSize(500);
            assertThat(rows).allMatch(r -> r.invariant() == !f.equals("variant.jsonl"));
        }
    }

    @Test
    void aMalformedLineIsNamedWithFileAndLine() throws Exception {
        Path f = tmp.resolve("variant.jsonl");
        String good = Files.readAllLines(Shared.require("data/lama-ckl/variant.jsonl")).get(0);
        Files.write(f, List.of(good, good.substring(0, 40)));
        assertThatThrownBy(() -> LamaCklRow.read(f)).hasMessageContaining("variant.jsonl:2")
                .hasMessageContaining("malformed JSON");
    }

    @Test
    void aRowMissingAFieldIsNamed() throws Exception {
        Path f = tmp.resolve("rows.jsonl");
        String good = Files.readAllLines(Shared.require("data/lama-ckl/variant.jsonl")).get(0);
        Files.write(f, List.of(good, good, good.replace("\"object\":", "\"obj\":")));
        assertThatThrownBy(() -> LamaCklRow.read(f)).hasMessageContaining("rows.jsonl:3")
                .hasMessageContaining("missing field 'object'");
    }
}
