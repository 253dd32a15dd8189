package org.cklbench.lamackl.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.testing.Shared;
import org.cklbench.lamackl.LamaCklRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class LamaCklBuilderTest {
    @TempDir
    Path tmp;

    static Map<String, JsonNode> releasedScores() throws Exception {
        Map<String, JsonNode> scores = new LinkedHashMap<>();
        for (String f : List.of("variant.jsonl", "invariant_descriptive.jsonl", "invariant_schematic.jsonl")) {
            for (LamaCklRow r : LamaCklRow.read(Shared.require("data/lama-ckl/" + f))) {
                scores.put(r.uuid(), r.scores());
            }
        }
        return scores;
    }

    @Test
    void theSampleWithTheReleasedScoresRebuildsTheReleasedToLearnSplit() throws Exception {
        List<LamaCklRow> candidates = Candidates.fromLama(Shared.require("data/lama-trex-sample"));
        assertThat(candidates).hasSize(1436);
        assertThat(LamaCklBuilder.attachScores(candidates, releasedScores())).isZero();
        LamaCklBuilder.Result r = LamaCklBuilder.select(candidates, 500, 1, false);
        LamaCklBuilder.write(r, tmp);

        List<LamaCklRow> released = LamaCklRow.read(Shared.require("data/lama-ckl/variant.jsonl"));
        List<LamaCklRow> built = LamaCklRow.read(tmp.resolve("variant.jsonl"));
        assertThat(built.stream().map(LamaCklRow::uuid).collect(Collectors.toSet()))
                .isEqualTo(released.stream().map(LamaCklRow::uuid).collect(Collectors.toSet()));
        // Rows are rebuilt from LAMA's input, field for field.
        Map<String, JsonNode> byUuid = new LinkedHashMap<>();
        released.forEach(x -> byUuid.put(x.uuid(), x.toJson()));
        for (LamaCklRow b : built) {
            assertThat(b.toJson()).isEqualTo(byUuid.get(b.uuid()));
        }
        for (LamaCklRow x : LamaCklRow.read(tmp.resolve("invariant_descriptive.jsonl"))) {
            assertThat(x.invariant()).isTrue();
            assertThat(Scores.mean(x, "descriptive")).isEqualTo(1.0);
            assertThat(Candidates.eligible(x)).isTrue();
        }
        for (LamaCklRow x : LamaCklRow.read(tmp.resolve("invariant_schematic.jsonl"))) {
            assertThat(x.invariant()).isTrue();
            assertThat(Scores.mean(x, "schematic")).isEqualTo(1.0);
        }
        assertThat(built.stream().filter(x -> x.relationCode().equals("P530")).count()).isLessThanOrEqualTo(130);
        JsonNode report = new ObjectMapper().readTree(tmp.resolve("dedup-report.json").toFile());
        assertThat(report.at("/within/to_learn/exact_duplicate_documents").asInt()).isEqualTo(32);
        assertThat(tmp.resolve("train_attention.jsonl")).exists();
    }

    @Test
    void auditOfTheReleasedSetFindsItsDuplicatesAndOverlaps() throws Exception {
        JsonNode report = Audit.audit(Shared.require("data/lama-ckl"));
        assertThat(report.at("/within/to_learn/exact_duplicate_documents").asInt()).isEqualTo(32);
        assertThat(report.get("to_learn_not_to_forget_overlaps").asInt()).isEqualTo(11);
    }

    @Test
    void samplingIsSeededAndHonoursTheP530Cap() throws Exception {
        List<LamaCklRow> candidates = Candidates.fromLama(Shared.require("data/lama-trex-sample"));
        LamaCklBuilder.attachScores(candidates, releasedScores());
        var a = LamaCklBuilder.select(candidates, 100, 7, false);
        var b = LamaCklBuilder.select(candidates, 100, 7, false);
        var c = LamaCklBuilder.select(candidates, 100, 8, false);
        assertThat(a.toLearn()).hasSize(100);
        assertThat(a.toLearn().stream().map(LamaCklRow::uuid).toList()).isEqualTo(b.toLearn().stream().map(LamaCklRow::uuid).toList());
        assertThat(a.toLearn().stream().map(LamaCklRow::uuid).toList()).isNotEqualTo(c.toLearn().stream().map(LamaCklRow::uuid).toList());
        Set<String> seen = new HashSet<>();
        List<LamaCklRow> p530 = candidates.stream().filter(x -> x.relationCode().equals("P530")).toList();
        assertThat(p530).isNotEmpty();
        var capped = LamaCklBuilder.sample(p530, 1000, 5, new java.util.SplittableRandom(1));
        assertThat(capped).hasSize(5);
        capped.forEach(x -> assertThat(seen.add(x.uuid())).isTrue());
    }
}
