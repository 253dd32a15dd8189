package org.cklbench.temporalwiki.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.cklbench.core.benchmark.MetaExample;
import org.cklbench.io.JsonLines;
import org.cklbench.temporalwiki.TemporalWikiBenchmark;
import org.cklbench.temporalwiki.TwikiProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The meta-training split a build holds out: subjects never probed or trained on, their changed facts with their diff text. */
class MetaTrainingSplitTest {
    @TempDir
    Path tmp;

    private static SnapshotBuilder.Result result(int subjects) {
        List<TwikiProbe> changed = new ArrayList<>();
        List<TwikiProbe> unchanged = new ArrayList<>();
        Map<String, String> diff = new LinkedHashMap<>();
        for (int i = 0; i < subjects; i++) {
            String s = "Subject" + i;
            changed.add(new TwikiProbe(s, "employer", "Org" + i));
            unchanged.add(new TwikiProbe(s, "country", "Land" + i));
            diff.put(s, s + " now works for Org" + i + " , the records of the year say so at length .");
        }
        return new SnapshotBuilder.Result(changed, unchanged, diff, new ObjectMapper().createObjectNode());
    }

    @Test
    void heldOutSubjectsLeaveTheBenchmarkAndMakeTheSplit() throws Exception {
        SnapshotBuilder.Result r = result(200);
        Predicate<String> held = SnapshotBuilder.heldOut(0.2);
        long n = r.changed().stream().filter(p -> held.test(p.subject())).count();
        assertThat(n).as("about a fifth of 200").isBetween(25L, 55L);
        SnapshotBuilder.write(r, tmp, "0901-1001", "0910", s -> !held.test(s));
        List<Map<String, String>> rows = SnapshotBuilder.metaTraining(r, "0910", held);
        assertThat(rows).hasSize((int) n);
        Path split = tmp.resolve("train_attention.jsonl");
        SnapshotBuilder.writeMetaTraining(split, "0910", rows);

        List<String> probed = new ArrayList<>();
        JsonLines.forEach(tmp.resolve("probes/0901-1001_changed.jsonl"), l -> probed.add(l.text("subject")));
        JsonLines.forEach(tmp.resolve("probes/0901-1001_unchanged.jsonl"), l -> probed.add(l.text("subject")));
        assertThat(probed).noneMatch(held);
        assertThat(Files.readString(tmp.resolve("diffsets/0910.jsonl"))).doesNotContain(rows.get(0).get("subject") + " now");

        List<MetaExample> examples = new TemporalWikiBenchmark().readMetaTraining(split);
        assertThat(examples).hasSize((int) n);
        MetaExample e = examples.get(0);
        assertThat(held.test(rows.get(0).get("subject"))).isTrue();
        assertThat(e.document()).contains(rows.get(0).get("object"));
        assertThat(e.task()).endsWith("object is " + e.object()).contains("subject is " + rows.get(0).get("subject"));
    }

    @Test
    void eachPeriodsRowsAreReplacedAndTheOthersKept() throws Exception {
        Predicate<String> held = SnapshotBuilder.heldOut(0.5);
        Path split = tmp.resolve("train_attention.jsonl");
        SnapshotBuilder.writeMetaTraining(split, "0910", SnapshotBuilder.metaTraining(result(20), "0910", held));
        SnapshotBuilder.writeMetaTraining(split, "1011", SnapshotBuilder.metaTraining(result(20), "1011", held));
        long before = Files.readAllLines(split).size();
        SnapshotBuilder.writeMetaTraining(split, "0910", SnapshotBuilder.metaTraining(result(20), "0910", held));
        assertThat(Files.readAllLines(split)).hasSize((int) before);
        assertThat(Files.readString(split)).contains("\"id\":\"0910/").contains("\"id\":\"1011/");
        assertThatThrownBy(() -> SnapshotBuilder.heldOut(1.0)).hasMessageContaining("[0, 1)");
    }
}
