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
        Files.write(f, List.of(good, withUuid(good, "second"), withUuid(good, "third").replace("\"object\":", "\"obj\":")));
        assertThatThrownBy(() -> LamaCklRow.read(f)).hasMessageContaining("rows.jsonl:3")
                .hasMessageContaining("missing field 'object'");
    }

    private static String withUuid(String row, String uuid) throws Exception {
        var o = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(row);
        return o.put("uuid", uuid).toString();
    }

    /** Once both were read: two probes of one uuid scored as one, and a fact trained on no text. */
    @Test
    void aDuplicateUuidAndAnEmptyEvidenceAreNamedWithFileAndLine() throws Exception {
        Path f = tmp.resolve("variant.jsonl");
        List<String> rows = Files.readAllLines(Shared.require("data/lama-ckl/variant.jsonl")).subList(0, 3);
        Files.write(f, List.of(rows.get(0), rows.get(1), rows.get(0)));
        String uuid = LamaCklRow.read(Shared.require("data/lama-ckl/variant.jsonl")).get(0).uuid();
        assertThatThrownBy(() -> LamaCklRow.read(f)).hasMessageContaining("variant.jsonl:3")
                .hasMessageContaining("uuid " + uuid + " is also on line 1");
        var o = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(rows.get(1));
        Files.write(f, List.of(rows.get(0), o.put("evidence", " ").toString()));
        assertThatThrownBy(() -> LamaCklRow.read(f)).hasMessageContaining("variant.jsonl:2")
                .hasMessageContaining("field 'evidence' is empty");
    }
}
