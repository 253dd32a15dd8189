package org.cklbench.temporalwiki.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cklbench.io.AtomicFiles;
import org.cklbench.io.JsonLines;
import org.cklbench.temporalwiki.Diffsets;
import org.cklbench.temporalwiki.TwikiProbe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * TemporalWiki's construction from two snapshots (docs/protocols.md, "TemporalWiki"): the Wikipedia diff (sentences added to an
 * article, new articles whole); unchanged triples (in both Wikidata snapshots) and changed ones (a new
 * property of an entity, or a changed value); a changed triple is kept only if its lower-cased object
 * appears in the subject's diff text, an unchanged one only if it appears in the subject's unchanged
 * text; triples whose subject and object contain each other, or whose object has more than 5 words,
 * are dropped; each subject is capped at 1% and each relation at 5% of the set, in a seeded order.
 */
public final class SnapshotBuilder {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The probes, the diff documents by article title, and what each filter removed. */
    public record Result(List<TwikiProbe> changed, List<TwikiProbe> unchanged, Map<String, String> diff,
                         ObjectNode report) {
    }

    private record Triple(String subject, String property, String value) {
    }

    private SnapshotBuilder() {
    }

    /** Sentences of an article: split after . ! or ? followed by white space. */
    static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.split("(?<=[.!?])\\s+")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }

    public static Result build(Path oldDir, Path newDir, long seed) throws IOException {
        WikidataDump.Snapshot oldWd = WikidataDump.read(Compressed.find(oldDir, "wikidata.json", "wikidata.jsonl"));
        WikidataDump.Snapshot newWd = WikidataDump.read(Compressed.find(newDir, "wikidata.json", "wikidata.jsonl"));
        Map<String, String> oldWp = WikipediaText.read(Compressed.find(oldDir, "wikipedia.jsonl"));
        Map<String, String> newWp = WikipediaText.read(Compressed.find(newDir, "wikipedia.jsonl"));

        // The Wikipedia diff, and the text that stayed, per article.
        Map<String, String> diffOf = new LinkedHashMap<>();
        Map<String, String> keptOf = new LinkedHashMap<>();
        for (Map.Entry<String, String> a : newWp.entrySet()) {
            String before = oldWp.get(a.getKey());
            if (before == null) {
                diffOf.put(a.getKey(), a.getValue());
                continue;
            }
            Set<String> old = new LinkedHashSet<>(sentences(before));
            StringBuilder added = new StringBuilder();
            StringBuilder kept = new StringBuilder();
            for (String s : sentences(a.getValue())) {
                (old.contains(s) ? kept : added).append(s).append(' ');
            }
            keptOf.put(a.getKey(), kept.toString().strip());
            if (added.length() > 0) {
                diffOf.put(a.getKey(), added.toString().strip());
            }
        }

        Set<Triple> oldTriples = triples(oldWd);
        List<Triple> changed = new ArrayList<>();
        List<Triple> unchanged = new ArrayList<>();
        for (Triple t : triples(newWd)) {
            (oldTriples.contains(t) ? unchanged : changed).add(t);
        }
        ObjectNode report = JSON.createObjectNode();
        Map<TwikiProbe, String> textOfProbe = new HashMap<>();
        List<TwikiProbe> c = select(changed, newWd, diffOf, textOfProbe, seed, report.putObject("changed"));
        List<TwikiProbe> u = select(unchanged, newWd, keptOf, new HashMap<>(), seed + 1, report.putObject("unchanged"));
        // a changed probe whose diff document the reference's filter drops could not be learned by any method
        report.with("changed").put("kept_whose_text_the_filter_drops",
                c.stream().filter(p -> !Diffsets.keep(textOfProbe.get(p))).count());
        report.put("diff_documents", diffOf.size());
        report.put("new_articles", newWp.keySet().stream().filter(k -> !oldWp.containsKey(k)).count());
        return new Result(c, u, diffOf, report);
    }

    private static Set<Triple> triples(WikidataDump.Snapshot s) {
        Set<Triple> out = new LinkedHashSet<>();
        for (WikidataDump.Entity e : s.items().values()) {
            e.claims().forEach((p, values) -> values.forEach(v -> out.add(new Triple(e.id(), p, v))));
        }
        return out;
    }

    private static List<TwikiProbe> select(List<Triple> triples, WikidataDump.Snapshot wd, Map<String, String> textOf,
                                           Map<TwikiProbe, String> textOfProbe, long seed, ObjectNode report) {
        report.put("triples", triples.size());
        List<TwikiProbe> kept = new ArrayList<>();
        int noLabel = 0;
        int notInText = 0;
        int containment = 0;
        int longObject = 0;
        for (Triple t : triples) {
            WikidataDump.Entity s = wd.items().get(t.subject());
            String object = WikidataDump.valueLabel(wd, t.value());
            if (s == null || s.label() == null || object == null) {
                noLabel++;
                continue;
            }
            String text = textOf.get(s.title());
            String o = object.toLowerCase(Locale.ROOT);
            String sl = s.label().toLowerCase(Locale.ROOT);
            if (text == null || !text.toLowerCase(Locale.ROOT).contains(o)) {
                notInText++;
            } else if (sl.contains(o) || o.contains(sl)) {
                containment++;
            } else if (object.strip().split("\\s+").length > 5) {
                longObject++;
            } else {
                TwikiProbe p = new TwikiProbe(s.label(), wd.propertyLabels().getOrDefault(t.property(), t.property()), object);
                kept.add(p);
                textOfProbe.put(p, text);
            }
        }
        report.put("dropped_without_label", noLabel);
        report.put("dropped_object_not_in_text", notInText);
        report.put("dropped_subject_object_containment", containment);
        report.put("dropped_object_over_5_words", longObject);
        report.put("after_filters", kept.size());
        List<TwikiProbe> capped = cap(kept, seed, report);
        report.put("kept", capped.size());
        return capped;
    }

    /** At most 1% of the set per subject and 5% per relation (at least one), taken in a seeded order. */
    static List<TwikiProbe> cap(List<TwikiProbe> probes, long seed, ObjectNode report) {
        int n = probes.size();
        int subjectCap = Math.max(1, n / 100);
        int relationCap = Math.max(1, n * 5 / 100);
        List<TwikiProbe> shuffled = new ArrayList<>(probes);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            TwikiProbe t = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, t);
        }
        Map<String, Integer> perSubject = new HashMap<>();
        Map<String, Integer> perRelation = new HashMap<>();
        List<TwikiProbe> out = new ArrayList<>();
        int bySubject = 0;
        int byRelation = 0;
        for (TwikiProbe p : shuffled) {
            if (perSubject.getOrDefault(p.subject(), 0) >= subjectCap) {
                bySubject++;
            } else if (perRelation.getOrDefault(p.relation(), 0) >= relationCap) {
                byRelation++;
            } else {
                perSubject.merge(p.subject(), 1, Integer::sum);
                perRelation.merge(p.relation(), 1, Integer::sum);
                out.add(p);
            }
        }
        report.put("subject_cap", subjectCap);
        report.put("relation_cap", relationCap);
        report.put("dropped_by_subject_cap", bySubject);
        report.put("dropped_by_relation_cap", byRelation);
        return out;
    }

    /**
     * Writes {@code <probes>_changed.jsonl}, {@code <probes>_unchanged.jsonl} and
     * {@code <period>.jsonl} (the diffset) in the released layout ({@code probes/}, {@code diffsets/}),
     * and {@code <period>-build-report.json}; subjects {@code keepSubject} rejects are left out.
     */
    public static void write(Result r, Path out, String probes, String period, Predicate<String> keepSubject)
            throws IOException {
        Path p = Files.createDirectories(out.resolve("probes"));
        Path d = Files.createDirectories(out.resolve("diffsets"));
        JsonLines.write(p.resolve(probes + "_changed.jsonl"), r.changed().stream().filter(x -> keepSubject.test(x.subject())).toList());
        JsonLines.write(p.resolve(probes + "_unchanged.jsonl"), r.unchanged().stream().filter(x -> keepSubject.test(x.subject())).toList());
        List<Map<String, String>> docs = new ArrayList<>();
        r.diff().forEach((title, text) -> {
            if (keepSubject.test(title)) {
                docs.add(Map.of("text", text));
            }
        });
        JsonLines.write(d.resolve(period + ".jsonl"), docs);
        AtomicFiles.writeString(out.resolve(period + "-build-report.json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.report()));
    }

    /**
     * Subjects set aside from the benchmark, a {@code share} of them chosen by a hash of the name: never
     * probed or trained on, their changed facts make the meta-training split.
     */
    public static Predicate<String> heldOut(double share) {
        if (!(share >= 0 && share < 1)) {
            throw new IllegalArgumentException("the held-out share must lie in [0, 1), got " + share);
        }
        long buckets = Math.round(share * 1000);
        return subject -> Math.floorMod(org.cklbench.io.Hashing.sha256(subject).hashCode(), 1000) < buckets;
    }

    /**
     * The meta-training rows of a period: each held-out subject's diff document with each of its changed
     * facts, as {@code {id, text, subject, relation, object}} (the reference's train_attention_traindata rows).
     */
    public static List<Map<String, String>> metaTraining(Result r, String period, Predicate<String> heldOut) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (TwikiProbe p : r.changed()) {
            String doc = r.diff().get(p.subject());
            if (heldOut.test(p.subject()) && doc != null) {
                Map<String, String> row = new java.util.LinkedHashMap<>();
                row.put("id", period + "/" + p.subject() + "/" + p.relation());
                row.put("text", doc);
                row.put("subject", p.subject());
                row.put("relation", p.relation());
                row.put("object", p.object());
                rows.add(row);
            }
        }
        return rows;
    }

    /** Puts {@code rows} of {@code period} into the split file, replacing that period's earlier rows and keeping the others'. */
    public static void writeMetaTraining(Path file, String period, List<Map<String, String>> rows) throws IOException {
        List<Object> all = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            JsonLines.forEach(file, l -> {
                if (!l.node().path("id").asText().startsWith(period + "/")) {
                    all.add(l.node());
                }
            });
        }
        all.addAll(rows);
        JsonLines.write(file, all);
    }
}
