package org.cklbench.lamackl.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.lamackl.LamaCklRow;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DedupTest {
    private static final String BASE = "The river Olenta rises in the northern hills and flows for two hundred kilometres"
            + " through farmland, past the old mill towns of Carro and Vessel, before it reaches the sea at Port Amber,"
            + " where a lighthouse built in 1870 still guides the fishing boats home every evening.";

    static LamaCklRow row(String uuid, String rel, String subject, String object, String evidence, boolean invariant,
                          double score) {
        ObjectNode scores = new ObjectMapper().createObjectNode();
        scores.putObject("descriptive").put("m", score);
        scores.putObject("schematic").put("m", score);
        return new LamaCklRow(rel, uuid, subject + " is linked to " + object + " .",
                LamaCklRow.schematic(subject, "rel", object), subject, "rel", object, evidence, evidence, 0.5,
                evidence.length(), invariant, scores);
    }

    @Test
    void aPlantedNearDuplicateIsFoundAndAnUnrelatedTextIsNot() throws Exception {
        String near = BASE.replace("two hundred", "three hundred").replace("every evening", "each evening");
        String other = "Carla Mendez studied chemistry in Lyon and later founded a small laboratory that tests the water"
                + " quality of mountain lakes for several regional councils across the southern provinces of the country.";
        List<Dedup.Doc> docs = List.of(
                new Dedup.Doc("to_learn", row("a", "P108", "Olenta", "Amber", BASE, false, 0)),
                new Dedup.Doc("train_attention", row("b", "P17", "Carro", "Vessel", near, true, 0)),
                new Dedup.Doc("train_attention", row("c", "P17", "Carla", "Lyon", other, true, 0)),
                new Dedup.Doc("to_learn", row("d", "P108", "Olenta", "Amber", BASE.toUpperCase(), false, 0)));
        List<Dedup.Pair> pairs = Dedup.find(docs);
        assertThat(pairs).anySatisfy(p -> {
            assertThat(p.kind()).isEqualTo("near");
            assertThat(p.a().row().uuid()).isEqualTo("a");
            assertThat(p.b().row().uuid()).isEqualTo("b");
            assertThat(p.jaccard()).isGreaterThanOrEqualTo(Dedup.NEAR_JACCARD).isLessThan(1.0);
        });
        assertThat(pairs).anySatisfy(p -> assertThat(p.kind() + p.a().row().uuid() + p.b().row().uuid()).isEqualTo("exactad"));
        assertThat(pairs).anySatisfy(p -> assertThat(p.kind() + p.a().row().uuid() + p.b().row().uuid()).isEqualTo("triplead"));
        assertThat(pairs).noneMatch(p -> p.a().row().uuid().equals("c") || p.b().row().uuid().equals("c"));
    }

    @Test
    void trainAttentionDocumentsThatLeakToLearnAreRemoved() throws Exception {
        List<LamaCklRow> rows = new ArrayList<>();
        String filler = " It is described in many regional guides and travel books of the last century.";
        rows.add(row("learn-1", "P108", "Olenta", "Amber", BASE + filler, false, 0.0));
        rows.add(row("ta-leak", "P108", "Olenta", "Vessel", BASE.replace("two hundred", "three hundred") + filler, false, 0.25));
        rows.add(row("ta-ok", "P108", "Carro", "museum", "Carro is a mill town on the Olenta whose mill, now a museum,"
                + " ground the grain of the valley for four centuries before the railway arrived and changed its trade."
                + filler, false, 0.25));
        var r = LamaCklBuilder.select(rows, 10, 1, false);
        assertThat(r.toLearn()).extracting(LamaCklRow::uuid).containsExactly("learn-1");
        assertThat(r.trainAttention()).extracting(LamaCklRow::uuid).containsExactly("ta-ok");
        assertThat(r.report().at("/removed/train_attention_duplicating_to_learn").toString()).contains("ta-leak");
    }
}
