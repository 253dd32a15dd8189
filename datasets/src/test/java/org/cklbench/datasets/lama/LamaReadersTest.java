package org.cklbench.datasets.lama;

import org.cklbench.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LamaReadersTest {
    @TempDir
    Path tmp;

    @Test
    void theSampleReads() throws Exception {
        Path root = Shared.require("data/lama-trex-sample");
        assertThat(LamaRelation.read(root.resolve("relations.jsonl"))).hasSize(36);
        List<TrexFact> facts = new ArrayList<>();
        for (Path f : TrexFact.relationFiles(root.resolve("TREx"))) {
            TrexFact.forEach(f, TrexFact.relationOf(f), facts::add);
        }
        assertThat(facts).hasSize(1436);
    }

    @Test
    void aTemplateWithoutXOrYIsNamed() throws Exception {
        Path f = tmp.resolve("relations.jsonl");
        Files.write(f, List.of("{\"relation\":\"P19\",\"template\":\"[X] was born in [Y] .\",\"label\":\"place of birth\"}",
                "{\"relation\":\"P20\",\"template\":\"[X] died somewhere .\",\"label\":\"place of death\"}"));
        assertThatThrownBy(() -> LamaRelation.read(f)).hasMessageContaining("relations.jsonl:2")
                .hasMessageContaining("[X] and [Y]");
    }

    @Test
    void aTrexLineWithoutEvidencesIsNamed() throws Exception {
        Path f = tmp.resolve("P19.jsonl");
        Files.write(f, List.of(
                "{\"uuid\":\"u1\",\"sub_label\":\"A\",\"obj_label\":\"B\",\"evidences\":[{\"masked_sentence\":\"A was born in [MASK] .\"}]}",
                "{\"uuid\":\"u2\",\"sub_label\":\"C\",\"obj_label\":\"D\",\"evidences\":[]}"));
        assertThatThrownBy(() -> TrexFact.forEach(f, "P19", x -> { })).hasMessageContaining("P19.jsonl:2")
                .hasMessageContaining("u2").hasMessageContaining("no evidences");
    }
}
