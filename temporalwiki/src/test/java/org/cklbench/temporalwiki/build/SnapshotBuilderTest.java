package org.cklbench.temporalwiki.build;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.cklbench.temporalwiki.TwikiProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hand-written snapshots in the real formats; every filter and the caps are exercised. */
class SnapshotBuilderTest {
    @TempDir
    Path tmp;

    private static String item(String id, String label, String claims) {
        return "{\"type\":\"item\",\"id\":\"" + id + "\",\"labels\":{\"en\":{\"language\":\"en\",\"value\":\"" + label
                + "\"}},\"sitelinks\":{\"enwiki\":{\"site\":\"enwiki\",\"title\":\"" + label + "\"}},\"claims\":{" + claims + "}}";
    }

    private static String claim(String prop, String... ids) {
        StringBuilder sb = new StringBuilder("\"" + prop + "\":[");
        for (int i = 0; i < ids.length; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"mainsnak\":{\"snaktype\":\"value\",\"property\":\"").append(prop)
                    .append("\",\"datavalue\":{\"type\":\"wikibase-entityid\",\"value\":{\"entity-type\":\"item\",\"id\":\"")
                    .append(ids[i]).append("\"}}}}");
        }
        return sb.append("]").toString();
    }

    private static String property(String id, String label) {
        return "{\"type\":\"property\",\"id\":\"" + id + "\",\"labels\":{\"en\":{\"language\":\"en\",\"value\":\"" + label + "\"}}}";
    }

    private static final List<String> COMMON = List.of(
            property("P19", "place of birth"), property("P108", "employer"), property("P39", "position held"),
            property("P101", "field of work"), property("P17", "country"),
            item("Q2", "Corvo", ""), item("Q3", "Dune Works", ""), item("Q5", "Galdor", ""),
            item("Q8", "Order of the Silver Lake Guard", ""), item("Q9", "Hale Group", ""),
            item("Q10", "astronomy", ""), item("Q14", "senator", ""));

    private static String dump(List<String> entities) {
        return "[\n" + String.join(",\n", entities) + "\n]\n";
    }

    private Path snapshot(String name, List<String> entities, String wikipedia, String compression) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        byte[] bytes = dump(entities).getBytes(StandardCharsets.UTF_8);
        switch (compression) {
            case "bz2" -> {
                try (OutputStream o = new BZip2CompressorOutputStream(Files.newOutputStream(dir.resolve("wikidata.json.bz2")))) {
                    o.write(bytes);
                }
            }
            case "gz" -> {
                try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(dir.resolve("wikidata.json.gz")))) {
                    o.write(bytes);
                }
            }
            default -> Files.write(dir.resolve("wikidata.json"), bytes);
        }
        Files.writeString(dir.resolve("wikipedia.jsonl"), wikipedia);
        return dir;
    }

    private Path[] fixture() throws Exception {
        List<String> old = new java.util.ArrayList<>(COMMON);
        old.add(item("Q1", "Alda Benn", claim("P19", "Q2") + "," + claim("P108", "Q3")));
        old.add(item("Q4", "Elm Sand", claim("P108", "Q3")));
        old.add(item("Q6", "Fenwick", claim("P17", "Q5")));
        old.add(item("Q11", "Corvo Harbour", claim("P17", "Q5")));
        old.add(item("Q12", "Ivo Lund", claim("P39", "Q8")));
        List<String> next = new java.util.ArrayList<>(COMMON);
        next.add(item("Q1", "Alda Benn", claim("P19", "Q2") + "," + claim("P108", "Q9") + "," + claim("P39", "Q14")));
        next.add(item("Q4", "Elm Sand", claim("P108", "Q3") + "," + claim("P101", "Q10")));
        next.add(item("Q6", "Fenwick", claim("P17", "Q5")));
        next.add(item("Q11", "Corvo Harbour", claim("P17", "Q2")));
        next.add(item("Q12", "Ivo Lund", claim("P39", "Q8")));
        next.add(item("Q13", "Juno Park", claim("P19", "Q2")));
        String oldWiki = String.join("\n",
                "{\"title\":\"Alda Benn\",\"text\":\"Alda Benn was born in Corvo. Alda Benn works for Dune Works.\"}",
                "{\"title\":\"Elm Sand\",\"text\":\"Elm Sand lives by the sea.\"}",
                "{\"title\":\"Fenwick\",\"text\":\"Fenwick is a town in Galdor.\"}",
                "{\"title\":\"Ivo Lund\",\"text\":\"Ivo Lund serves the Order of the Silver Lake Guard.\"}") + "\n";
        String newWiki = String.join("\n",
                "{\"title\":\"Alda Benn\",\"text\":\"Alda Benn was born in Corvo. Alda Benn works for Hale Group. Alda Benn"
                        + " has the position of senator.\"}",
                "{\"title\":\"Elm Sand\",\"text\":\"Elm Sand lives by the sea. Elm Sand works in astronomy now.\"}",
                "{\"title\":\"Fenwick\",\"text\":\"Fenwick is a town in Galdor.\"}",
                "{\"title\":\"Corvo Harbour\",\"text\":\"Corvo Harbour belongs to Corvo since the reform.\"}",
                "{\"title\":\"Ivo Lund\",\"text\":\"Ivo Lund serves the Order of the Silver Lake Guard. He moved.\"}",
                "{\"title\":\"Juno Park\",\"text\":\"Juno Park was born in Corvo.\"}") + "\n";
        return new Path[] {snapshot("old", old, oldWiki, "plain"), snapshot("new", next, newWiki, "bz2")};
    }

    @Test
    void changedAndUnchangedProbesWithEveryFilterAndCap() throws Exception {
        Path[] s = fixture();
        SnapshotBuilder.Result r = SnapshotBuilder.build(s[0], s[1], 1);
        // Changed: (Alda, employer, Hale Group), (Alda, position held, senator) -> one survives the subject cap;
        // (Elm, field of work, astronomy); (Juno, place of birth, Corvo) from a new article;
        // (Corvo Harbour, country, Corvo) is dropped: subject and object contain each other.
        assertThat(r.changed()).hasSize(3);
        assertThat(r.changed()).contains(new TwikiProbe("Elm Sand", "field of work", "astronomy"),
                new TwikiProbe("Juno Park", "place of birth", "Corvo"));
        assertThat(r.changed().stream().filter(p -> p.subject().equals("Alda Benn")).count()).isEqualTo(1);
        // Unchanged: (Alda, place of birth, Corvo) and (Fenwick, country, Galdor) are in the unchanged text;
        // (Elm, employer, Dune Works) is not mentioned; (Ivo, position held, <6-word object>) is too long.
        assertThat(r.unchanged()).containsExactlyInAnyOrder(new TwikiProbe("Alda Benn", "place of birth", "Corvo"),
                new TwikiProbe("Fenwick", "country", "Galdor"));
        JsonNode c = r.report().get("changed");
        assertThat(c.get("triples").asInt()).isEqualTo(5);
        assertThat(c.get("dropped_subject_object_containment").asInt()).isEqualTo(1);
        assertThat(c.get("dropped_by_subject_cap").asInt()).isEqualTo(1);
        assertThat(c.get("subject_cap").asInt()).isEqualTo(1);
        JsonNode u = r.report().get("unchanged");
        assertThat(u.get("dropped_object_not_in_text").asInt()).isEqualTo(1);
        assertThat(u.get("dropped_object_over_5_words").asInt()).isEqualTo(1);
        assertThat(r.diff()).containsEntry("Alda Benn", "Alda Benn works for Hale Group. Alda Benn has the position of senator.")
                .containsEntry("Juno Park", "Juno Park was born in Corvo.")
                .containsEntry("Ivo Lund", "He moved.")
                .doesNotContainKey("Fenwick");
        assertThat(r.report().get("new_articles").asInt()).isEqualTo(2);
    }

    @Test
    void theSameSeedGivesTheSameProbesAndGzipReadsLikeBzip2() throws Exception {
        Path[] s = fixture();
        var a = SnapshotBuilder.build(s[0], s[1], 7);
        var b = SnapshotBuilder.build(s[0], s[1], 7);
        assertThat(a.changed()).isEqualTo(b.changed());
        byte[] json = new String(new org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream(
                Files.newInputStream(s[1].resolve("wikidata.json.bz2"))).readAllBytes(), StandardCharsets.UTF_8)
                .getBytes(StandardCharsets.UTF_8);
        Path gz = Files.createDirectories(tmp.resolve("new-gz"));
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz.resolve("wikidata.json.gz")))) {
            o.write(json);
        }
        Files.copy(s[1].resolve("wikipedia.jsonl"), gz.resolve("wikipedia.jsonl"));
        assertThat(SnapshotBuilder.build(s[0], gz, 7).changed()).isEqualTo(a.changed());
    }

    @Test
    void aMalformedEntityLineIsNamed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bad"));
        Files.writeString(dir.resolve("wikidata.json"), "[\n" + property("P19", "place of birth") + ",\n{\"id\": \"Q1\", \"labels\": \n]\n");
        Files.writeString(dir.resolve("wikipedia.jsonl"), "");
        assertThatThrownBy(() -> WikidataDump.read(dir.resolve("wikidata.json"))).hasMessageContaining("wikidata.json:3")
                .hasMessageContaining("malformed entity JSON");
    }

    @Test
    void aWikipediaLineWithoutTextIsNamedInACompressedFileToo() throws Exception {
        Path gz = tmp.resolve("wikipedia.jsonl.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write("{\"title\": \"A\", \"text\": \"a.\"}\n\n{\"title\": \"B\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThatThrownBy(() -> WikipediaText.read(gz)).hasMessageContaining("wikipedia.jsonl.gz:3: an article needs 'title' and 'text'");
        Path ok = Files.writeString(tmp.resolve("ok.jsonl"), "{\"title\": \"A\", \"text\": \"a.\"}\n");
        assertThat(WikipediaText.read(ok)).containsExactly(Map.entry("A", "a."));
    }
}
